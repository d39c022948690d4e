"""The health endpoint (P-6): each part of the machinery, and each one down is reported —
by name only, never with an error's text (it may name a host)."""

import datetime
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

import notifications
from config import health
from notifications.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh():
    health.forget()
    yield
    health.forget()


@pytest.fixture
def beat_ticked():
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name="Relais: send due reminders",
        defaults={
            "task": "notifications.tasks.dispatch_due",
            "interval": every_minute,
            "last_run_at": timezone.now() - datetime.timedelta(minutes=1),
        },
    )


def report(client):
    response = client.get("/health/?format=json")
    return response.status_code, response.json()


def failing(body):
    return {name for name, status in body.items() if status != "OK"}


@pytest.fixture
def workers_answer():
    """No worker runs beside the tests: the ping's answer is the broker's part of it."""
    with mock.patch("health_check.contrib.celery.Ping.run", return_value=None):
        yield


def test_p6_everything_working_answers_200(client, beat_ticked, workers_answer):
    status, body = report(client)
    assert status == 200, body
    names = " ".join(body)
    for part in ("Database", "Cache", "Broker", "Beat", "Relay"):
        assert part in names


def test_p6_the_database_down_is_reported_without_its_error(client, beat_ticked, workers_answer):
    refused = OperationalError('connection to server at "10.0.0.7", port 5432 failed')
    # Patched on the class: the check runs on a connection of its own thread.
    wrapper = type(connections["default"])
    with mock.patch.object(wrapper, "temporary_connection", side_effect=refused):
        status, body = report(client)
    assert status == 503
    assert any("Database" in name for name in failing(body))
    assert "10.0.0.7" not in str(body)
    assert failing_statuses(body) == ["Unavailable: see the server's log"]


def failing_statuses(body):
    return [status for status in body.values() if status != "OK"]


def test_p6_a_cache_that_loses_what_it_is_given_is_reported(
    client, settings, beat_ticked, workers_answer
):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    status, body = report(client)
    assert status == 503
    assert any("Cache" in name for name in failing(body))


def test_p6_the_broker_down_is_reported(client, beat_ticked, workers_answer):
    from celery import current_app

    with mock.patch.object(current_app, "connection_for_write", side_effect=OSError("refused")):
        status, body = report(client)
    assert status == 503
    assert any("Broker" in name for name in failing(body))


def test_p6_workers_not_answering_are_reported(client, beat_ticked):
    from celery import current_app

    with mock.patch.object(current_app.control, "ping", return_value=[]):
        [ping] = [c for c in health.checks() if c == "health_check.contrib.celery.Ping"] or [None]
        if ping is None:
            pytest.skip("the filesystem broker cannot broadcast a ping: no worker check there")
        status, body = report(client)
    assert status == 503
    assert any("Ping" in name for name in failing(body))


def test_p6_beat_not_ticking_is_reported(client, beat_ticked, workers_answer):
    PeriodicTask.objects.update(last_run_at=timezone.now() - datetime.timedelta(minutes=30))
    status, body = report(client)
    assert status == 503
    assert failing(body) == {next(name for name in body if "Beat" in name)}


def test_p6_events_waiting_for_the_relay_are_reported(
    client, beat_ticked, workers_answer, time_machine
):
    from celery import current_app

    from tests.factories import OrganisationFactory

    current_app.conf.task_always_eager = False  # as in production: the relay queues
    try:
        event = notifications.emit("testapp.daily_recap", OrganisationFactory())
    finally:
        current_app.conf.task_always_eager = True
    assert Event.objects.get(pk=event.pk).queued_at is None
    assert report(client)[0] == 200  # just committed: the relay has a minute
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=2))
    health.forget()
    PeriodicTask.objects.update(last_run_at=timezone.now())
    status, body = report(client)
    assert status == 503
    assert failing(body) == {next(name for name in body if "Relay" in name)}


def test_p6_one_answer_serves_a_flood_of_callers(client, beat_ticked, workers_answer):
    from celery import current_app

    with mock.patch.object(current_app, "connection_for_write") as connect:
        for _ in range(5):
            client.get("/health/?format=json")
    assert connect.call_count == 1
