"""Appointments confirmed by payment (SPEC B-11): they wait for the bookings' payment flow
(B-3: the provider's signed callback), in direct and in manual-acceptance mode; unpaid by
the deadline, they are released, the client told, and the slot offered to the next one."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from bookings import links, payments
from bookings.models import Booking, Service, WaitlistOffer
from bookings.services import appointments, waitlists
from bookings.services import bookings as booking_services
from tests.bookings.conftest import (
    CLIENT,
    NOW,
    TUESDAY_10,
    deliveries,
    emails_to,
    has_ics,
    ics_of,
)

pytestmark = pytest.mark.django_db
Status = Booking.Status
CALLBACK = "/bookings/payments/callback/"
MINUTE = datetime.timedelta(minutes=1)


def pay(booking, reference):
    body = payments.payload_for(booking, reference)
    return Client().post(
        CALLBACK, data=body, content_type="application/json",
        HTTP_X_RELAIS_SIGNATURE=payments.sign(body),
    )  # fmt: skip


@pytest.fixture
def paid_cut(salon):
    cut = salon["cut"]
    cut.requires_payment = True
    cut.save()
    return cut


def test_b11_booked_it_waits_for_the_payment_then_the_callback_confirms_it(
    salon, paid_cut, frozen, on_commit
):
    with on_commit():
        booking = appointments.book_online(paid_cut, salon["lea"], TUESDAY_10, CLIENT).booking
    assert (booking.status, booking.price) == (Status.AWAITING_PAYMENT, Decimal("35.00"))
    assert booking.pay_by == NOW + 60 * MINUTE
    [asked] = emails_to("zoe@example.test")
    assert asked.subject.startswith("Rendez-vous à confirmer par paiement\u00a0: Coupe le mardi")
    assert (
        "paiement de 35,00\u00a0€, à régler avant le lundi 30 novembre 2026 à 09:00" in asked.body
    )
    assert links.manage_url(booking) in asked.body
    assert not emails_to("lea@example.test")  # nothing holds yet for the staff member
    with on_commit():
        assert pay(booking, "PSP-7").json() == {"status": "confirmed"}
    booking.refresh_from_db()
    assert (booking.status, booking.payment_reference) == (Status.CONFIRMED, "PSP-7")
    [confirmed] = emails_to("zoe@example.test")[1:]
    assert "Nous avons bien reçu votre paiement de 35,00\u00a0€" in confirmed.body
    assert has_ics(confirmed)
    [staff] = emails_to("lea@example.test")
    assert staff.subject.startswith("Nouveau rendez-vous (payé)\u00a0: Zoé Petit")
    assert deliveries("bookings.appointment_confirmed", status="scheduled").exists()  # reminders


def test_b11_accepted_in_manual_mode_it_then_waits_for_the_payment_made_from_its_page(
    salon, lea, frozen, on_commit, client, settings
):
    settings.BOOKINGS_FAKE_PAYMENTS = True
    consult = salon["consult"]
    consult.price, consult.requires_payment = Decimal("20.00"), True
    consult.save()
    with on_commit():
        booking = appointments.book_online(consult, salon["lea"], TUESDAY_10, CLIENT).booking
        assert booking.status == Status.PENDING_APPROVAL and booking.pay_by is None
        booking_services.approve(booking, lea)
    assert (booking.status, booking.pay_by) == (Status.AWAITING_PAYMENT, NOW + 60 * MINUTE)
    accepted = next(m for m in emails_to("zoe@example.test") if "accepté" in m.subject)
    assert "paiement de 20,00\u00a0€, à régler avant le lundi 30 novembre 2026 à 09:00" in (
        accepted.body
    )
    page = links.manage_url(booking).removeprefix(settings.SITE_URL)
    assert "avant le lundi 30 novembre 2026, 09:00" in client.get(page).content.decode()
    with on_commit():
        client.post(page, {"action": "pay"})
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED and booking.payment_reference.startswith("dev-")


def test_b11_unpaid_by_the_deadline_it_is_released_told_and_offered_to_the_next_waiting(
    salon, paid_cut, frozen, time_machine, on_commit
):
    with on_commit():
        booking = appointments.book_online(paid_cut, salon["lea"], TUESDAY_10, CLIENT).booking
    waitlists.join(
        paid_cut, {"name": "Yann", "email": "yann@example.test"}, wanted_start=TUESDAY_10
    )
    time_machine.move_to(booking.pay_by - MINUTE, tick=False)
    assert appointments.release_unpaid() == 0  # still in time
    time_machine.move_to(booking.pay_by, tick=False)
    with on_commit():
        assert appointments.release_unpaid() == 1
    booking.refresh_from_db()
    assert booking.status == Status.UNPAID_RELEASED and not booking.is_active
    [released] = emails_to("zoe@example.test")[1:]
    assert released.subject.startswith("Rendez-vous libéré, faute de paiement\u00a0: Coupe")
    assert ics_of(released)[0] == "CANCEL"  # off the client's calendar
    offer = WaitlistOffer.objects.get()
    assert offer.entry.email == "yann@example.test"
    with on_commit():  # the slot claimed from the waitlist waits for its payment too
        claimed = waitlists.claim(offer)
    assert (claimed.status, claimed.price) == (Status.AWAITING_PAYMENT, Decimal("35.00"))
    assert claimed.pay_by == booking.pay_by + 60 * MINUTE
    [changed] = [m for m in emails_to("yann@example.test") if "Modification" in m.subject]
    assert "Maintenant\u00a0: en attente de paiement, le mardi 1 décembre 2026" in changed.body
    assert "à régler avant le lundi 30 novembre 2026 à 10:00" in changed.body
    # A payment arriving after the release is refused and changes nothing.
    assert pay(booking, "PSP-late").status_code == 409
    booking.refresh_from_db()
    assert booking.status == Status.UNPAID_RELEASED and appointments.release_unpaid() == 0


def test_b11_a_service_confirmed_by_payment_needs_a_price(salon):
    free = Service(organisation=salon["page"].organisation, name="Conseil", duration_minutes=15)
    free.requires_payment = True
    with pytest.raises(ValidationError, match="doit avoir un prix"):
        free.full_clean()
