"""emit stores the event with the change; the sweeper recovers what the broker lost (SPEC N-8)."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from kombu.exceptions import OperationalError

import notifications
from notifications import dispatch, outbox
from notifications.events import UnknownEvent
from notifications.models import Delivery, Event
from notifications.tasks import plan_event, send_delivery
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
