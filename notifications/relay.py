"""The relay: puts the outbox's new events on the broker, from a process of its own.

`emit` writes an Event row in the caller's transaction and returns: the caller pays
for that row and nothing else (bench/emit_overhead.py). This loop, run by
`manage.py relay_events` beside the workers (Procfile), takes the committed events
not queued yet, oldest first, from the index of the events in flight
(`event_unplanned`), publishes their planning — one `plan_events` message per
priority for a burst — and marks them queued, in one transaction:

- an event is seen only once committed, so planning never races its own transaction;
- the broker refusing rolls the round back: the events stay unqueued, and the next
  round (after a back-off) tries them again — nothing is lost while the broker is down;
- a crash between the publish and the commit publishes those events again next round:
  planning is idempotent (`plan_event` plans an event once; deliveries have unique keys);
- several relays (two deployments overlapping) share the work on PostgreSQL: the round's
  rows are locked, skip-locked for the others.

Why a poll and not LISTEN/NOTIFY: a NOTIFY in the caller's transaction takes a lock at
commit that serialises every committing transaction of the database, which is the cost
the caller must not pay. Polling an index that holds only the events in flight costs
one cheap query per interval (RELAIS_RELAY_INTERVAL, 0.1 s) when nothing happens.
Events that a relay queued and the broker then lost (Redis restarted empty) are the
sweeper's (`dispatch.sweep`): it queues again whatever is still unplanned after a minute.
"""

import logging
import threading

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from notifications.events import priority_of
from notifications.models import Event
from notifications.outbox import publish_plannings

logger = logging.getLogger(__name__)

# Events one round takes: a burst of saves is on the broker in a few rounds.
ROUND = 500
# After a failure (broker or database down), wait this long, doubling up to the cap.
BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 10


def waiting():
    """Committed events the relay has not queued yet (and nothing has planned)."""
    return Event.objects.filter(planned_at=None, queued_at=None)


def relay_once(limit=ROUND, now=None):
    """Queue the planning of up to `limit` committed events not queued yet; return how many.

    Raises the broker's error (nothing is marked queued then) or the database's.
    """
    unqueued = waiting()
    # Looked at first outside a transaction: an idle poll takes no lock (on SQLite every
    # transaction that may write takes the database's one write lock).
    if not unqueued.exists():
        return 0
    with transaction.atomic():
        rows = list(
            unqueued.select_for_update(skip_locked=True)
            .order_by("created_at")
            .values_list("pk", "code")[:limit]
        )
        if not rows:
            return 0
        publish_plannings([(pk, priority_of(code)) for pk, code in rows])
        Event.objects.filter(pk__in=[pk for pk, _code in rows]).update(
            queued_at=now or timezone.now()
        )
    return len(rows)


class Relay:
    """The loop around `relay_once`, until `stop()`: run it in a process (the management
    command) or, in tests, in a thread of their own (`start()`)."""

    def __init__(self, interval=None):
        self.interval = settings.RELAIS_RELAY_INTERVAL if interval is None else interval
        self._stopping = threading.Event()
        self._thread = None

    def run(self):
        failures = 0
        while not self._stopping.is_set():
            queued = self._round()
            if queued is None:
                failures += 1
                self._stopping.wait(min(BACKOFF_SECONDS * 2 ** (failures - 1), MAX_BACKOFF_SECONDS))
                continue
            failures = 0
            if queued < ROUND:  # a full round means more are waiting: no pause then
                self._stopping.wait(self.interval)
        connection.close()

    def _round(self):
        """One `relay_once`; None when the broker or the database failed (logged)."""
        close_old_connections()  # a connection the database dropped is replaced
        try:
            return relay_once()
        except BrokerUnavailable:
            logger.warning("The broker refused the relay's events; they wait for the next try")
        except DatabaseError:
            logger.exception("The relay lost the database; it tries again shortly")
            connection.close()
        return None

    def start(self):
        self._thread = threading.Thread(target=self.run, name="relais-relay", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout=10):
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
