"""Who hears of what happens to a booking, with which words and which .ics (SPEC B-2 … B-9)."""

import pytest
from django.core import mail

from bookings import calendar, services
from bookings.models import Booking, CalendarCopy
from bookings.signals import BACK_OFFICE
from notifications import dispatch
from notifications.models import Delivery
from tests.bookings.conftest import (
    HOUR,
    MINUTE,
    TOMORROW_10,
    deliveries,
    emails_to,
    has_ics,
    ics_of,
)

pytestmark = pytest.mark.django_db
Status = Delivery.Status


def test_b2_a_free_booking_confirms_to_the_booker_by_push_and_email_with_the_ics(book, room, alice):
    booking = book(room, title="Point équipe")
    assert booking.status == Booking.Status.CONFIRMED
    [email] = emails_to(alice.email)
    assert email.subject == "Réservation confirmée\u00a0: Point équipe le 1 décembre 2026 à 10:00"
    assert "Votre réservation de Salle Everest est confirmée." in email.body
    assert "mardi 1 décembre 2026, de 10:00 à 11:00" in email.body  # Paris, her zone
    assert "Par Alice Durand, le 30 novembre 2026 à 08:00." in email.body  # who and when
    assert "car cette réservation est à votre nom" in email.body  # why
    method, event = ics_of(email)
    assert (method, str(event["UID"]), event["SEQUENCE"]) == ("REQUEST", calendar.uid(booking), 0)
    assert event.decoded("DTSTART") == booking.start
    assert str(event["ATTENDEE"]) == "mailto:alice@example.test"
    assert event["STATUS"] == "CONFIRMED"
    push = deliveries("bookings.booked_by_client", channel="push", user=alice).get()
    assert push.rule.default_key == "bookings.booked_by_client/booker"


def test_b2_booked_from_the_back_office_is_its_own_event_and_tells_the_manager_too(
    alice, bob, room, frozen, on_commit
):
    with on_commit():
        booking = services.book(
            alice, room, start=TOMORROW_10, end=TOMORROW_10 + HOUR, actor=bob, by=BACK_OFFICE
        )
    assert booking.booked_by == bob
    assert not deliveries("bookings.booked_by_client").exists()
    [to_alice] = emails_to(alice.email)
    [to_bob] = emails_to(bob.email)
    assert "Bob Martin a réservé Salle Everest pour Alice Durand" in to_alice.body
    # Each with their own copy of the event for their calendar.
    assert ics_of(to_alice)[0] == ics_of(to_bob)[0] == "REQUEST"
    assert str(ics_of(to_bob)[1]["ATTENDEE"]) == "mailto:bob@example.test"
    assert set(CalendarCopy.objects.values_list("recipient_key", flat=True)) == {
        f"user:{alice.pk}",
        f"user:{bob.pk}",
    }


def test_b3_a_paid_booking_awaits_payment_then_confirms_once_paid(
    book, aircraft, alice, bob, on_commit
):
    booking = book(aircraft)
    assert booking.status == Booking.Status.AWAITING_PAYMENT
    [waiting] = emails_to(alice.email)
    assert waiting.subject.startswith("Réservation en attente de paiement")
    assert "150,00\u00a0€" in waiting.body and f"/bookings/{booking.pk}/pay/" in waiting.body
    assert ics_of(waiting)[1]["STATUS"] == "TENTATIVE"
    [told] = emails_to(bob.email)  # the responsible manager
    assert told.subject == "Réservation payante\u00a0: F-GABC le 1 décembre 2026 à 10:00"
    mail.outbox.clear()
    with on_commit():
        assert services.mark_paid(booking, reference="PAY-1")
        assert not services.mark_paid(booking, reference="PAY-1")  # once
    confirmation = emails_to(alice.email)
    assert [m.subject for m in confirmation] == [
        "Réservation confirmée\u00a0: F-GABC le 1 décembre 2026 à 10:00"
    ]
    method, event = ics_of(confirmation[0])
    assert (method, event["STATUS"], event["SEQUENCE"]) == ("REQUEST", "CONFIRMED", 1)


