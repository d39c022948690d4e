"""Moving work from the database to the queues: planned events, due reminders, the sweeper.

The database is the source of truth (DESIGN, pitfalls): anything the broker
lost — an outage, a killed worker — is found again here by its status.
"""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from notifications import planning
from notifications.events import Priority, UnknownEvent, get_event_type
from notifications.models import Delivery, Event
from notifications.services import queue_planning

logger = logging.getLogger(__name__)

DISPATCH_BATCH = 1000
# A delivery claimed longer ago than this is taken to belong to a dead worker.
SENDING_LEASE = datetime.timedelta(minutes=10)
# Queued but not sent after this long: its task was lost with the broker.
QUEUED_GRACE = datetime.timedelta(minutes=10)
UNPLANNED_GRACE = datetime.timedelta(minutes=1)
Status = Delivery.Status


def plan_event(event_id):
    """Plan a stored event once, then queue what is due now."""
    with transaction.atomic():
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
            planning.plan(event)
        except UnknownEvent:
            # Its app was removed since: nothing can plan it, so stop the sweeper retrying.
            logger.error("Event %s has an unknown code %r; left unplanned", event.pk, event.code)
            Event.objects.filter(pk=event.pk).update(planned_at=timezone.now())
            return
        ready = list(
            Delivery.objects.filter(event=event, status=Status.QUEUED).values_list("pk", "priority")
        )
        transaction.on_commit(lambda: queue_sends(ready))


def queue_sends(rows):
    """Queue `send_delivery` for each (id, priority); a broker error is left to the sweeper."""
    from notifications.tasks import send_delivery

    for delivery_id, priority in rows:
        try:
            send_delivery.apply_async((delivery_id,), queue=priority)
        except BrokerUnavailable:
            logger.exception("Could not queue delivery %s; the sweeper will retry", delivery_id)
            return


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
            transaction.on_commit(lambda rows=rows: queue_sends(rows))
        total += len(rows)
        if len(rows) < DISPATCH_BATCH:
            return total


def sweep(now=None):
    """Re-queue what an outage or a dead worker left behind; return counts for the log."""
    now = now or timezone.now()
    unplanned = list(
        Event.objects.filter(planned_at=None, created_at__lt=now - UNPLANNED_GRACE)
        .order_by("created_at")
        .values_list("pk", "code")[:DISPATCH_BATCH]
    )
    for event_id, code in unplanned:
        queue_planning(event_id, _priority(code))
    expired = _requeue(Status.SENDING, claimed_at__lt=now - SENDING_LEASE, now=now)
    forgotten = _requeue(Status.QUEUED, updated_at__lt=now - QUEUED_GRACE, now=now)
    return {"events": len(unplanned), "expired_leases": expired, "forgotten": forgotten}


def _priority(code):
    try:
        return get_event_type(code).priority
    except UnknownEvent:
        return Priority.DEFAULT


def _requeue(status, now, **older_than):
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=status, **older_than)
            .values_list("pk", "priority")[:DISPATCH_BATCH]
        )
        Delivery.objects.filter(pk__in=[pk for pk, _p in rows], status=status).update(
            status=Status.QUEUED, updated_at=now
        )
        transaction.on_commit(lambda: queue_sends(rows))
    return len(rows)
