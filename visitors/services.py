"""What hosts and reception do with visits. The portal, the admin, the demo and tasks
call these, and nothing else changes a visit: each change sends its signal, with who acted.

Two kinds of function: one with plain arguments for the portal
(`create_visit`, `update_visit`, `add_visitor`), and `save_<model>(instance, …)`
for a form that built the instance itself (the admin). The first calls the
second, so both announce alike. Besides the signals they keep the calendar
SEQUENCE, make reminders follow a moved or cancelled visit (SPEC N-9), and
claim arrivals, departures and end-of-day reports so each happens once.
"""

import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

import notifications
from accounts.models import BACK_OFFICE_ROLES, Membership, Site
from visitors import signals
from visitors.models import Visit, Visitor

# A change to one of these is a new time or place: visitors are told, reminders re-planned.
MOVING_FIELDS = ("start", "end", "site")
# Reception's closing time: a visitor still in after it is reported to the host (V-6).
END_OF_DAY = datetime.time(20, 0)
# A self check-in link opens this long before the visit starts.
CHECK_IN_OPENS = datetime.timedelta(hours=2)


def visible_visits(user):
    """Visits a person may open on the portal: those they host or co-host and, for
    managers, every visit of the organisations they manage."""
    managed = Membership.objects.filter(user=user, role__in=BACK_OFFICE_ROLES).values(
        "organisation"
    )
    return Visit.objects.filter(
        Q(host=user) | Q(co_hosts=user) | Q(organisation__in=managed)
    ).distinct()


def is_editable(visit, now=None):
    """A planned visit that has not ended can still be changed or cancelled."""
    return visit.is_planned and visit.end > (now or timezone.now())


@transaction.atomic
def create_visit(host, *, site, start, end, purpose="", co_hosts=(), visitors=()):
    """A host's new visit (V-1); each visitor is invited with an .ics."""
    visit = Visit(
        organisation=site.organisation, site=site, host=host, start=start, end=end, purpose=purpose
    )
    visit.full_clean()
    invited = [Visitor(visit=visit, **fields) for fields in visitors]
    return save_visit(visit, host, co_hosts=co_hosts, visitors=invited)


@transaction.atomic
def update_visit(visit, actor, *, co_hosts=None, add=(), remove=(), **changes):
    """Change a visit: withdrawn visitors hear first, the others get the new details (V-2),
    visitors added get an invitation."""
    for field, value in changes.items():
        setattr(visit, field, value)
    visit.full_clean()
    invited = [Visitor(visit=visit, **fields) for fields in add]
    return save_visit(visit, actor, co_hosts=co_hosts, visitors=invited, withdraw=remove)


@transaction.atomic
def save_visit(visit, actor, *, co_hosts=None, visitors=(), withdraw=()):
    """Save a visit from any form, in this order: the visitors in `withdraw` are told
    first; a new time or place, or a cancellation, is a new version of the calendar
    event, told to the visitors still invited, and the reminders follow (V-2, V-4);
    then the co-hosts, and the `visitors` (new ones are invited)."""
    for visitor in withdraw:
        remove_visitor(visitor, actor)
    tracker = visit.tracker
    existing = visit.pk is not None
    cancelled = (
        existing and tracker.has_changed("status") and visit.status == Visit.Status.CANCELLED
    )
    moved = existing and visit.is_planned and any(tracker.has_changed(f) for f in MOVING_FIELDS)
    before = {f"old_{field}": tracker.previous(field) for field in MOVING_FIELDS}
    if existing:
        _sync_sequence(visit, bump=cancelled or moved)
    visit.save()
    if cancelled:
        signals.visit_cancelled.send(sender=Visit, visit=visit, actor=actor)
        notifications.target_cancelled(visit)
    elif moved:
        before["old_site"] = Site.objects.filter(pk=before["old_site"]).first()
        signals.visit_moved.send(sender=Visit, visit=visit, actor=actor, **before)
        notifications.target_moved(visit)
    if co_hosts is not None:
        visit.co_hosts.set(co_hosts)
    for visitor in visitors:
        save_visitor(visitor, actor)
    return visit


@transaction.atomic
def cancel_visit(visit, actor):
    """The visit is off: every visitor is told, with a cancelling .ics (V-4)."""
    visit.status = Visit.Status.CANCELLED
    return save_visit(visit, actor)


