"""A worker SIGKILLed three times mid-run loses nothing and doubles little (DESIGN, pitfalls).

What a kill leaves behind, and what brings it back:
- tasks the worker had taken stay unacknowledged in Redis (back after the
  broker's visibility timeout, an hour); their rows wait as `queued`;
- the rows it was sending stay `sending`, whether or not the provider got them;
- the sweeper (beat) re-queues both once their grace and lease have passed.
Only a row whose email left before the kill can go out twice. A batch records
its outcomes together, once its provider calls are done, so a kill can leave
every email of the batches in flight sent but not recorded: at most one batch
(RELAIS_SEND_BATCH_SIZE) per worker thread per kill (SPEC N-21). An email the
kill cut short (its request never fully reached the provider) was not sent:
the provider counts it apart.
"""

import collections
import datetime
import time

import pytest
from django.utils import timezone

import notifications
from config.celery import app as celery_app
from notifications import dispatch
from notifications.models import Delivery
from tests.reliability import worker_settings
from tests.reliability.conftest import emails_received
from tests.reliability.processes import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGES = 2000
CONCURRENCY = 4
KILL_AFTER = (300, 800, 1300)  # emails received by the provider before each kill


def test_n8_n21_a_killed_worker_loses_nothing_and_doubles_at_most_its_batches_in_flight(
    snow_alert, start_worker, provider, broker, capsys
):
    appointment = snow_alert(MESSAGES)
    worker = start_worker(concurrency=CONCURRENCY)
    notifications.emit("testapp.booked", appointment)  # the worker plans, then sends
    for threshold in KILL_AFTER:
        wait_for(
            lambda threshold=threshold: len(provider.received) >= threshold,
            90,
            f"{threshold} sends never came",
        )
        worker.kill()
        worker.start()

    _wait_until_idle(provider, broker)
    # Beat's sweeper, ten minutes on: stuck `sending` rows and forgotten `queued` ones go again.
    later = timezone.now() + dispatch.SENDING_LEASE + dispatch.QUEUED_GRACE
    swept = dispatch.sweep(now=later + datetime.timedelta(seconds=1))
    deliveries = Delivery.objects.filter(event__target_id=appointment.pk)
    wait_for(
        lambda: deliveries.filter(status=Delivery.Status.SENT).count() == MESSAGES,
        90,
        f"not every delivery was sent: {_statuses(deliveries)} ({provider.cut} requests cut)",
    )

    received = collections.Counter(emails_received(provider))
    duplicates = sum(count - 1 for count in received.values())
    summary = (
        f"{len(KILL_AFTER)} kills, swept {swept}: {duplicates} duplicate emails, "
        f"{provider.cut} requests cut short by a kill (not counted as sent)"
    )
    with capsys.disabled():  # shown in CI's output, pass or fail
        print(f"\n{summary}")
    addresses = set(deliveries.values_list("address", flat=True))
    missing = addresses - set(received)
    assert not missing, f"{len(missing)} addresses never received an email; {summary}"
    assert set(received) <= addresses, summary
    in_flight = CONCURRENCY * worker_settings.RELAIS_SEND_BATCH_SIZE  # per kill, at most
    assert duplicates <= in_flight * len(KILL_AFTER), summary


def _wait_until_idle(provider, broker, timeout=120):
    """Until the restarted worker has done all it can: no task waiting in the queues,
    none taken, running or held for later by the worker, and no request arriving.

    Asked of the worker itself rather than guessed from a pause in the requests:
    on a loaded machine a live worker can pause for seconds, and a sweep run while
    it still sends re-queues rows it is sending (so sends them twice).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = len(provider.received)
        idle = _worker_idle() and broker.queued() == 0 and _worker_idle()
        if idle and len(provider.received) == before:
            return
        time.sleep(0.2)
    raise AssertionError(
        f"the worker never finished ({len(provider.received)} emails received, "
        f"{broker.queued()} tasks queued, {provider.cut} requests cut)"
    )


def _worker_idle():
    """True if the one live worker answers and has no task reserved, active or scheduled."""
    inspect = celery_app.control.inspect(timeout=2)
    answers = [inspect.reserved(), inspect.active(), inspect.scheduled()]
    if any(not answer for answer in answers):
        return False  # no answer in time (a busy machine): ask again
    return all(not tasks for answer in answers for tasks in answer.values())


def _statuses(deliveries):
    return dict(collections.Counter(deliveries.values_list("status", flat=True)))
