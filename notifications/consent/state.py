"""What the engine and the pages ask of consent (SPEC N-20): may this go, what blocks a channel.

The engine asks twice: when it plans a chunk of deliveries (`refusals`) and just
before it sends one (`refusal`), so that a STOP, a refusal or a preference
turned off in between wins over what was planned.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_noop

from core.identifiers import forms_of, hashed, with_hashes
from notifications.channels.kinds import PHONE_CHANNELS, Channel
from notifications.consent.models import ContactConsent, PhoneStop, Preference, Suppression
from notifications.events import UnknownEvent
from notifications.messengers.integrations import sms_from_in_sql, twilio_account
from notifications.models import Delivery

Skip = Delivery.Skip
# Reasons shown in the delivery log (translated when displayed).
STOPPED = gettext_noop("the number texted STOP")
NOT_CONFIRMED = gettext_noop("contact point not confirmed (double opt-in)")
TURNED_OFF = gettext_noop("turned off by the recipient")


def phone_sender(organisation=None):
    """The sender an organisation's SMS and calls come from, as STOPs are keyed.

    Its own Twilio account's number when it connected one (C-6): a STOP texted there
    holds for that organisation only. Else the platform's TWILIO_SMS_FROM (a number, or
    a messaging service whose numbers all stand for it), shared by every organisation
    that connected nothing: a STOP texted to any of those numbers holds for all of them.
    """
    return twilio_account(organisation).sms_from


def phone_sender_in_sql(organisation_field):
    """`phone_sender` for the organisation of each row of a queryset, as SQL."""
    return sms_from_in_sql(organisation_field)


def is_stopped(number, organisation=None):
    """Whether this number texted STOP to the organisation's sender (no SMS, no call)."""
    return bool(stopped_among({number}, organisation))


def stopped_among(numbers, organisation=None):
    """The numbers that texted STOP to the organisation's sender."""
    return stopped_at(phone_sender(organisation), numbers)


def stopped_at(sender, numbers):
    """The numbers that texted STOP to `sender`, themselves or as the hash an erasure kept
    (SPEC P-5)."""
    plain_of = forms_of(numbers)
    if not plain_of:
        return set()
    found = PhoneStop.objects.filter(sender=sender, number__in=plain_of)
    return {plain_of[number] for number in found.values_list("number", flat=True)}


def is_suppressed(channel, address):
    """Whether the address is on the channel's suppression list, itself or as its hash."""
    return (channel, address) in suppressed_among({address})


def suppressed_among(addresses):
    """{(channel, address): reason} for the addresses on the suppression list, or their hash."""
    plain_of = forms_of(addresses)
    if not plain_of:
        return {}
    rows = Suppression.objects.filter(address__in=plain_of).order_by("created_at")
    found = {}
    for channel, address, reason in rows.values_list("channel", "address", "reason"):
        found.setdefault((channel, plain_of[address]), reason)
    return found


def refusals(event_type, organisation, deliveries):
    """(delivery, reason, code) for each of `deliveries` that the ledger's state forbids."""
    phones = {d.address for d in deliveries if d.channel in PHONE_CHANNELS}
    stopped = stopped_among(phones, organisation)
    confirmed = _confirmed(event_type, organisation, deliveries)
    for delivery in deliveries:
        if delivery.channel in PHONE_CHANNELS and delivery.address in stopped:
            yield delivery, STOPPED, Skip.STOP  # confirmations and mandatory ones too
        elif confirmed is not None and (delivery.channel, delivery.address) not in confirmed:
            yield delivery, NOT_CONFIRMED, Skip.NO_CONTACT  # no confirmed contact point


def _confirmed(event_type, organisation, deliveries):
    """The (channel, address) confirmed for the event's purpose; None when it needs no opt-in."""
    opt_in = event_type.opt_in
    if opt_in is None or opt_in.request:
        return None  # the confirmation request itself goes to a contact point not yet confirmed
    if organisation is None or not deliveries:
        return set()
    purpose = opt_in.purpose_for(_target_of(deliveries[0]))
    if purpose is None:
        return set()
    return set(
        ContactConsent.objects.filter(
            organisation=organisation,
            purpose=purpose,
            state=ContactConsent.State.ACCEPTED,
            address__in={d.address for d in deliveries},
        ).values_list("channel", "address")
    )


def _target_of(delivery):
    """The event's target (one event's deliveries share it), when it still exists."""
    return None if delivery.event.is_test else delivery.event.target


def refusals_now(deliveries):
    """{delivery id: (reason, code)} for the deliveries the ledger's state forbids now.

    Read per event, whatever the number of deliveries (a batch's sending asks once).
    """
    by_event = {}
    for delivery in deliveries:
        by_event.setdefault(delivery.event_id, []).append(delivery)
    refused = {}
    for group in by_event.values():
        event = group[0].event
        try:
            event_type = event.event_type
        except UnknownEvent:  # a message of an app no longer installed: its consent is unknown
            continue
        for delivery, reason, code in refusals(event_type, group[0].organisation, group):
            refused.setdefault(delivery.pk, (reason, code))
        if event_type.mandatory or event.is_test:
            continue
        turned_off = set(
            Preference.objects.filter(
                user_id__in={d.user_id for d in group if d.user_id},
                group=event_type.group.code,
                enabled=False,
            ).values_list("user_id", "channel")
        )
        for delivery in group:
            if (delivery.user_id, delivery.channel) in turned_off:
                refused.setdefault(delivery.pk, (TURNED_OFF, Skip.PREFERENCE))
    return refused


@dataclass(frozen=True)
class Block:
    """What keeps one of a person's channels from reaching them, whatever they chose."""

    channel: str
    address: str
    kind: str  # "stop", or a Suppression.Reason
    since: datetime
    sender: str = ""  # for a STOP: the number to text START to


def blocks_of(user):
    """{channel: Block} for the person's own email address and phone number."""
    phone = str(user.phone or "")
    addresses = {Channel.EMAIL: user.email, Channel.SMS: phone, Channel.VOICE: phone}
    blocks = {}
    for suppression in Suppression.objects.filter(address__in=with_hashes({user.email, phone})):
        address = addresses.get(suppression.channel)
        if address and suppression.address in (address, hashed(address)):
            blocks[suppression.channel] = Block(
                suppression.channel, address, suppression.reason, suppression.created_at
            )
    # The senders of the person's organisations: a STOP to any of them shows on their page.
    organisations = user.memberships.values_list("organisation_id", flat=True)
    senders = {phone_sender(), *(phone_sender(pk) for pk in organisations)}
    stops = PhoneStop.objects.filter(sender__in=senders, number__in=with_hashes({phone}))
    stop = stops.order_by("created_at").first() if phone else None
    if stop is not None:  # one STOP blocks texts and calls alike
        for channel in PHONE_CHANNELS:
            blocks[channel] = Block(channel, phone, "stop", stop.created_at, stop.sender)
    return blocks
