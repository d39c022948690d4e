"""Contact points and their double opt-in (SPEC A-2…A-4): add, resend, answer, delete.

Every consent change is a record of the ledger (`notifications.consent`); the colours are
read from its states (`alerts.consent`).
"""

import datetime

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from alerts import signals
from alerts.consent import Colour, colour_of, purpose_of
from alerts.models import ContactPoint, ContractNote
from notifications.consent import opt_in
from notifications.consent.ledger import record
from notifications.consent.models import ConsentRecord, ContactConsent
from notifications.models import Event

Method = ContactPoint.Method
# Resending a confirmation: not twice within RESEND_GAP, at most RESENDS_PER_DAY a day.
RESEND_GAP = datetime.timedelta(minutes=10)
RESENDS_PER_DAY = 3
MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,  # North America cannot tell them apart
}


class ContactError(ValidationError):
    """A contact point refused, with the sentence to show the person who typed it."""


def normalised(method, text, region=None):
    """The address as stored: E.164 for phones, lower case for emails; ContactError if not one."""
    text = (text or "").strip()
    if method == Method.EMAIL:
        try:
            validate_email(text)
        except ValidationError:
            raise ContactError(_("“%(text)s” is not an email address.") % {"text": text}) from None
        return text.lower()
    try:
        number = phonenumbers.parse(text, region or settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ContactError(_("“%(text)s” is not a phone number.") % {"text": text})
    if method == Method.SMS and phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ContactError(
            _("%(text)s is not a mobile number: texts cannot reach it. Add it as a number to call.")
            % {"text": text}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@transaction.atomic
def add_contact_point(occupant, method, address, actor=None, region=None):
    """Add a way to reach an occupant; its confirmation request leaves once committed (A-2)."""
    if method not in Method.values:
        raise ContactError(_("Unknown method."))
    address = normalised(method, address, region)
    refuse_duplicates(occupant, method, address)
    try:
        with transaction.atomic():
            point = ContactPoint.objects.create(
                company=occupant.company,
                occupant=occupant,
                method=method,
                address=address,
                created_by=actor,
            )
    except IntegrityError:  # the same point added at the same moment elsewhere
        raise ContactError(_("This contact point already exists.")) from None
    _note(point, actor, _("%(point)s added for %(name)s"))
    signals.contact_point_added.send(sender=ContactPoint, point=point, actor=actor)
    return point


def refuse_duplicates(occupant, method, address):
    """ContactError naming who already has this contact point, or this kind of point."""
    label = Method(method).label
    if occupant.contact_points.filter(method=method).exists():
        raise ContactError(
            _("%(name)s already has a contact point of this kind (%(method)s): delete it first.")
            % {"name": occupant.name, "method": label}
        )
    other = (
        ContactPoint.objects.filter(company=occupant.company, method=method, address=address)
        .select_related("occupant")
        .first()
    )
    if other is not None:
        raise ContactError(
            _("%(address)s is already a contact point (%(method)s) of %(name)s.")
            % {"address": address, "method": label, "name": other.occupant.name}
        )


@transaction.atomic
def resend_confirmation(point, actor=None):
    """Send the confirmation request again (A-3), unless it would pester or cannot help."""
    colour = colour_of(point)
    if colour == Colour.STOP:
        raise ContactError(
            _("This number texted STOP: nothing is sent to it until it texts START.")
        )
    if colour == Colour.ACCEPTED:
        raise ContactError(_("This contact point is already confirmed."))
    if point.method == Method.VOICE:
        raise ContactError(
            _("Numbers to call are confirmed in the back office (not by a call yet).")
        )
    now = timezone.now()
    requests = Event.objects.for_target(point).filter(
        code="alerts.opt_in_request", created_at__gte=now - datetime.timedelta(days=1)
    )
    last = requests.order_by("-created_at").values_list("created_at", flat=True).first()
    if last is not None and now - last < RESEND_GAP:
        again = timezone.localtime(last + RESEND_GAP, point.company.zone)
        raise ContactError(
            _("A request left a moment ago: you may send another from %(time)s.")
            % {"time": formats.time_format(again, "H:i")}
        )
    if requests.count() >= RESENDS_PER_DAY:
        raise ContactError(
            _("Already %(count)d requests in 24 hours: try again tomorrow.")
            % {"count": RESENDS_PER_DAY}
        )
    signals.confirmation_resent.send(sender=ContactPoint, point=point, actor=actor)


def answer_by_link(point, accepted, text, page):
    """The person's yes or no on the signed page of their email request (A-2)."""
    return opt_in.answer(
        point.company.organisation,
        purpose_of(point.company),
        point.method,
        point.address,
        accepted,
        method=ConsentRecord.Method.LINK,
        text=text,
        page=page,
    )


def answer_by_keypad(point, digit, call_sid):
    """The key pressed on the confirmation call: 1 yes, 2 no; None for any other key."""
    if digit not in ("1", "2"):
        return None
    return opt_in.answer(
        point.company.organisation,
        purpose_of(point.company),
        point.method,
        point.address,
        digit == "1",
        method=ConsentRecord.Method.PROVIDER,  # Twilio's keypad gather, signed by Twilio
        keyword=digit,
        text=_("Key %(digit)s pressed on the confirmation call") % {"digit": digit},
        provider_message_id=call_sid[:255],
    )


def confirm_in_back_office(point, accepted, actor, text):
    """A manager records the answer the person gave them (on the phone, at the counter)."""
    return opt_in.answer(
        point.company.organisation,
        purpose_of(point.company),
        point.method,
        point.address,
        accepted,
        method=ConsentRecord.Method.ADMIN,
        text=text,
        admin_user=actor,
    )


@transaction.atomic
def delete_contact_point(point, actor=None):
    """Delete a subscription (A-3): recorded as a refusal, so a new point asks again."""
    consent = ContactConsent.objects.filter(
        organisation=point.company.organisation,
        purpose=purpose_of(point.company),
        channel=point.method,
        address=point.address,
    ).first()
    if consent is not None and consent.state != ContactConsent.State.REFUSED:
        record(
            ConsentRecord.Kind.OPT_IN_REFUSED,
            channel=point.method,
            address=point.address,
            method=ConsentRecord.Method.ADMIN,
            organisation=point.company.organisation,
            purpose=purpose_of(point.company),
            admin_user=actor,
            text=_("Subscription deleted in the back office."),
        )
    _note(point, actor, _("%(point)s of %(name)s deleted"))
    point.delete()
    signals.contact_point_deleted.send(sender=ContactPoint, point=point, actor=actor)


def _note(point, actor, sentence):
    text = sentence % {"point": str(point), "name": point.occupant.name}
    ContractNote.objects.bulk_create(
        ContractNote(contract=contract, actor=actor, text=text[:500])
        for contract in point.occupant.contracts.all()
    )
