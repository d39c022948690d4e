"""Signed links of appointments: the client's manage page, review page and SMS confirmation.

No password: the link is the key. Each purpose salts its own signature, so a review
link never opens the manage page; the pages themselves refuse what is over (a
cancelled or past appointment), and act only on POST.
"""

import datetime

from core import tokens

MAX_AGE = datetime.timedelta(days=400)  # an appointment booked months ahead keeps its link
MANAGE, REVIEW, CONFIRM_SMS = (
    "bookings.appointment.manage",
    "bookings.appointment.review",
    ("bookings.appointment.sms"),
)


def manage_url(booking):
    return tokens.signed_url("bookings:appointment_manage", MANAGE, booking.pk)


def review_url(booking):
    return tokens.signed_url("bookings:appointment_review", REVIEW, booking.pk)


def confirm_sms_url(participant):
    return tokens.signed_url("bookings:appointment_confirm_sms", CONFIRM_SMS, participant.pk)


CLAIM = "bookings.waitlist.claim"


def claim_url(offer):
    return tokens.signed_url("bookings:waitlist_claim", CLAIM, offer.pk)


def read(purpose, token):
    """The id behind a link; `signing.BadSignature` if forged, mangled or too old."""
    return tokens.read_token(purpose, token, max_age=MAX_AGE)
