"""Reminders are scheduled deliveries dispatched by beat (SPEC N-9)."""

import datetime

import pytest
from django.core import mail

import notifications
from notifications import dispatch, planning
from notifications.models import Delivery
from tests.factories import RuleFactory

pytestmark = pytest.mark.django_db
Status = Delivery.Status
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def reminder_rule():
    """24 h before the start, only for appointments booked 48 h or more ahead."""
    return RuleFactory(
        anchor="start", offset_minutes=-24 * 60, conditions=["created_48h_before_start"]
    )


def test_n9_reminder_is_scheduled_against_its_anchor(
    appointment_factory, reminder_rule, emit_now, frozen
):
    appointment = appointment_factory(start=frozen + 72 * HOUR)
    delivery = emit_now("testapp.booked", appointment).deliveries.get()
    assert delivery.status == Status.SCHEDULED
    assert delivery.send_at == frozen + 48 * HOUR


def test_n9_dispatch_due_sends_only_what_is_due(
    appointment_factory,
    reminder_rule,
    emit_now,
    frozen,
    time_machine,
    django_capture_on_commit_callbacks,
):
    soon = emit_now("testapp.booked", appointment_factory(start=frozen + 72 * HOUR))
    later = emit_now("testapp.booked", appointment_factory(start=frozen + 96 * HOUR))
    time_machine.move_to(frozen + 48 * HOUR, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.dispatch_due() == 1
    assert soon.deliveries.get().status == Status.SENT
    assert later.deliveries.get().status == Status.SCHEDULED
    assert len(mail.outbox) == 1


def test_n9_moved_target_moves_its_reminder(appointment_factory, reminder_rule, emit_now, frozen):
    appointment = appointment_factory(start=frozen + 72 * HOUR)
    emit_now("testapp.booked", appointment)
    appointment.start = frozen + 100 * HOUR
    appointment.save()
    notifications.target_moved(appointment)
    pending = Delivery.objects.get(status=Status.SCHEDULED)
    assert pending.send_at == frozen + 76 * HOUR
    old = Delivery.objects.get(status=Status.CANCELLED)
    assert old.reason == planning.RESCHEDULED


def test_n9_target_moved_back_revives_its_reminder(
    appointment_factory, reminder_rule, emit_now, frozen
):
    appointment = appointment_factory(start=frozen + 72 * HOUR)
    emit_now("testapp.booked", appointment)
    for start in (frozen + 100 * HOUR, frozen + 72 * HOUR):
        appointment.start = start
        appointment.save()
        notifications.target_moved(appointment)
    scheduled = Delivery.objects.filter(status=Status.SCHEDULED)
    assert [d.send_at for d in scheduled] == [frozen + 48 * HOUR]


def test_n9_cancelled_target_cancels_its_reminders(
    appointment_factory, reminder_rule, emit_now, frozen, time_machine
):
    RuleFactory(channels=["inapp"])  # an immediate message is not a reminder: it stays
    appointment = appointment_factory(start=frozen + 72 * HOUR)
    emit_now("testapp.booked", appointment)
    assert notifications.target_cancelled(appointment) == 1
    time_machine.move_to(frozen + 49 * HOUR, tick=False)
    assert dispatch.dispatch_due() == 0
    assert Delivery.objects.get(channel="email").reason == planning.TARGET_CANCELLED
    assert Delivery.objects.get(channel="inapp").status == Status.SENT


def test_n9_condition_is_checked_again_at_send_time(
    appointment_factory, emit_now, frozen, time_machine, django_capture_on_commit_callbacks
):
    RuleFactory(anchor="created", offset_minutes=10, conditions=["still_unpaid"])
    appointment = appointment_factory()
    delivery = emit_now("testapp.booked", appointment).deliveries.get()
    assert delivery.status == Status.SCHEDULED
    appointment.paid = True
    appointment.save()
    time_machine.move_to(frozen + datetime.timedelta(minutes=11), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.dispatch_due()
    delivery.refresh_from_db()
    assert delivery.status == Status.CANCELLED
    assert "still_unpaid" in delivery.reason
    assert mail.outbox == []


def test_n9_condition_on_both_sides_of_the_boundary(
    appointment_factory, reminder_rule, emit_now, frozen
):
    exactly = emit_now("testapp.booked", appointment_factory(start=frozen + 48 * HOUR))
    short = emit_now(
        "testapp.booked",
        appointment_factory(start=frozen + 48 * HOUR - datetime.timedelta(seconds=1)),
    )
    assert exactly.deliveries.get().status == Status.SCHEDULED
    assert not short.deliveries.exists()


def test_n9_a_reminder_whose_time_has_passed_is_not_sent(appointment_factory, emit_now, frozen):
    RuleFactory(anchor="start", offset_minutes=-60)
    event = emit_now(
        "testapp.booked", appointment_factory(start=frozen + datetime.timedelta(minutes=30))
    )
    delivery = event.deliveries.get()
    assert (delivery.status, delivery.reason) == (Status.CANCELLED, planning.TOO_LATE)


def test_n9_dispatch_due_runs_every_minute_from_beat(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="notifications.tasks.dispatch_due")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")
    assert PeriodicTask.objects.filter(task="notifications.tasks.sweep", enabled=True).exists()