def test_b3_the_payment_reminder_goes_10_min_after_booking_only_if_still_unpaid(
    book, aircraft, alice, time_machine, on_commit
):
    unpaid = book(aircraft)
    paid = book(aircraft, start=TOMORROW_10 + 2 * HOUR)
    reminders = deliveries("bookings.awaiting_payment", rule__default_key__endswith="/reminder")
    assert [d.send_at for d in reminders] == [unpaid.created_at + 10 * MINUTE] * 2
    with on_commit():
        services.mark_paid(paid, reference="PAY-2")
    time_machine.move_to(unpaid.created_at + 10 * MINUTE, tick=False)
    mail.outbox.clear()
    with on_commit():
        dispatch.dispatch_due()
    [reminder] = mail.outbox
    assert (
        reminder.subject == "Rappel\u00a0: paiement de votre réservation du 1 décembre 2026 à 10:00"
    )
    stopped = reminders.get(target_id=paid.pk)
    assert (stopped.status, stopped.reason) == (
        Status.CANCELLED,
        "condition no longer holds: still_unpaid",
    )


def test_b4_a_booking_to_approve_asks_the_approvers_and_tells_the_booker_it_is_received(
    book, boardroom, alice, remi
):
    booking = book(boardroom)
    assert booking.status == Booking.Status.PENDING_APPROVAL
    [asked] = emails_to(remi.email)
    assert (
        asked.subject
        == "À approuver\u00a0: Salle du conseil le 1 décembre 2026 à 10:00 (Alice Durand)"
    )
    assert "/bookings/tap/approve/" in asked.body and "/bookings/tap/reject/" in asked.body
    assert not has_ics(asked)  # approvers hold no copy of someone else's booking
    [received] = emails_to(alice.email)
    assert received.subject.startswith("Demande de réservation reçue")


def test_b4_approved_and_rejected_are_told_to_the_booker(
    book, boardroom, alice, chloe, remi, on_commit
):
    first = book(boardroom)
    second = book(boardroom, start=TOMORROW_10 + 2 * HOUR, booker=chloe)
    mail.outbox.clear()
    with on_commit():
        assert services.approve(first, remi)
        assert services.reject(second, remi, note="Réservée au CA.")
    [approved] = emails_to(alice.email)
    assert (
        approved.subject
        == "Réservation approuvée\u00a0: Salle du conseil le 1 décembre 2026 à 10:00"
    )
    assert "Par Rémi Roux" in approved.body
    assert ics_of(approved)[1]["STATUS"] == "CONFIRMED"
    [rejected] = emails_to(chloe.email)
    assert "Motif\u00a0: Réservée au CA." in rejected.body
    assert ics_of(rejected)[0] == "CANCEL"
    assert not services.approve(second, remi)  # decided already


def test_b5_services_added_tell_the_responsible_manager_and_the_booker(
    book, room, alice, bob, on_commit
):
    booking = book(room)
    mail.outbox.clear()
    with on_commit():
        services.add_add_ons(booking, alice, [(room.add_ons.get(), 2)])
    booking.refresh_from_db()
    assert booking.price == 7
    [to_bob] = emails_to(bob.email)
    [to_alice] = emails_to(alice.email)
    assert (
        "Services ajoutés à la réservation de Salle Everest de Alice Durand\u00a0: 2 × Café."
        in to_bob.body
    )
    assert (
        to_alice.subject
        == to_bob.subject
        == "Services ajoutés\u00a0: Salle Everest le 1 décembre 2026 à 10:00"
    )


def test_b6_a_move_tells_every_participant_old_and_new_times_with_an_updated_ics(
    book, room, alice, chloe, on_commit
):
    booking = book(
        room, participants=[{"user": chloe}, {"email": "guest@atlas.test", "name": "Claire"}]
    )
    mail.outbox.clear()
    with on_commit():
        services.move(booking, alice, start=TOMORROW_10 + 3 * HOUR, end=TOMORROW_10 + 4 * HOUR)
    assert deliveries("bookings.moved_by_client").exists()
    assert not deliveries("bookings.moved_by_back_office").exists()
    for address in (alice.email, chloe.email, "guest@atlas.test"):
        [moved] = emails_to(address)
        assert "Avant\u00a0: mardi 1 décembre 2026, de 10:00 à 11:00" in moved.body
        assert "Maintenant\u00a0: mardi 1 décembre 2026, de 13:00 à 14:00" in moved.body
        method, event = ics_of(moved)
        assert (method, event["SEQUENCE"], str(event["UID"])) == (
            "REQUEST",
            1,
            calendar.uid(booking),
        )
        assert str(event["ATTENDEE"]) == f"mailto:{address}"  # each their own


