"""The outbox's hand-off to the broker: the one module that queues the engine's work.

The database is the truth (DESIGN, pitfalls): an Event or a Delivery row exists
before anything is queued, so a publish that fails — the broker is down — loses
nothing, and the sweeper (`dispatch.sweep`) finds the row again by its status.

Tasks are named here, not imported: the modules that queue work (the domain
API, planning, sending) are themselves called by the tasks, and must not
depend on them in return.
"""

import logging

from celery import current_app
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)

PLAN_EVENT = "notifications.tasks.plan_event"
SEND_BATCH = "notifications.tasks.send_batch"


def queue_planning(event_id, priority):
    """Queue `plan_event` for a stored event; a broker error is left to the sweeper."""
    try:
        _task(PLAN_EVENT).apply_async((event_id,), queue=priority)
    except BrokerUnavailable:
        logger.exception("Could not queue planning of event %s; the sweeper will retry", event_id)


def queue_sends(rows, countdown=None):
    """Queue `send_batch` tasks for (id, priority) rows, up to RELAIS_SEND_BATCH_SIZE each.

    Rows queued together (one event's, one minute's reminders) go in as few tasks as
    their priorities allow; a single message is a task of one and leaves at once.
    A broker error is left to the sweeper.
    """
    by_priority = {}
    for delivery_id, priority in rows:
        by_priority.setdefault(priority, []).append(delivery_id)
    size = settings.RELAIS_SEND_BATCH_SIZE
    for priority, ids in by_priority.items():
        for start in range(0, len(ids), size):
            batch = ids[start : start + size]
            try:
                _task(SEND_BATCH).apply_async((batch,), queue=priority, countdown=countdown)
            except BrokerUnavailable:
                logger.exception(
                    "Could not queue %s deliveries; the sweeper will retry", len(batch)
                )
                return  # the broker is down: the rest would fail the same way


def plan_on_commit(event_id, priority):
    """Queue the event's planning once the caller's transaction commits."""
    transaction.on_commit(lambda: queue_planning(event_id, priority))


def send_on_commit(rows):
    """Queue these deliveries once the caller's transaction commits."""
    rows = list(rows)
    if rows:
        transaction.on_commit(lambda: queue_sends(rows))


def _task(name):
    # notifications.apps imports the tasks module at start-up, so the registry has them.
    return current_app.tasks[name]
