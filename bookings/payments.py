"""Payment stays outside Relais (SPEC B-3): the provider calls back, signed, and the booking
moves on. The callback is refused without a valid HMAC signature of its exact body,
and a payment told twice is recorded once.

Body: {"booking": <id>, "reference": "<the provider's payment id>", "amount": "25.00"}
Header: X-Relais-Signature: hex HMAC-SHA256 of the body with BOOKINGS_PAYMENT_SECRET.
"""

import dataclasses
import hashlib
import hmac
import json
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings

from bookings import services
from bookings.models import Booking

SIGNATURE_HEADER = "X-Relais-Signature"


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    text: str


def sign(body: bytes) -> str:
    return hmac.new(settings.BOOKINGS_PAYMENT_SECRET.encode(), body, hashlib.sha256).hexdigest()


def payload_for(booking, reference):
    """The body a provider sends for this booking's payment (the development page's too)."""
    data = {"booking": booking.pk, "reference": reference, "amount": str(booking.price)}
    return json.dumps(data, sort_keys=True).encode()


def receive(body: bytes, signature: str) -> Answer:
    """Check the signature, then the payment; move the booking on at most once."""
    if not signature or not hmac.compare_digest(sign(body), signature.strip().lower()):
        return Answer(403, "bad signature")
    try:
        data = json.loads(body)
        booking_id = int(data["booking"])
        reference = str(data["reference"])[:100]
        amount = Decimal(str(data["amount"]))
    except (ValueError, TypeError, KeyError, InvalidOperation, RecursionError):
        return Answer(400, "malformed payment")
    if not reference:
        return Answer(400, "malformed payment")
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None:
        return Answer(404, "unknown booking")
    if booking.paid_at is not None and booking.payment_reference == reference:
        return Answer(200, "already recorded")  # the provider retried: nothing changes
    if booking.status != Booking.Status.AWAITING_PAYMENT:
        return Answer(409, "booking not awaiting payment")
    if amount != booking.price:
        return Answer(400, "amount does not match")
    if not services.mark_paid(booking, actor=None, reference=reference):
        return Answer(409, "booking not awaiting payment")
    return Answer(200, "confirmed")


def simulate(booking):
    """Development only: what a provider's checkout would do, then its signed callback."""
    body = payload_for(booking, f"dev-{secrets.token_hex(6)}")
    return receive(body, sign(body))
