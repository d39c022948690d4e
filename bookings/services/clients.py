"""A client of the public page: their SMS consent, and the limits against SMS pumping.

SMS pumping: bots book with premium numbers to make us pay for texts to them. So a
text only ever goes to the number of an appointment that exists, and only once its
consent stands in the ledger (SPEC N-20): ticked on the page, within limits per
number, per email address, per web client and per organisation; over any of them,
the number waits for the client to confirm it from an email first.
"""

import phonenumbers
from django.db import transaction
from django.utils.translation import gettext as _

import notifications
from bookings import signals
from bookings.models import SMS_PURPOSE
from core import ratelimit
from notifications.consent import opt_in
from notifications.consent.ledger import record
from notifications.consent.models import ConsentRecord

DAY, HOUR = 24 * 3600, 3600
# Texts a page may start: a few per number and address a day, more per web client,
# a ceiling per organisation an hour (a salon takes no 200 bookings an hour online).
SMS_LIMITS = {
    "number": ratelimit.Limit(3, DAY),
    "email": ratelimit.Limit(5, DAY),
    "client": ratelimit.Limit(10, HOUR),
    "organisation": ratelimit.Limit(200, HOUR),
}
BOOKING_LIMIT = ratelimit.Limit(20, HOUR)  # bookings per web client, texts or not


class NotMobile(ValueError):
    """A number that cannot take texts, with the reason to show."""


def mobile_number(text, region):
    """E.164 of a number that may take texts; NotMobile says why not.

    A French landline is known not to (its plan says so); a North American number
    cannot be told apart (fixed or mobile): the provider's permanent error marks it.
    """
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise NotMobile(_("This is not a phone number.")) from error
    if not phonenumbers.is_valid_number(number):
        raise NotMobile(_("This is not a phone number."))
    kind = phonenumbers.number_type(number)
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise NotMobile(_("This number cannot receive text messages: please give a mobile."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def over_sms_limits(organisation, number, email, client_address):
    """Count this consent against every limit; True if one of them is used up."""
    keys = {
        "number": f"appointments.sms.number:{number}",
        "email": f"appointments.sms.email:{email.lower()}",
        "client": f"appointments.sms.client:{client_address or 'unknown'}",
        "organisation": f"appointments.sms.organisation:{organisation.pk}",
    }
    over = False
    for name, key in keys.items():
        limit = SMS_LIMITS[name]
        over = over or ratelimit.is_blocked(key, limit)
        ratelimit.record(key, limit)
    return over


@transaction.atomic
def record_sms_consent(participant, text, page, *, confirmed):
    """The tick, with its exact text and time: given, or waiting for the email (`confirmed`
    False) — the texts wait with it."""
    booking = participant.booking
    if confirmed:
        return record_given_sms_consent(booking.organisation, participant.phone, text, page)
    entry, _changed = record(
        ConsentRecord.Kind.OPT_IN_REQUESTED,
        channel="sms",
        address=participant.phone,
        method=ConsentRecord.Method.PAGE,
        organisation=booking.organisation,
        purpose=SMS_PURPOSE,
        text=text,
        page=page,
    )
    signals.sms_confirmation_asked.send(sender=type(booking), booking=booking)
    return entry


def record_given_sms_consent(organisation, phone, text, page, *, admin_user=None):
    """A client's yes to texts with its exact text, where and when: ticked by the client on
    a page, or by a manager in the back office for them (`admin_user`, who ticked it)."""
    entry, _changed = opt_in.answer(
        organisation,
        SMS_PURPOSE,
        "sms",
        phone,
        True,
        method=ConsentRecord.Method.ADMIN if admin_user else ConsentRecord.Method.PAGE,
        text=text,
        page=page,
        admin_user=admin_user,
    )
    return entry


@transaction.atomic
def confirm_sms(participant, text, page):
    """The client confirmed their number from the email's link."""
    if participant.texts_allowed():
        return False
    opt_in.answer(
        participant.booking.organisation,
        SMS_PURPOSE,
        "sms",
        participant.phone,
        True,
        method=ConsentRecord.Method.LINK,
        text=text,
        page=page,
    )
    # Reminders already planned without the number stay as they are (their rows are the
    # log); those planned from now on, and every later message, are texted too.
    notifications.target_moved(participant.booking)
    return True
