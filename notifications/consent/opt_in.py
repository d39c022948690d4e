"""Double opt-in (SPEC N-20, A-2): a request sent, then an answer by SMS, link, page or admin."""

from django.conf import settings

from notifications.channels.kinds import PHONE_CHANNELS
from notifications.consent.ledger import record
from notifications.consent.models import ConsentRecord, ContactConsent
from notifications.consent.state import phone_sender
from notifications.events import UnknownEvent

Kind, Method = ConsentRecord.Kind, ConsentRecord.Method


def request_sent(delivery):
    """A confirmation request just left: record its exact text; the contact point now waits."""
    try:
        opt_in = delivery.event.event_type.opt_in
    except UnknownEvent:
        return None
    if opt_in is None or not opt_in.request:
        return None
    text = "\n\n".join(part for part in (delivery.subject, delivery.body) if part)
    entry, _changed = record(
        Kind.OPT_IN_REQUESTED,
        channel=delivery.channel,
        address=delivery.address,
        method=Method.SYSTEM,
        organisation_id=delivery.organisation_id,
        user_id=delivery.user_id,
        purpose=opt_in.purpose_for(delivery.about_object),
        text=text,
        provider_message_id=delivery.provider_message_id,
        sender=_sender(delivery.channel, delivery.organisation),
    )
    return entry


def answer(organisation, purpose, channel, address, accepted, *, method, text, **how):
    """Record a yes or a no for one contact point; `how` says who, where and by which words."""
    kind = Kind.OPT_IN_GIVEN if accepted else Kind.OPT_IN_REFUSED
    return record(
        kind,
        channel=channel,
        address=address,
        method=method,
        organisation=organisation,
        purpose=purpose,
        text=text,
        **how,
    )


def waiting_for(number):
    """The phone contact points waiting for this number's yes or no."""
    return ContactConsent.objects.filter(
        channel__in=PHONE_CHANNELS, address=number, state=ContactConsent.State.PENDING
    ).select_related("organisation")


def _sender(channel, organisation):
    return phone_sender(organisation) if channel in PHONE_CHANNELS else settings.DEFAULT_FROM_EMAIL
