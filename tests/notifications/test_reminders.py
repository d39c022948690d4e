"""Reminders are scheduled deliveries dispatched by beat (SPEC N-9)."""

import datetime
import zoneinfo

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


def test_n19_a_reminder_planned_late_but_before_its_anchor_still_goes(
    appointment_factory, emit_now, frozen, plan_only
):
    RuleFactory(anchor="start", offset_minutes=-60)
    event = emit_now(
        "testapp.booked", appointment_factory(start=frozen + datetime.timedelta(minutes=30))
    )
    assert event.deliveries.get().status == Status.QUEUED  # late, yet of use: sent now


def test_n19_a_reminder_planned_after_its_anchor_is_cancelled_as_expired(
    appointment_factory, emit_now, frozen
):
    RuleFactory(anchor="start", offset_minutes=-60)
    event = emit_now(
        "testapp.booked", appointment_factory(start=frozen - datetime.timedelta(minutes=1))
    )
    delivery = event.deliveries.get()
    assert (delivery.status, delivery.reason) == (Status.CANCELLED, planning.EXPIRED)
    assert mail.outbox == []


def test_n19_a_reminder_held_back_past_its_anchor_by_an_outage_is_never_sent(
    appointment_factory, emit_now, frozen, time_machine, django_capture_on_commit_callbacks
):
    RuleFactory(anchor="start", offset_minutes=-60)
    start = frozen + 3 * HOUR
    delivery = emit_now("testapp.booked", appointment_factory(start=start)).deliveries.get()
    assert delivery.status == Status.SCHEDULED
    time_machine.move_to(start + datetime.timedelta(minutes=5), tick=False)  # beat was down
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.dispatch_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.reason) == (Status.CANCELLED, planning.EXPIRED)
    assert mail.outbox == []


def test_n19_a_message_after_its_anchor_is_sent_at_most_an_hour_late(
    appointment_factory, emit_now, frozen, time_machine, django_capture_on_commit_callbacks
):
    RuleFactory(anchor="created", offset_minutes=10)
    on_time = emit_now("testapp.booked", appointment_factory()).deliveries.get()
    late = emit_now("testapp.booked", appointment_factory(title="Couleur")).deliveries.get()
    time_machine.move_to(frozen + datetime.timedelta(minutes=50), tick=False)
    Delivery.objects.filter(pk=late.pk).update(send_at=frozen - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.dispatch_due()
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert on_time.status == Status.SENT  # 40 min late: still sent
    assert (late.status, late.reason) == (Status.CANCELLED, planning.EXPIRED)


@pytest.mark.parametrize(
    ("zone", "start", "one_day_before", "twenty_four_hours_before"),
    [
        # Paris leaves summer time on 25 October 2026, Toronto on 1 November.
        ("Europe/Paris", (2026, 10, 25, 10), (2026, 10, 24, 10), (2026, 10, 24, 11)),
        ("America/Toronto", (2026, 11, 1, 10), (2026, 10, 31, 10), (2026, 10, 31, 11)),
    ],
)
def test_n19_days_keep_the_wall_clock_and_hours_are_elapsed_time(
    appointment_factory, emit_now, organisation, plan_only, time_machine,
    zone, start, one_day_before, twenty_four_hours_before,
):  # fmt: skip
    time_machine.move_to(datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC), tick=False)
    organisation.time_zone = zone
    organisation.save()
    local = zoneinfo.ZoneInfo(zone)
    by_day = RuleFactory(anchor="start", offset_minutes=-1440, offset_unit="days")
    by_hours = RuleFactory(anchor="start", offset_minutes=-1440, offset_unit="hours")
    event = emit_now(
        "testapp.booked", appointment_factory(start=datetime.datetime(*start, tzinfo=local))
    )
    sent = {d.rule_id: d.send_at.astimezone(local) for d in event.deliveries.all()}
    assert sent[by_day.pk] == datetime.datetime(*one_day_before, tzinfo=local)
    assert sent[by_hours.pk] == datetime.datetime(*twenty_four_hours_before, tzinfo=local)


def test_n9_dispatch_due_runs_every_minute_from_beat(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="notifications.tasks.dispatch_due")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")
    assert PeriodicTask.objects.filter(task="notifications.tasks.sweep", enabled=True).exists()
