"""The outbox's hand-off to the broker: the one module that queues the engine's work.

The database is the truth (DESIGN, pitfalls): an Event or a Delivery row exists
before anything is queued, so a publish that fails — the broker is down — loses
nothing, and the sweeper (`dispatch.sweep`) finds the row again by its status.

An event's planning is published by a thread of the caller's process (the
`publisher`), so saving a domain object never waits on the broker: the caller
pays for its outbox row, in its own transaction, and hands an id over once it
commits. Whatever that thread cannot publish — the broker is down, its backlog
is full, the process dies first — the sweeper queues a minute later. With
`CELERY_TASK_ALWAYS_EAGER` (tests, one-off scripts) it publishes at once instead:
an eager task runs where it is published, and must run in the caller's thread.

Tasks are named here, not imported: the modules that queue work (the domain
API, planning, sending) are themselves called by the tasks, and must not
depend on them in return.
"""

import atexit
import collections
import functools
import logging
import os
import threading
import time

from celery import current_app
from django.apps import apps
from django.conf import settings
from django.db import connections, router, transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)

PLAN_EVENT = "notifications.tasks.plan_event"
PLAN_EVENTS = "notifications.tasks.plan_events"
SEND_BATCH = "notifications.tasks.send_batch"
# Events waiting for the publisher thread; past this the broker is not keeping up
# (or is down), and new ones are left to the sweeper rather than held in memory.
BACKLOG = 10_000
# How long a process leaving normally gives its thread to publish what is left.
EXIT_FLUSH_SECONDS = 5
# The thread waits this long for more events once one arrives, and publishes them
# together: one message per priority for a burst, rather than a message each. Each
# message it builds takes the GIL from the callers; a burst of saves pays for one.
LINGER_SECONDS = 0.005
EVENTS_PER_MESSAGE = 100


def store(event):
    """Write a new Event row with one INSERT compiled once, in the caller's transaction.

    `emit` runs inside every domain save: Model.save()'s machinery (signals, which
    nothing connects for events, and compiling the statement anew each time)
    costs it as much as the database does.
    """
    using = router.db_for_write(type(event))
    connection = connections[using]
    sql, fields, returning = _insert_statement(using)
    params = [field.get_db_prep_save(field.pre_save(event, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    event.pk = pk
    event._state.adding = False
    event._state.db = using
    return event


@functools.cache
def _insert_statement(using):
    connection = connections[using]
    model = apps.get_model("notifications", "Event")
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    returning = connection.features.can_return_columns_from_insert
    if returning:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    return sql, fields, returning


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
    """Have the event's planning published once the caller's transaction commits."""
    transaction.on_commit(lambda: publisher.submit(event_id, priority))


def send_on_commit(rows):
    """Queue these deliveries once the caller's transaction commits."""
    rows = list(rows)
    if rows:
        transaction.on_commit(lambda: queue_sends(rows))


class Publisher:
    """Publishes stored events' planning from a thread of its own, off the caller's path."""

    def __init__(self, backlog=BACKLOG):
        self.backlog = backlog
        self._condition = threading.Condition()
        self._waiting = collections.deque()
        self._unfinished = 0  # submitted and not yet published (or given up)
        self._thread = None

    def submit(self, event_id, priority):
        """Hand a committed event over; its planning reaches the broker shortly."""
        if current_app.conf.task_always_eager:
            queue_planning(event_id, priority)
            return
        with self._condition:
            if self._thread is None:
                self._start()
            if len(self._waiting) >= self.backlog:
                logger.error("Publisher backlog full; event %s is left to the sweeper", event_id)
                return
            self._waiting.append((event_id, priority))
            self._unfinished += 1
            self._condition.notify()

    def flush(self, timeout=None):
        """Wait until every event submitted is on the broker (or given up); False on timeout."""
        with self._condition:
            return self._condition.wait_for(lambda: self._unfinished == 0, timeout)

    def forget(self):
        """In a forked child (gunicorn, a prefork pool): the parent's thread is not there."""
        self._condition = threading.Condition()  # the parent's thread may have held it
        self._waiting = collections.deque()  # the parent publishes those
        self._unfinished = 0
        self._thread = None

    def _start(self):
        self._thread = threading.Thread(target=self._run, name="relais-publisher", daemon=True)
        self._thread.start()

    def _run(self):
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._waiting)
            time.sleep(LINGER_SECONDS)
            with self._condition:
                batch = list(self._waiting)
                self._waiting.clear()
            try:
                _publish(batch)
            except Exception:  # the thread must outlive any one batch; the sweeper has them
                logger.exception("Publishing %s events failed; the sweeper will retry", len(batch))
            finally:
                with self._condition:
                    self._unfinished -= len(batch)
                    self._condition.notify_all()


def queue_plannings(batch):
    """Queue the planning of (event id, priority) pairs now, one `plan_events` per priority."""
    _publish(batch)


def _publish(batch):
    """Put (event id, priority) pairs on the broker: one `plan_events` per priority and chunk."""
    by_priority = collections.defaultdict(list)
    for event_id, priority in batch:
        by_priority[priority].append(event_id)
    messages = [
        (priority, ids[start : start + EVENTS_PER_MESSAGE])
        for priority, ids in by_priority.items()
        for start in range(0, len(ids), EVENTS_PER_MESSAGE)
    ]
    task = _task(PLAN_EVENTS)
    with current_app.producer_or_acquire() as producer:
        for index, (priority, ids) in enumerate(messages):
            try:
                task.apply_async((ids,), queue=priority, producer=producer)
            except BrokerUnavailable:
                left = sum(len(ids) for _priority, ids in messages[index:])
                logger.exception(
                    "Could not queue planning of %s events; the sweeper will retry", left
                )
                return  # the broker is down: the rest would fail the same way


publisher = Publisher()
os.register_at_fork(after_in_child=publisher.forget)
# A process leaving normally publishes what it has left; a killed one leaves it to the sweeper.
atexit.register(lambda: publisher.flush(EXIT_FLUSH_SECONDS))


def _task(name):
    # notifications.apps imports the tasks module at start-up, so the registry has them.
    return current_app.tasks[name]
