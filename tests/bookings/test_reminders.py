"""B-9: reminders 1 h and 30 min before and at check-in time; they follow a move, drop with a
cancellation or a removed participant, are rules a manager can change, expire at the start."""

import pytest
from django.core import mail

from bookings import services
from notifications import dispatch
from notifications.models import Delivery, Rule
from tests.bookings.conftest import HOUR, MINUTE, TOMORROW_10, deliveries

pytestmark = pytest.mark.django_db
Status = Delivery.Status


def reminders(**filters):
    return deliveries("bookings.confirmed", channel="email", **filters).order_by("send_at")


def test_b9_a_confirmed_booking_plans_its_three_reminders(book, room, alice):
    booking = book(room)
    assert [(d.send_at, d.status, d.user) for d in reminders()] == [
        (booking.start - HOUR, Status.SCHEDULED, alice),
        (booking.start - 30 * MINUTE, Status.SCHEDULED, alice),
        (booking.start - 15 * MINUTE, Status.SCHEDULED, alice),  # check-in opens
    ]


def test_b9_the_bookers_reminder_carries_one_tap_answers(
    book, room, alice, time_machine, on_commit
):
    booking = book(room)
    time_machine.move_to(booking.start - HOUR, tick=False)
    mail.outbox.clear()
    with on_commit():
        dispatch.dispatch_due()
    [sent] = mail.outbox
    assert sent.subject == "Dans 1 h\u00a0: Salle Everest à 10:00"
    assert "/bookings/tap/attend/" in sent.body and "/bookings/tap/cancel/" in sent.body


def test_b9_a_pending_or_unpaid_booking_has_no_reminder_until_it_is_confirmed(
    book, aircraft, on_commit
):
    booking = book(aircraft)
    assert not reminders().exists()
    with on_commit():
        services.mark_paid(booking, reference="P")
    assert reminders().count() == 3


def test_b9_moving_the_booking_moves_its_reminders(book, room, alice, on_commit):
    booking = book(room)
    with on_commit():
        services.move(booking, alice, start=TOMORROW_10 + 2 * HOUR, end=TOMORROW_10 + 3 * HOUR)
    pending = reminders(status=Status.SCHEDULED)
    assert [d.send_at for d in pending] == [
        TOMORROW_10 + HOUR,
        TOMORROW_10 + 90 * MINUTE,
        TOMORROW_10 + 105 * MINUTE,
    ]
    assert reminders(status=Status.CANCELLED, reason="rescheduled").count() == 3


def test_b9_a_cancelled_booking_sends_no_reminder(book, room, alice, time_machine, on_commit):
    booking = book(room)
    with on_commit():
        services.cancel(booking, alice)
    assert not reminders(status=Status.SCHEDULED).exists()
    time_machine.move_to(booking.start - HOUR, tick=False)
    mail.outbox.clear()
    with on_commit():
        dispatch.dispatch_due()
    assert mail.outbox == []


def test_b9_each_participant_gets_their_own_reminder_and_a_removed_one_none(
    book, room, alice, chloe, on_commit
):
    booking = book(room, participants=[{"user": chloe}])
    assert reminders(user=chloe).count() == 3
    with on_commit():
        services.remove_participant(booking.participants.get(user=chloe), alice)
    assert not reminders(user=chloe, status=Status.SCHEDULED).exists()
    assert reminders(user=alice, status=Status.SCHEDULED).count() == 3


def test_b9_the_check_in_reminder_is_not_sent_once_checked_in(
    book, room, alice, time_machine, on_commit
):
    booking = book(room)
    time_machine.move_to(booking.start - 15 * MINUTE, tick=False)
    with on_commit():
        services.check_in(booking, alice)
        mail.outbox.clear()
        dispatch.dispatch_due()
    assert not [m for m in mail.outbox if "check-in" in m.subject]


def test_b9_the_reminders_are_rules_a_manager_can_change(book, room):
    rule = Rule.objects.get(default_key="bookings.confirmed/1h")
    rule.offset_minutes = -120
    rule.offset_unit = "hours"
    rule.save()
    booking = book(room)
    assert reminders(rule=rule).get().send_at == booking.start - 2 * HOUR


def test_b9_a_reminder_held_back_past_the_start_is_never_sent(book, room, time_machine, on_commit):
    booking = book(room)
    time_machine.move_to(booking.start + MINUTE, tick=False)
    mail.outbox.clear()
    with on_commit():
        dispatch.dispatch_due()
    assert mail.outbox == []
