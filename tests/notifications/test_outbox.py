"""emit stores the event with the change; the sweeper recovers what the broker lost (SPEC N-8)."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from kombu.exceptions import OperationalError

import notifications
from notifications import dispatch, outbox, relay
from notifications.events import UnknownEvent
from notifications.models import Delivery, Event
from notifications.tasks import plan_event, plan_events, send_delivery
from tests.factories import RuleFactory
from tests.notifications.conftest import NOW

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


# The relay: planning reaches the broker from a process of its own, off the caller's path ---


@pytest.fixture
def not_eager():
    """Tasks published to a broker, as in production, rather than run where they are queued."""
    from celery import current_app

    current_app.conf.task_always_eager = False
    yield
    current_app.conf.task_always_eager = True


@pytest.fixture
def publishing(not_eager, monkeypatch):
    """The broker as the relay reaches it: every `plan_events` message recorded."""
    published = []

    def apply_async(args, queue=None, producer=None, **options):
        published.append((args[0], queue))

    monkeypatch.setattr(plan_events, "apply_async", apply_async)
    return published


def test_n8_emit_stores_the_event_and_leaves_the_broker_to_the_relay(
    appointment_factory, publishing, django_capture_on_commit_callbacks
):
    appointment = appointment_factory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        event = notifications.emit("testapp.booked", appointment, note="x")
    assert callbacks == [] and publishing == []  # nothing more on the caller's path
    stored = Event.objects.get(pk=event.pk)
    assert (stored.code, stored.target, stored.data, stored.queued_at, stored.planned_at) == (
        "testapp.booked", appointment, {"note": "x"}, None, None,
    )  # fmt: skip
    assert stored.created_at is not None and stored.organisation == appointment.organisation


def test_n8_emit_returns_the_row_it_stored_column_for_column(appointment_factory, alice):
    """The outbox writes its INSERT by hand (no save()): each column must hold what the
    model's defaults say, and the event returned must be the row stored."""
    appointment = appointment_factory()
    with transaction.atomic():
        event = notifications.emit("testapp.booked", appointment, actor=alice, note="x")
    stored = Event.objects.get(pk=event.pk)
    new = Event()  # the model's own defaults for a new row
    for field in Event._meta.concrete_fields:
        assert getattr(event, field.attname) == getattr(stored, field.attname), field.name
    assert (stored.is_test, stored.planning_attempts, stored.planning_error, stored.batch) == (
        new.is_test, new.planning_attempts, new.planning_error, None,
    )  # fmt: skip
    assert (stored.actor, stored.target_type.model_class()) == (alice, type(appointment))
    assert not event._state.adding


@pytest.fixture
def fixtures_planned(alice, organisation):
    """What the fixtures emitted (a member joined) is not the relay tests' business."""
    Event.objects.update(planned_at=NOW)


def test_n8_the_relay_queues_each_event_once_in_one_message_per_priority(
    appointment_factory, publishing, frozen, fixtures_planned
):
    booked = [notifications.emit("testapp.booked", appointment_factory()) for _ in range(2)]
    alert = notifications.emit("testapp.alert", appointment_factory())
    assert relay.relay_once() == 3
    assert sorted(publishing) == sorted(
        [([booked[0].pk, booked[1].pk], "high"), ([alert.pk], "bulk")]
    )
    assert set(Event.objects.exclude(planned_at=NOW).values_list("queued_at", flat=True)) == {
        frozen
    }
    assert relay.relay_once() == 0 and len(publishing) == 2  # queued: never again


def test_n8_the_relay_takes_a_burst_in_rounds_oldest_first(
    appointment_factory, publishing, time_machine, frozen, fixtures_planned
):
    events = []
    for minute in range(5):
        time_machine.move_to(frozen + datetime.timedelta(minutes=minute), tick=False)
        events.append(notifications.emit("testapp.booked", appointment_factory()))
    assert relay.relay_once(limit=2) == 2
    assert relay.relay_once(limit=2) == 2
    assert relay.relay_once(limit=2) == 1
    assert [ids for ids, _queue in publishing] == [
        [events[0].pk, events[1].pk], [events[2].pk, events[3].pk], [events[4].pk],
    ]  # fmt: skip


def test_n8_a_broker_refusing_the_relay_keeps_the_events_for_its_next_round(
    appointment_factory, publishing, monkeypatch, fixtures_planned
):
    event = notifications.emit("testapp.booked", appointment_factory())
    recorded = plan_events.apply_async

    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(plan_events, "apply_async", broker_down)
    with pytest.raises(OperationalError):
        relay.relay_once()
    assert Event.objects.get(pk=event.pk).queued_at is None  # not marked: nothing lost
    monkeypatch.setattr(plan_events, "apply_async", recorded)
    assert relay.relay_once() == 1
    assert publishing == [([event.pk], "high")]


def test_n8_the_relay_loop_waits_out_a_broker_outage(monkeypatch, caplog):
    """The loop logs the refusal and backs off instead of spinning or dying."""
    rounds = []

    def refused():
        rounds.append("refused")
        if len(rounds) == 3:
            loop.stop()
        raise OperationalError("connection refused")

    loop = relay.Relay(interval=0)
    monkeypatch.setattr(relay, "relay_once", refused)
    monkeypatch.setattr(relay, "BACKOFF_SECONDS", 0.001)
    loop.run()  # returns once stopped
    assert rounds == ["refused"] * 3
    assert "The broker refused the relay's events" in caplog.text


def test_n8_with_eager_tasks_emit_plans_at_commit(
    appointment_factory, django_capture_on_commit_callbacks
):
    """Tests and one-off scripts run tasks where they are queued: no relay needed there."""
    RuleFactory()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = notifications.emit("testapp.booked", appointment_factory())
        assert Event.objects.get(pk=event.pk).planned_at is None  # not before commit
    assert Event.objects.get(pk=event.pk).planned_at is not None


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
