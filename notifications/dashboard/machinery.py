"""Is the machinery alive (SPEC P-4): beat's last tick, the relay, workers, the queue's oldest.

The same checks as the health endpoint (config/health.py, SPEC P-6), said for a manager.
"""

import dataclasses
import datetime

from config import health
from notifications.models import Delivery


@dataclasses.dataclass(frozen=True)
class Machinery:
    last_tick: datetime.datetime | None
    beat_ok: bool
    relay_ok: bool
    workers_ok: bool | None  # None: this broker cannot be asked (a development machine)
    oldest_queued: datetime.datetime | None
    queued_url: str

    @property
    def ok(self):
        return self.beat_ok and self.relay_ok and self.workers_ok is not False


def machinery(scope):
    """How the machinery is doing, and the oldest message of `scope` waiting for a worker."""
    last_tick = health.last_beat_tick()
    queued = scope.rows(Delivery).filter(status=Delivery.Status.QUEUED).order_by("created_at")
    oldest = queued.values_list("created_at", flat=True).first()
    return Machinery(
        last_tick=last_tick,
        beat_ok=health.beat_is_ticking(last_tick),
        relay_ok=health.relay_keeps_up(),
        workers_ok=health.workers_answer(),
        oldest_queued=oldest,
        queued_url=scope.log(status__exact=Delivery.Status.QUEUED),
    )
