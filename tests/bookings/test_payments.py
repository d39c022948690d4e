"""B-3: payment stays outside Relais; a signed callback (HMAC) moves the booking on, once."""

import json

import pytest
from django.test import Client

from bookings import payments
from bookings.models import Booking
from tests.bookings.conftest import deliveries

pytestmark = pytest.mark.django_db
URL = "/bookings/payments/callback/"


def call(body, signature):
    return Client().post(
        URL, data=body, content_type="application/json", HTTP_X_RELAIS_SIGNATURE=signature
    )


def test_b3_a_signed_callback_confirms_the_booking_once(book, aircraft, on_commit):
    booking = book(aircraft)
    body = payments.payload_for(booking, "PSP-42")
    with on_commit():
        first = call(body, payments.sign(body))
        again = call(body, payments.sign(body))  # the provider retries
    assert (first.status_code, first.json()) == (200, {"status": "confirmed"})
    assert (again.status_code, again.json()) == (200, {"status": "already recorded"})
    booking.refresh_from_db()
    assert (booking.status, booking.payment_reference) == (Booking.Status.CONFIRMED, "PSP-42")
    assert deliveries("bookings.payment_received", channel="email").count() == 2  # booker, manager


@pytest.mark.parametrize("signature", ["", "0" * 64, "not-hex", payments.sign(b"another body")])
def test_b3_a_forged_callback_is_refused_and_changes_nothing(book, aircraft, signature):
    booking = book(aircraft)
    response = call(payments.payload_for(booking, "PSP-1"), signature)
    assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.status == Booking.Status.AWAITING_PAYMENT


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"[]",
        b"{",
        b'{"booking": "x", "reference": "a", "amount": "1"}',
        b'{"booking": 1}',
        b'{"booking": 1, "reference": "", "amount": "150.00"}',
    ],
)
def test_b3_a_signed_but_malformed_callback_is_a_clear_400(book, aircraft, payload):
    book(aircraft)
    assert call(payload, payments.sign(payload)).status_code == 400


def test_b3_a_wrong_amount_or_a_booking_not_awaiting_payment_changes_nothing(book, aircraft, room):
    booking = book(aircraft)
    body = json.dumps({"booking": booking.pk, "reference": "X", "amount": "1.00"}).encode()
    assert call(body, payments.sign(body)).status_code == 400
    free = book(room)
    body = payments.payload_for(free, "Y")
    assert call(body, payments.sign(body)).status_code == 409
    booking.refresh_from_db()
    assert booking.status == Booking.Status.AWAITING_PAYMENT


def test_b3_the_callback_refuses_a_get(book, aircraft):
    assert Client().get(URL).status_code == 405
