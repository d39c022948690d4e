"""The outbox's hand-off to the broker: the one module that queues the engine's work.

The database is the truth (DESIGN, pitfalls): an Event or a Delivery row exists
before anything is queued, so a publish that fails — the broker is down — loses
nothing, and the sweeper (`dispatch.sweep`) finds the row again by its status.

An event's planning is published by the relay (`notifications/relay.py`), a
process of its own that takes new events from the table: saving a domain object
pays for its outbox row, in its own transaction, and nothing else — not a round
trip to the broker, not a thread of its process building messages. With
`CELERY_TASK_ALWAYS_EAGER` (tests, one-off scripts) it is published at commit
instead: an eager task runs where it is published, in the caller's thread.

Tasks are named here, not imported: the modules that queue work (the domain
API, planning, sending) are themselves called by the tasks, and must not
depend on them in return.
"""

import collections
import functools
import logging

from celery import current_app
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)

PLAN_EVENT = "notifications.tasks.plan_event"
PLAN_EVENTS = "notifications.tasks.plan_events"
SEND_BATCH = "notifications.tasks.send_batch"
# Events per `plan_events` message: a burst is planned by a few tasks, not one each.
EVENTS_PER_MESSAGE = 100


def store(code, target, *, organisation, actor, batch, data):
    """Write a new Event row in the caller's transaction, with one INSERT; return it.

    `emit` runs inside every domain save, so this path is kept short: the statement is
    compiled once, its parameters are the eight values an event is given (the other
    columns are a new row's constants, written into the statement), and no
    `Model.save()` machinery runs: preparing every field costs the caller as much
    Python as the INSERT's round trip.
    """
    using = router.db_for_write(_event_model())
    connection = connections[using]
    sql, returning = _insert_statement(using)
    target_type = (
        ContentType.objects.db_manager(using).get_for_model(target) if target is not None else None
    )
    target_id = _pk(target)
    created_at = timezone.now()
    params = (
        code,
        _pk(organisation),
        _pk(target_type),
        target_id,
        _pk(actor),
        connection.ops.adapt_json_value(data, None),
        _pk(batch),
        created_at,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    event = _event_model()(
        pk=pk,
        code=code,
        organisation=organisation,
        target_type=target_type,
        target_id=target_id,
        actor=actor,
        batch=batch,
        data=data,
        created_at=created_at,
    )
    event._state.adding = False
    event._state.db = using
    return event


def _pk(instance):
    return None if instance is None else instance.pk


@functools.cache
def _event_model():
    return apps.get_model("notifications", "Event")


# The columns an event is given, and the SQL of the others in a new row.
_GIVEN = (
    "code",
    "organisation",
    "target_type",
    "target_id",
    "actor",
    "data",
    "batch",
    "created_at",
)
_NEW_ROW = {
    "is_test": "FALSE",
    "queued_at": "NULL",
    "planned_at": "NULL",
    "planning_attempts": "0",
    "planning_error": "''",
}


@functools.cache
def _insert_statement(using):
    connection = connections[using]
    meta = _event_model()._meta
    written = [meta.get_field(name) for name in (*_GIVEN, *_NEW_ROW)]
    unwritten = [f.name for f in meta.concrete_fields if f not in written and not f.primary_key]
    if unwritten:  # a column added to Event needs its place here
        raise ImproperlyConfigured(f"The outbox's INSERT leaves out Event columns: {unwritten}")
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table),
        ", ".join(quote(field.column) for field in written),
        ", ".join(["%s"] * len(_GIVEN) + list(_NEW_ROW.values())),
    )
    returning = connection.features.can_return_columns_from_insert
    if returning:
        sql += f" RETURNING {quote(meta.pk.column)}"
    return sql, returning


def queue_planning(event_id, priority):
    """Queue `plan_event` for a stored event now; a broker error is left to the sweeper."""
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
    """With eager tasks, plan the event once the caller's transaction commits; otherwise
    the relay publishes it from the table, and the caller has nothing more to do."""
    if current_app.conf.task_always_eager:
        transaction.on_commit(lambda: queue_planning(event_id, priority))


def send_on_commit(rows):
    """Queue these deliveries once the caller's transaction commits."""
    rows = list(rows)
    if rows:
        transaction.on_commit(lambda: queue_sends(rows))


def queue_plannings(batch):
    """Queue the planning of (event id, priority) pairs now; a broker error is logged, and
    what it left is the sweeper's again."""
    try:
        publish_plannings(batch)
    except BrokerUnavailable:
        logger.exception(
            "Could not queue planning of %s events; the sweeper will retry", len(batch)
        )


def publish_plannings(batch):
    """Put (event id, priority) pairs on the broker: one `plan_events` per priority and chunk.

    Raises kombu's OperationalError if the broker refuses: the relay then keeps the events
    for its next round, rather than marking them queued.
    """
    by_priority = collections.defaultdict(list)
    for event_id, priority in batch:
        by_priority[priority].append(event_id)
    task = _task(PLAN_EVENTS)
    with current_app.producer_or_acquire() as producer:
        for priority, ids in by_priority.items():
            for start in range(0, len(ids), EVENTS_PER_MESSAGE):
                chunk = ids[start : start + EVENTS_PER_MESSAGE]
                task.apply_async((chunk,), queue=priority, producer=producer)


def _task(name):
    # notifications.apps imports the tasks module at start-up, so the registry has them.
    return current_app.tasks[name]
