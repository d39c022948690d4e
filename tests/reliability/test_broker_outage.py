"""The broker goes down: changes still commit, events wait in the outbox (SPEC N-8, DESIGN).

Redis is stopped while bookings are made. Each booking commits with its event;
the relay's attempts to queue their planning fail and are only logged: the events
wait in the table, unqueued. Redis comes back empty (it kept nothing on disk), the
worker reconnects, the relay queues the events and every message goes out, once.
What the broker lost after the relay queued it is the sweeper's: a minute on, it
queues again whatever is still unplanned.
"""

import collections
import datetime

import pytest
from django.db import transaction
from django.utils import timezone

import notifications
from config.celery import app as celery_app
from notifications import dispatch
from notifications.models import Delivery, Event
from tests.reliability.conftest import emails_received
from tests.reliability.processes import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

BOOKINGS = 5
GUESTS = 4


def test_n8_broker_outage_loses_no_event_and_the_relay_sends_everything_once(
    snow_alert, start_worker, provider, broker, caplog
):
    start_worker()
    wait_for(lambda: celery_app.control.ping(timeout=0.5), 60, "the worker never answered")

    broker.stop()
    appointments = []
    for _booking in range(BOOKINGS):
        with transaction.atomic():  # one booking per request, as the portal makes them
            appointment = snow_alert(GUESTS)
            notifications.emit("testapp.booked", appointment)
        appointments.append(appointment)
    events = Event.objects.filter(target_id__in=[a.pk for a in appointments])
    assert events.count() == BOOKINGS
    wait_for(
        lambda: "The broker refused the relay's events" in caplog.text,
        30,
        "the relay never tried the stopped broker",
    )
    assert not events.exclude(queued_at=None).exists()  # refused: kept for the next round

    broker.start()  # empty: whatever was queued before the outage is gone too
    deliveries = Delivery.objects.filter(event__in=events)
    expected = BOOKINGS * GUESTS
    wait_for(
        lambda: deliveries.filter(status=Delivery.Status.SENT).count() == expected,
        90,
        "the relay did not get every message out",
    )
    _each_sent_once(provider, deliveries)


def test_n8_planning_the_broker_lost_after_the_relay_queued_it_is_swept_again(
    snow_alert, start_worker, provider, broker
):
    appointments = []
    for _booking in range(BOOKINGS):
        with transaction.atomic():
            appointment = snow_alert(GUESTS)
            notifications.emit("testapp.booked", appointment)
        appointments.append(appointment)
    events = Event.objects.filter(target_id__in=[a.pk for a in appointments])
    # No worker yet: the relay queues the planning, then Redis restarts empty.
    wait_for(lambda: not events.filter(queued_at=None).exists(), 30, "the relay queued nothing")
    broker.stop()
    broker.start()
    start_worker()
    wait_for(lambda: celery_app.control.ping(timeout=0.5), 60, "the worker never answered")
    assert not events.exclude(planned_at=None).exists()  # lost with the broker's memory

    # Beat's sweeper, a minute on: events still unplanned are queued again.
    swept = dispatch.sweep(now=timezone.now() + dispatch.UNPLANNED_GRACE + _SECOND)
    assert swept["events"] == BOOKINGS
    deliveries = Delivery.objects.filter(event__in=events)
    wait_for(
        lambda: deliveries.filter(status=Delivery.Status.SENT).count() == BOOKINGS * GUESTS,
        90,
        "the sweeper did not get every message out",
    )
    _each_sent_once(provider, deliveries)


def _each_sent_once(provider, deliveries):
    received = collections.Counter(emails_received(provider))
    assert set(received) == set(deliveries.values_list("address", flat=True))
    assert set(received.values()) == {1}


_SECOND = datetime.timedelta(seconds=1)
