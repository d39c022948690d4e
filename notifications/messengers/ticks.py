"""A person's "accepts to receive" ticks per channel (SPEC N-12, C-6; RemOnline's
"Accepte de recevoir des emails"): a manual message, or a WhatsApp one, needs the tick.

A tick is a contact point's consent for the purpose "messengers", kept by the ledger
(OPT_IN_GIVEN / OPT_IN_REFUSED) like every other consent: who, when, how, what text.
"""

from django.utils.translation import gettext as _

from notifications.consent.ledger import record
from notifications.consent.models import ConsentRecord, ContactConsent

PURPOSE = "messengers"
Kind = ConsentRecord.Kind
ACCEPTED = ContactConsent.State.ACCEPTED


def tick_text(channel, accepted):
    """The sentence the ledger keeps, as the form showed it."""
    from notifications.channels.kinds import Channel

    label = Channel(channel).label
    if accepted:
        return _("Accepts to receive messages by %(channel)s") % {"channel": label}
    return _("Does not accept messages by %(channel)s") % {"channel": label}


def set_tick(organisation, channel, address, accepted, *, method, user=None, **how):
    """Tick or untick one channel for one address, through the ledger; the record."""
    how.setdefault("text", tick_text(channel, accepted))
    return record(
        Kind.OPT_IN_GIVEN if accepted else Kind.OPT_IN_REFUSED,
        channel=channel,
        address=address,
        method=method,
        organisation=organisation,
        user=user,
        purpose=PURPOSE,
        **how,
    )[0]


def is_ticked(organisation, channel, address):
    if not (organisation and address):
        return False
    return ContactConsent.objects.filter(
        organisation=organisation, purpose=PURPOSE, channel=channel, address=address, state=ACCEPTED
    ).exists()


def ticked_channels(organisation, addresses):
    """{(channel, address)} ticked in `organisation` among `addresses`."""
    if organisation is None:
        return set()
    return set(
        ContactConsent.objects.filter(
            organisation=organisation,
            purpose=PURPOSE,
            state=ACCEPTED,
            address__in=[a for a in addresses if a],
        ).values_list("channel", "address")
    )


def accepted_addresses(channel, addresses):
    """Those of `addresses` ticked for `channel` in some organisation."""
    return set(
        ContactConsent.objects.filter(
            purpose=PURPOSE, channel=channel, state=ACCEPTED, address__in=list(addresses)
        ).values_list("address", flat=True)
    )