@transaction.atomic
def add_visitor(visit, actor, **fields):
    """Invite one more visitor to a planned visit (V-1)."""
    return save_visitor(Visitor(visit=visit, **fields), actor)


@transaction.atomic
def save_visitor(visitor, actor):
    """Save a visitor from any form: a new one, on a planned visit, is invited (V-1).
    A correction to their details is not announced."""
    invited = visitor.pk is None and visitor.removed_at is None
    visitor.save()
    if invited and visitor.visit.is_planned:
        signals.visitor_invited.send(sender=Visitor, visitor=visitor, actor=actor)
    return visitor


@transaction.atomic
def remove_visitor(visitor, actor):
    """Withdraw one visitor's invitation: they are told, and their reminder is dropped."""
    if visitor.removed_at:
        return visitor
    visitor.removed_at = timezone.now()
    visitor.save(update_fields=["removed_at"])
    signals.visitor_withdrawn.send(sender=Visitor, visitor=visitor, actor=actor)
    _sync_sequence(visitor.visit, bump=True)
    notifications.target_cancelled(visitor)  # their reminders; the others' stay
    return visitor


def _sync_sequence(visit, bump):
    """The calendar version as stored, one more if `bump`: counted in the database, so a
    stale copy of the visit saved later never writes an older version back."""
    if bump:
        Visit.objects.filter(pk=visit.pk).update(sequence=F("sequence") + 1)
    visit.sequence = Visit.objects.values_list("sequence", flat=True).get(pk=visit.pk)


# Arrivals and departures. Each is claimed with a conditional UPDATE, so a double
# tap or two receptionists at once record, and announce, one arrival only.


class CheckInRefused(Exception):
    """A check-in that cannot happen, with the reason to show."""


@transaction.atomic
def check_in(visitor, source, actor=None, now=None):
    """Record an arrival and tell the host and co-hosts at once (V-5); False if already in."""
    now = now or timezone.now()
    if visitor.removed_at or not visitor.visit.is_planned:
        raise CheckInRefused("not expected")
    claimed = Visitor.objects.filter(pk=visitor.pk, checked_in_at=None).update(
        checked_in_at=now, check_in_source=source
    )
    visitor.refresh_from_db()
    if not claimed:
        return False
    signals.visitor_checked_in.send(sender=Visitor, visitor=visitor, actor=actor)
    return True


@transaction.atomic
def check_out(visitor, now=None):
    """Record a departure; after it the self check-in link is spent. False if not in."""
    claimed = (
        Visitor.objects.filter(pk=visitor.pk, checked_out_at=None)
        .exclude(checked_in_at=None)
        .update(checked_out_at=now or timezone.now())
    )
    visitor.refresh_from_db()
    return bool(claimed)


def self_check_in_window(visit):
    """(opens, closes): when a visitor's own link checks them in."""
    return visit.start - CHECK_IN_OPENS, end_of_day(visit)


def end_of_day(visit):
    """Closing time on the visit's last day, in the organisation's zone (or its end, if later)."""
    local_end = visit.end.astimezone(visit.zone)
    closing = datetime.datetime.combine(local_end.date(), END_OF_DAY, tzinfo=visit.zone)
    return max(closing, local_end)


def close_the_day(now=None):
    """Report visitors still in after closing time, once each (V-6); planned visits whose
    day is over are done. Safe to run as often as beat likes; returns the number reported."""
    now = now or timezone.now()
    reported = 0
    still_in = Visitor.objects.filter(
        checked_out_at=None, still_in_reported_at=None, visit__start__lte=now
    ).exclude(checked_in_at=None)
    for visitor in still_in.select_related("visit__organisation"):
        if end_of_day(visitor.visit) <= now:
            reported += _report_still_in(visitor, now)
    over = Visit.objects.filter(status=Visit.Status.PLANNED, end__lte=now)
    for visit in over.select_related("organisation"):
        if end_of_day(visit) <= now:
            # No save(): nothing to announce, and no SEQUENCE change for the calendar.
            Visit.objects.filter(pk=visit.pk, status=Visit.Status.PLANNED).update(
                status=Visit.Status.DONE
            )
    return reported


@transaction.atomic
def _report_still_in(visitor, now):
    claimed = Visitor.objects.filter(
        pk=visitor.pk, still_in_reported_at=None, checked_out_at=None
    ).update(still_in_reported_at=now)
    if claimed:
        signals.visitor_still_in.send(sender=Visitor, visitor=visitor, actor=None)
    return claimed
