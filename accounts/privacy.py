"""A person's own account, exported and erased (SPEC P-5): profile and memberships.

Erased last (after every app used the email and number to find its rows): the
account stays, so that what others did with it (a request, a booking) keeps its
history, but nothing in it says who it was, it no longer logs in, and it
belongs to no organisation.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog

from accounts.models import Membership

PROFILE_FIELDS = ["email", "display_name", "phone", "language", "time_zone", "date_joined"]


def export(archive):
    person = archive.person
    profile = {field: getattr(person, field) for field in PROFILE_FIELDS}
    profile["phone"] = str(person.phone or "")
    profile["time_zone"] = str(person.time_zone)
    profile["last_login"] = person.last_login
    archive.add("profile", profile)
    memberships = Membership.objects.filter(user=person).select_related("organisation")
    archive.add_rows(
        "memberships",
        memberships.order_by("organisation__name"),
        ["role"],
        organisation=lambda membership: membership.organisation.name,
    )
    # The lock-out's memory of failed logins (django-axes): by the email typed.
    fields = ["attempt_time", "ip_address", "user_agent", "path_info"]
    attempts = AccessFailureLog.objects.filter(username__in=archive.emails)
    archive.add_rows("failed_logins", attempts.order_by("attempt_time"), fields)


def erase(erasure):
    person = erasure.person
    changed = Membership.objects.filter(user=person).delete()[0]
    for log in (AccessAttempt, AccessFailureLog, AccessLog):
        changed += log.objects.filter(username__in=erasure.emails).delete()[0]
    person.email = erasure.placeholder_email("user", person.pk)
    person.display_name = ""
    person.phone = ""
    person.is_active = False
    person.set_unusable_password()
    person.save()
    person.groups.clear()
    person.user_permissions.clear()
    return changed + 1