def test_b6_moved_from_the_back_office_is_a_distinct_event(book, room, bob, on_commit):
    booking = book(room)
    with on_commit():
        services.move(
            booking, bob, start=TOMORROW_10 + HOUR, end=TOMORROW_10 + 2 * HOUR, by=BACK_OFFICE
        )
    assert deliveries("bookings.moved_by_back_office").exists()
    assert not deliveries("bookings.moved_by_client").exists()


def test_b7_a_cancellation_reaches_everyone_with_a_cancelling_ics(
    book, room, alice, chloe, bob, on_commit
):
    booking = book(room, participants=[{"user": chloe}])
    mail.outbox.clear()
    with on_commit():
        services.cancel(booking, bob, by=BACK_OFFICE)
    assert deliveries("bookings.cancelled_by_back_office").exists()
    for person in (alice, chloe):
        [cancelled] = emails_to(person.email)
        assert (
            cancelled.subject
            == "Réservation annulée\u00a0: Salle Everest le 1 décembre 2026 à 10:00"
        )
        assert "Par Bob Martin" in cancelled.body
        method, event = ics_of(cancelled)
        assert (method, event["STATUS"], event["SEQUENCE"]) == ("CANCEL", "CANCELLED", 1)
    assert set(CalendarCopy.objects.values_list("method", flat=True)) == {"CANCEL"}


def test_b7_cancelled_by_the_client_is_a_distinct_event(book, room, alice, on_commit):
    booking = book(room)
    with on_commit():
        services.cancel(booking, alice)
    assert deliveries("bookings.cancelled_by_client").exists()
    assert not deliveries("bookings.cancelled_by_back_office").exists()


def test_b7_the_manager_who_booked_holds_a_copy_and_gets_the_cancel_too(
    alice, bob, room, frozen, on_commit
):
    with on_commit():
        booking = services.book(
            alice, room, start=TOMORROW_10, end=TOMORROW_10 + HOUR, actor=bob, by=BACK_OFFICE
        )
    with on_commit():
        services.cancel(booking, alice)
    cancel = [m for m in emails_to(bob.email) if m.subject.startswith("Réservation annulée")]
    assert [ics_of(m)[0] for m in cancel] == ["CANCEL"]


def test_b8_a_participant_added_is_the_only_one_invited(book, room, alice, chloe, on_commit):
    booking = book(room)
    mail.outbox.clear()
    with on_commit():
        services.add_participant(booking, alice, user=chloe)
    [invited] = mail.outbox
    assert invited.to == ["Chloé Bernard <chloe@example.test>"]
    assert "Alice Durand vous ajoute à la réservation de Salle Everest." in invited.body
    assert ics_of(invited)[0] == "REQUEST"


def test_b8_a_participant_removed_gets_a_cancel_for_them_alone(book, room, alice, chloe, on_commit):
    booking = book(room, participants=[{"user": chloe}])
    chloes = booking.participants.get(user=chloe)
    mail.outbox.clear()
    with on_commit():
        services.remove_participant(chloes, alice)
    [removed] = mail.outbox
    assert removed.to == ["Chloé Bernard <chloe@example.test>"]
    method, event = ics_of(removed)
    assert (method, event["SEQUENCE"]) == ("CANCEL", 1)
    # Alice's calendar keeps the booking: her copy is still a REQUEST.
    assert CalendarCopy.objects.get(recipient_key=f"user:{alice.pk}").method == "REQUEST"


def test_b8_the_booker_cannot_be_removed(book, room, alice):
    booking = book(room)
    with pytest.raises(services.BookingRefused):
        services.remove_participant(booking.participants.get(is_booker=True), alice)
