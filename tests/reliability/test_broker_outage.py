"""The broker goes down: changes still commit, events wait in the outbox (SPEC N-8, DESIGN).

Redis is stopped while bookings are made. Each booking commits with its
event; the publisher thread's attempt to queue its planning fails after the
commit and is only logged.
Redis comes back empty (it kept nothing on disk), the worker reconnects, and
beat's sweeper finds the unplanned events and gets every message out, once.
"""

import collections
import datetime

import pytest
from django.db import transaction
from django.utils import timezone

import notifications
from config.celery import app as celery_app
from notifications import dispatch, outbox
from notifications.models import Delivery, Event
from tests.reliability.conftest import emails_received
from tests.reliability.processes import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

BOOKINGS = 5
GUESTS = 4


def test_n8_broker_outage_loses_no_event_and_the_sweeper_sends_everything(
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
    assert outbox.publisher.flush(timeout=60)  # it tried, off the bookings' path, and gave up
    refused = [r for r in caplog.records if r.getMessage().startswith("Could not queue planning")]
    assert sum(r.args[0] for r in refused) == BOOKINGS  # the broker really was down for each
    assert not events.exclude(planned_at=None).exists()

    broker.start()  # empty: whatever was queued before the outage is gone too
    # Beat's sweeper, a minute on: events still unplanned are queued again.
    swept = dispatch.sweep(now=timezone.now() + dispatch.UNPLANNED_GRACE + _SECOND)
    assert swept["events"] == BOOKINGS
    deliveries = Delivery.objects.filter(event__in=events)
    expected = BOOKINGS * GUESTS
    wait_for(
        lambda: deliveries.filter(status=Delivery.Status.SENT).count() == expected,
        90,
        "the sweeper did not get every message out",
    )
    received = collections.Counter(emails_received(provider))
    assert set(received) == set(deliveries.values_list("address", flat=True))
    assert set(received.values()) == {1}


_SECOND = datetime.timedelta(seconds=1)
