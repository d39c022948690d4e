"""Nothing stuck, nothing forever: whatever a send or a plan raises ends in a recorded state.

Each test lets time run on for days, with the sweeper and the due dispatcher
passing as beat would, and checks the row stays where it ended.
"""

import datetime

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

import notifications
from config.celery import app as celery_app
from notifications import dispatch, sending
from notifications.models import Delivery, Event
from notifications.tasks import send_delivery
from tests.factories import RuleFactory

pytestmark = pytest.mark.django_db
Status = Delivery.Status


class ExplodingBackend(EmailBackend):
    """A mail backend with a bug: it raises what no channel knows about."""

    calls = 0

    def send_messages(self, messages):
        ExplodingBackend.calls += 1
        raise KeyError("x-mailer")


class DyingWorker(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, not even `except Exception`."""


@pytest.fixture
def queued(frozen, appointment_factory, emit_now, plan_only):
    RuleFactory(channels=["email"])
    return emit_now("testapp.booked", appointment_factory()).deliveries.get()


def days_of_beat(time_machine, start, days=2):
    """Sweep and dispatch every half hour for `days` days (beat does it more often)."""
    moment = start
    while moment < start + datetime.timedelta(days=days):
        moment += datetime.timedelta(minutes=30)
        time_machine.move_to(moment, tick=False)
        dispatch.sweep()
        dispatch.dispatch_due()
    return moment


def never_queued_again(delivery, time_machine, start, **expected):
    """Days of beat leave the row as it ended: same status, same attempts, nothing sent."""
    days_of_beat(time_machine, start)
    delivery.refresh_from_db()
    assert {name: getattr(delivery, name) for name in expected} == expected
    assert mail.outbox == []


def test_n8_a_backend_raising_an_unknown_exception_fails_once_and_for_all(
    queued, settings, frozen, time_machine
):
    settings.EMAIL_BACKEND = "tests.notifications.test_failures.ExplodingBackend"
    ExplodingBackend.calls = 0
    send_delivery.delay(queued.pk)
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (Status.FAILED, 1)
    assert (queued.error_type, queued.last_error) == ("KeyError", "'x-mailer'")
    never_queued_again(queued, time_machine, frozen, status=Status.FAILED, attempts=1)
    assert ExplodingBackend.calls == 1


def test_n8_a_template_that_fails_while_rendering_fails_the_delivery(
    appointment_factory, emit_now, frozen, time_machine
):
    # It compiles, and passes the save-time checks; dividing by zero happens at render.
    RuleFactory(templates={"fr": ("Rappel", "{{ title|length|divisibleby:0 }}")})
    delivery = emit_now("testapp.booked", appointment_factory()).deliveries.get()
    assert delivery.status == Status.FAILED
    assert delivery.error_type == "ZeroDivisionError"
    never_queued_again(delivery, time_machine, frozen, status=Status.FAILED, attempts=1)


def test_n8_an_address_the_mail_library_refuses_fails_the_delivery(queued, frozen, time_machine):
    Delivery.objects.filter(pk=queued.pk).update(address="alice@example.test\nBcc: x@example.test")
    send_delivery.delay(queued.pk)
    queued.refresh_from_db()
    assert queued.status == Status.FAILED
    assert queued.error_type == "ValueError"
    assert "cannot contain CR or LF" in queued.last_error
    never_queued_again(queued, time_machine, frozen, status=Status.FAILED, attempts=1)


def test_n8_a_delivery_whose_worker_always_dies_fails_at_the_attempt_limit(
    queued, frozen, time_machine, monkeypatch
):
    """Each sweep hands it to a worker that dies in the send; the row counts the tries."""

    def die(ready, turns=None):
        raise DyingWorker

    monkeypatch.setattr(sending, "_transmit_all", die)  # claimed, then killed mid-batch
    monkeypatch.setattr("notifications.outbox.queue_sends", lambda rows: None)
    moment = frozen
    for attempt in range(1, sending.MAX_ATTEMPTS + 1):
        with pytest.raises(DyingWorker):
            sending.send(queued.pk)
        queued.refresh_from_db()
        assert (queued.status, queued.attempts) == (Status.SENDING, attempt)
        moment = days_of_beat(time_machine, moment, days=1)  # the lease expires; swept
        queued.refresh_from_db()
        if queued.status != Status.QUEUED:
            break
    assert (queued.status, queued.attempts) == (Status.FAILED, sending.MAX_ATTEMPTS)
    assert "gave up after" in queued.last_error
    never_queued_again(
        queued, time_machine, moment, status=Status.FAILED, attempts=sending.MAX_ATTEMPTS
    )


def test_n8_transient_errors_past_the_limit_are_failed_not_queued_again(
    queued, frozen, time_machine, monkeypatch, settings
):
    # Retries that the broker lost still count: the row, not the task, keeps the tally.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    settings.EMAIL_BACKEND = "tests.notifications.test_sending.FlakyBackend"
    from tests.notifications.test_sending import FlakyBackend

    FlakyBackend.calls, FlakyBackend.failures = 0, 1000
    Delivery.objects.filter(pk=queued.pk).update(attempts=sending.MAX_ATTEMPTS - 1)
    sending.send(queued.pk)  # no TransientFailure: nothing asks for a retry
    queued.refresh_from_db()
    assert queued.status == Status.FAILED
    assert "gave up after 6 attempts" in queued.last_error
    never_queued_again(queued, time_machine, frozen, status=Status.FAILED, attempts=6)


def test_n8_an_event_whose_planning_keeps_raising_is_retried_a_few_times_then_left(
    appointment_factory, frozen, time_machine, monkeypatch, django_capture_on_commit_callbacks
):
    RuleFactory()
    calls = []
    real_plan = dispatch.plan

    def broken_plan(event):
        if event.code != "testapp.booked":
            return real_plan(event)
        calls.append(event.pk)
        raise RuntimeError("a resolver with a bug")

    monkeypatch.setattr(dispatch, "plan", broken_plan)
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    with django_capture_on_commit_callbacks(execute=True):
        event = notifications.emit("testapp.booked", appointment_factory())
    with django_capture_on_commit_callbacks(execute=True):
        days_of_beat(time_machine, frozen)
    event.refresh_from_db()
    assert len(calls) == dispatch.MAX_PLANNING_ATTEMPTS
    assert event.planning_attempts == dispatch.MAX_PLANNING_ATTEMPTS
    assert event.planning_error == "RuntimeError: a resolver with a bug"
    assert event.planned_at is None
    assert not Event.objects.filter(pk=event.pk, deliveries__isnull=False).exists()
