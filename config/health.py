"""The health endpoint (SPEC P-6): what production monitoring polls at /health/.

django-health-check runs each check and answers 200 when all pass, 503 with the
failing ones named otherwise (HTML, `?format=json`, `?format=text`, or by the
Accept header). Its own checks cover the database and the cache; the ones below
cover the rest of the machinery a message travels through:

- the broker accepts a connection;
- a worker answers a ping over the broker for each queue — by broadcast, since no
  result backend is configured (not offered on the filesystem broker, which has no
  broadcast: a development machine);
- beat ticks: its most frequent task ran lately;
- the relay keeps up: no committed event has waited a minute to be queued.

Anonymous callers get the same page as the monitoring does: names and "working"
or "unavailable", never an address, a count of rows or an error's text. The
results are kept a few seconds, so that a flood of requests pings nothing more.
"""

import dataclasses
import datetime
import threading
import time

from asgiref.sync import async_to_sync, sync_to_async
from celery import current_app
from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

# How late beat's most frequent task (every minute) may be, counting django-celery-beat
# saving its last run only every few minutes.
BEAT_LATE_AFTER = datetime.timedelta(minutes=10)
# How long a committed event may wait for the relay (which looks every 0.1 s).
RELAY_LATE_AFTER = datetime.timedelta(minutes=1)
# How long one answer serves every caller.
CACHE_SECONDS = 5


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection."""

    def run(self):
        try:
            with current_app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as error:  # kombu raises its transports' own errors
            raise ServiceUnavailable("The broker does not answer.") from error


class _OnTheRequestsConnection(HealthCheck):
    """A check that reads the database as the request does: on the request's own thread
    and connection (the library runs a plain check in a pool thread of its own)."""

    async def run(self):
        await sync_to_async(self.check, thread_sensitive=True)()

    def check(self):
        raise NotImplementedError


@dataclasses.dataclass
class Beat(_OnTheRequestsConnection):
    """celery-beat's periodic tasks run: the latest one went out lately."""

    def check(self):
        if not beat_is_ticking(last_beat_tick()):
            raise ServiceUnavailable("Beat has not run a periodic task lately.")


def last_beat_tick():
    """When beat last ran a periodic task (None: never)."""
    from django_celery_beat.models import PeriodicTask

    latest = PeriodicTask.objects.filter(enabled=True).aggregate(Max("last_run_at"))
    return latest["last_run_at__max"]


def beat_is_ticking(last_tick):
    return last_tick is not None and timezone.now() - last_tick <= BEAT_LATE_AFTER


@dataclasses.dataclass
class Relay(_OnTheRequestsConnection):
    """The relay process queues new events: none waits longer than a minute."""

    def check(self):
        if not relay_keeps_up():
            raise ServiceUnavailable("Events wait for the relay (manage.py relay_events).")


def relay_keeps_up():
    """No committed event has waited longer than RELAY_LATE_AFTER for the relay."""
    from notifications import relay

    return not relay.waiting().filter(created_at__lt=timezone.now() - RELAY_LATE_AFTER).exists()


def checks():
    """The checks for this installation's broker."""
    found = [
        "health_check.checks.Database",
        "health_check.checks.Cache",
        Broker,
        Beat,
        Relay,
    ]
    if pings_workers():
        found.append("health_check.contrib.celery.Ping")
    return found


def pings_workers():
    """Whether workers can be pinged: not over the filesystem broker, which has no broadcast."""
    return not settings.CELERY_BROKER_URL.startswith("filesystem://")


def workers_answer():
    """Whether a worker answers for each queue (None: cannot be asked on this broker).

    The endpoint's own ping, remembered as long as its results: the dashboard (SPEC P-4)
    asking at every view pings the workers no more than the endpoint does.
    """
    if not pings_workers():
        return None
    from health_check.contrib.celery import Ping

    result = async_to_sync(_Remembered(Ping()).get_result)()
    return result.error is None


class RelaisHealthView(HealthCheckView):
    checks = checks()

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500 and any(result.error for result in self.results):
            # A part of the machinery is down: 503, what load balancers and monitors expect,
            # rather than the library's 500, which says this page itself broke.
            response.status_code = 503
        return response

    def get_checks(self):
        return [_Remembered(check) for check in super().get_checks()]


# repr of a check -> (monotonic time, its last result), shared by the process's requests.
_memory = {}
_memory_lock = threading.Lock()


class _Remembered:
    """A check whose result serves every caller for CACHE_SECONDS, said in plain words.

    The library logs what went wrong (with the exception); the page says only which part
    is unavailable: an error's text may name a host or a port.
    """

    def __init__(self, check):
        self.check = check

    async def get_result(self, executor=None):
        key = repr(self.check)
        with _memory_lock:
            kept = _memory.get(key)
        if kept is not None and time.monotonic() - kept[0] < CACHE_SECONDS:
            return kept[1]
        result = await self.check.get_result(executor)
        if result.error is not None and type(self.check).__module__ != __name__:
            plain = ServiceUnavailable("see the server's log")
            result = dataclasses.replace(result, error=plain)
        with _memory_lock:
            _memory[key] = (time.monotonic(), result)
        return result


def forget():
    """Drop the kept results (tests; a deployment that just fixed something)."""
    with _memory_lock:
        _memory.clear()
