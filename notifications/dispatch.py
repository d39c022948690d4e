"""Moving work from the database to the queues: planned events, due reminders, the sweeper.

The database is the source of truth (DESIGN, pitfalls): anything the broker
lost — an outage, a killed worker — is found again here by its status. Nothing
is found again forever: an event whose planning keeps raising, or a delivery
whose worker keeps dying, is marked failed after a few tries.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notifications import failures
from notifications.events import UnknownEvent, priority_of
from notifications.models import Delivery, Event
from notifications.outbox import queue_plannings, send_on_commit
from notifications.planning import plan
from notifications.sending import MAX_ATTEMPTS

logger = logging.getLogger(__name__)

DISPATCH_BATCH = 1000
# A delivery claimed longer ago than this is taken to belong to a dead worker.
SENDING_LEASE = datetime.timedelta(minutes=10)
# Queued but not sent after this long: its task was lost with the broker.
QUEUED_GRACE = datetime.timedelta(minutes=10)
UNPLANNED_GRACE = datetime.timedelta(minutes=1)
MAX_PLANNING_ATTEMPTS = 5
GAVE_UP = "gave up after %(attempts)s attempts (last left %(status)s: worker lost or task lost)"
Status = Delivery.Status


def plan_event(event_id):
    """Plan a stored event once, then queue what is due now."""
    try:
        with transaction.atomic():
            _plan_and_queue(event_id)
    except Exception as error:
        # Rolled back: record why, so the sweeper knows when to stop (and a person, why).
        logger.exception("Planning event %s failed", event_id)
        Event.objects.filter(pk=event_id).update(
            planning_attempts=F("planning_attempts") + 1,
            planning_error=f"{type(error).__name__}: {error}",
        )
        raise


def plan_events(event_ids):
    """Plan events published together, each on its own: one that fails stops none of the others.

    A failed one is recorded on its row (`plan_event`) for the sweeper; the first
    error is raised once all are done, so the task shows as failed.
    """
    failure = None
    for event_id in event_ids:
        try:
            plan_event(event_id)
        except Exception as error:  # recorded and logged by plan_event; the rest go on
            failure = failure or error
    if failure is not None:
        raise failure


def _plan_and_queue(event_id):
    event = (
        # Locked so two planners of one event take turns (PostgreSQL).
        Event.objects.select_for_update(of=("self",))
        .select_related("organisation", "actor")
        .filter(pk=event_id, planned_at=None)
        .first()
    )
    if event is None:
        return  # planned already: a replay creates nothing new
    try:
        plan(event)
    except UnknownEvent:
        # Its app was removed since: nothing can plan it, so stop the sweeper retrying.
        logger.error("Event %s has an unknown code %r; left unplanned", event.pk, event.code)
        Event.objects.filter(pk=event.pk).update(planned_at=timezone.now())
        return
    send_on_commit(
        Delivery.objects.filter(event=event, status=Status.QUEUED).values_list("pk", "priority")
    )


def dispatch_due(now=None):
    """Queue the scheduled deliveries whose time has come (SPEC N-9); return how many."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            # On PostgreSQL two dispatchers skip each other's rows; everywhere the
            # conditional UPDATE below is what makes a row queued only once.
            rows = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(status=Status.SCHEDULED, send_at__lte=now)
                .order_by("send_at")
                .values_list("pk", "priority")[:DISPATCH_BATCH]
            )
            Delivery.objects.filter(
                pk__in=[pk for pk, _priority in rows], status=Status.SCHEDULED
            ).update(status=Status.QUEUED, updated_at=now)
            send_on_commit(rows)
        total += len(rows)
        if len(rows) < DISPATCH_BATCH:
            return total


def sweep(now=None):
    """Re-queue what an outage or a dead worker left behind; return counts for the log."""
    now = now or timezone.now()
    unplanned = list(
        Event.objects.filter(
            planned_at=None,
            created_at__lt=now - UNPLANNED_GRACE,
            planning_attempts__lt=MAX_PLANNING_ATTEMPTS,
        )
        .order_by("created_at")
        .values_list("pk", "code")[:DISPATCH_BATCH]
    )
    queue_plannings([(event_id, priority_of(code)) for event_id, code in unplanned])
    expired = _requeue(Status.SENDING, claimed_at__lt=now - SENDING_LEASE, now=now)
    forgotten = _requeue(Status.QUEUED, updated_at__lt=now - QUEUED_GRACE, now=now)
    return {"events": len(unplanned), **expired, **forgotten}


def _requeue(status, now, **older_than):
    """Queue the rows left in `status` again, but fail those that used up their attempts."""
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=status, **older_than)
            .values_list("pk", "priority", "attempts")[:DISPATCH_BATCH]
        )
        spent = [pk for pk, _priority, attempts in rows if attempts >= MAX_ATTEMPTS]
        again = [(pk, priority) for pk, priority, attempts in rows if attempts < MAX_ATTEMPTS]
        Delivery.objects.filter(pk__in=spent, status=status).update(
            status=Status.FAILED,
            last_error=GAVE_UP % {"attempts": MAX_ATTEMPTS, "status": status},
            failure=failures.GAVE_UP,
            updated_at=now,
        )
        Delivery.objects.filter(pk__in=[pk for pk, _p in again], status=status).update(
            status=Status.QUEUED, updated_at=now
        )
        send_on_commit(again)
    label = "expired_leases" if status == Status.SENDING else "forgotten"
    return {label: len(again), f"{label}_failed": len(spent)}
