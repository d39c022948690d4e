"""What hosts and reception do with visits. Views, the admin and tasks call these.

Saving announces itself (signals.py); these functions add what a save cannot
know alone: the calendar SEQUENCE, the reminders that follow a moved or
cancelled visit (SPEC N-9), and the claims that make an arrival, a departure
or an end-of-day report happen once.
"""

import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

import notifications
from accounts.models import BACK_OFFICE_ROLES, Membership
from visitors.models import Visit, Visitor
from visitors.signals import MOVING_FIELDS

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
    save_visit(visit, host)
    visit.co_hosts.set(co_hosts)
    for fields in visitors:
        add_visitor(visit, host, **fields)
    return visit


@transaction.atomic
def update_visit(visit, actor, *, co_hosts=None, add=(), remove=(), **changes):
    """Change a visit: withdrawn visitors hear first, the others get the new details (V-2),
    visitors added get an invitation."""
    for visitor in remove:
        remove_visitor(visitor, actor)
    for field, value in changes.items():
        setattr(visit, field, value)
    visit.full_clean()
    save_visit(visit, actor)
    if co_hosts is not None:
        visit.co_hosts.set(co_hosts)
    for fields in add:
        add_visitor(visit, actor, **fields)
    return visit


@transaction.atomic
def save_visit(visit, actor):
    """Save a visit from any form: a new time or place, or a cancellation, is a new
    version of its calendar event, and its reminders follow (V-2, V-4)."""
    tracker = visit.tracker
    existing = visit.pk is not None
    cancelled = (
        existing and tracker.has_changed("status") and visit.status == Visit.Status.CANCELLED
    )
    moved = existing and visit.is_planned and any(tracker.has_changed(f) for f in MOVING_FIELDS)
    if existing:
        _sync_sequence(visit, bump=cancelled or moved)
    visit.actor = actor  # the signals tell people who acted
    visit.save()
    if cancelled:
        notifications.target_cancelled(visit)
    elif moved:
        notifications.target_moved(visit)
    return visit


@transaction.atomic
def cancel_visit(visit, actor):
    """The visit is off: every visitor is told, with a cancelling .ics (V-4)."""
    visit.status = Visit.Status.CANCELLED
    return save_visit(visit, actor)


@transaction.atomic
def add_visitor(visit, actor, **fields):
    """Invite one more visitor to a planned visit (V-1)."""
    visitor = Visitor(visit=visit, **fields)
    visitor.actor = actor
    visitor.save()
    return visitor


@transaction.atomic
def remove_visitor(visitor, actor):
    """Withdraw one visitor's invitation: they are told, and their reminder is dropped."""
    if visitor.removed_at:
        return visitor
    visitor.removed_at = timezone.now()
    visitor.actor = actor
    visitor.save(update_fields=["removed_at"])
    _sync_sequence(visitor.visit, bump=True)
    # Re-planning drops the reminders whose conditions no longer hold: this visitor's.
    notifications.target_moved(visitor.visit)
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
    notifications.emit("visits.checked_in", visitor.visit, actor=actor, visitor_id=visitor.pk)
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
        notifications.emit("visits.not_checked_out", visitor.visit, visitor_id=visitor.pk)
    return claimed
