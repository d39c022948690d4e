"""emit stores the event with the change; the sweeper recovers what the broker lost (SPEC N-8)."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import transaction
from kombu.exceptions import OperationalError

import notifications
from notifications import dispatch, outbox
from notifications.events import UnknownEvent
from notifications.models import Delivery, Event
from notifications.tasks import plan_event, plan_events, send_delivery
from tests.factories import RuleFactory

pytestmark = pytest.mark.django_db
Status = Delivery.Status


def test_n8_event_is_rolled_back_with_the_change(
    appointment_factory, django_capture_on_commit_callbacks
):
    RuleFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notifications.emit("testapp.booked", appointment_factory())
                raise RuntimeError("the domain change failed")
        except RuntimeError:
            pass
    assert not Event.objects.filter(code="testapp.booked").exists()
    assert callbacks == []


def test_n8_unknown_event_is_a_clear_error(appointment_factory):
    with pytest.raises(UnknownEvent, match="Unknown event 'testapp.typo'"):
        notifications.emit("testapp.typo", appointment_factory())


def test_n8_broker_outage_keeps_the_event_for_the_sweeper(
    appointment_factory,
    emit_now,
    monkeypatch,
    frozen,
    time_machine,
    django_capture_on_commit_callbacks,
):
    RuleFactory()
    appointment = appointment_factory()
    Event.objects.update(planned_at=frozen)  # only the booking below is left to plan

    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(plan_event, "apply_async", broker_down)
    event = emit_now("testapp.booked", appointment)  # the commit still succeeds
    assert Event.objects.get(pk=event.pk).planned_at is None
    monkeypatch.undo()
    time_machine.move_to(frozen + datetime.timedelta(minutes=2), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.sweep()["events"] == 1
    assert Delivery.objects.get(event=event).status == Status.SENT
    assert len(mail.outbox) == 1


def test_n8_sweeper_requeues_deliveries_the_broker_lost(
    appointment_factory,
    emit_now,
    frozen,
    time_machine,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    RuleFactory()
    lost = []
    monkeypatch.setattr(outbox, "queue_sends", lost.extend)  # the broker drops them
    delivery = emit_now("testapp.booked", appointment_factory()).deliveries.get()
    assert delivery.status == Status.QUEUED
    monkeypatch.undo()
    time_machine.move_to(frozen + dispatch.QUEUED_GRACE + datetime.timedelta(seconds=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.sweep()["forgotten"] == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert len(mail.outbox) == 1


def test_n8_worker_killed_mid_send_gets_its_delivery_back_after_the_lease(
    appointment_factory, frozen, time_machine, django_capture_on_commit_callbacks
):
    RuleFactory()
    event = notifications.emit("testapp.booked", appointment_factory())
    dispatch.plan_event(event.pk)
    delivery = event.deliveries.get()
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.SENDING, claimed_at=frozen)
    send_delivery.delay(delivery.pk)  # the broker redelivers: the claim refuses it
    assert mail.outbox == []
    time_machine.move_to(
        frozen + dispatch.SENDING_LEASE + datetime.timedelta(seconds=1), tick=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.sweep()["expired_leases"] == 1
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert len(mail.outbox) == 1


# The publisher: planning reaches the broker from a thread, off the caller's path -----------


@pytest.fixture
def not_eager():
    """Tasks published to a broker, as in production, rather than run where they are queued."""
    from celery import current_app

    current_app.conf.task_always_eager = False
    yield
    assert outbox.publisher.flush(timeout=10)
    current_app.conf.task_always_eager = True


@pytest.fixture
def publishing(not_eager, monkeypatch):
    """The broker as the publisher thread reaches it: every publish recorded."""
    published = []

    def apply_async(args, queue=None, producer=None, **options):
        published.append((args[0], queue, threading.current_thread().name))

    monkeypatch.setattr(plan_events, "apply_async", apply_async)
    return published


def test_n8_emit_hands_planning_to_the_publisher_thread_once_committed(
    appointment_factory, publishing, django_capture_on_commit_callbacks
):
    appointment = appointment_factory()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = notifications.emit("testapp.booked", appointment, note="x")
        assert outbox.publisher.flush(timeout=10) and publishing == []  # not before commit
    assert outbox.publisher.flush(timeout=10)
    assert publishing == [([event.pk], "high", "relais-publisher")]  # testapp.booked: high
    stored = Event.objects.get(pk=event.pk)
    assert (stored.code, stored.target, stored.data, stored.planned_at) == (
        "testapp.booked", appointment, {"note": "x"}, None,
    )  # fmt: skip
    assert stored.created_at is not None and stored.organisation == appointment.organisation


def test_n8_a_publish_the_broker_refuses_is_left_to_the_sweeper(
    appointment_factory, publishing, monkeypatch, frozen, time_machine, caplog
):
    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(plan_events, "apply_async", broker_down)
    first = appointment_factory()
    outbox.publisher.submit(101, "default")
    outbox.publisher.submit(102, "default")
    assert outbox.publisher.flush(timeout=10)  # given up, not stuck
    assert "2 events; the sweeper will retry" in caplog.text
    assert first.pk  # the caller went on: nothing raised on its path


def test_n8_a_full_backlog_leaves_new_events_to_the_sweeper(not_eager, caplog):
    publisher = outbox.Publisher(backlog=0)
    publisher.submit(7, "default")
    assert publisher.flush(timeout=1)
    assert "backlog full; event 7 is left to the sweeper" in caplog.text


def test_n8_a_forked_child_starts_its_own_publisher(publishing):
    outbox.publisher.submit(5, "high")
    assert outbox.publisher.flush(timeout=10)
    outbox.publisher.forget()  # as os.fork() does in the child
    outbox.publisher.submit(6, "high")
    assert outbox.publisher.flush(timeout=10)
    assert [row[:2] for row in publishing] == [([5], "high"), ([6], "high")]


def test_n8_a_burst_goes_to_the_broker_in_one_message_per_priority(publishing):
    with outbox.publisher._condition:  # the thread is held back while the burst arrives
        for event_id, priority in [(1, "high"), (2, "bulk"), (3, "high")]:
            outbox.publisher._waiting.append((event_id, priority))
            outbox.publisher._unfinished += 1
    outbox.publisher.submit(4, "high")
    assert outbox.publisher.flush(timeout=10)
    assert sorted(row[:2] for row in publishing) == [([1, 3, 4], "high"), ([2], "bulk")]


def test_n8_events_planned_together_are_planned_each_on_its_own(
    appointment_factory, monkeypatch, django_capture_on_commit_callbacks
):
    RuleFactory()
    good = notifications.emit("testapp.booked", appointment_factory())
    bad = notifications.emit("testapp.booked", appointment_factory())
    real = dispatch.plan

    def plan(event, now=None):
        if event.pk == bad.pk:
            raise RuntimeError("a resolver broke")
        return real(event, now)

    monkeypatch.setattr(dispatch, "plan", plan)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        plan_events.delay([bad.pk, good.pk])
    assert Event.objects.get(pk=good.pk).planned_at is not None
    assert Event.objects.get(pk=bad.pk).planning_attempts == 1  # left to the sweeper
