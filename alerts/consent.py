"""A contact point's colour, read from the consent ledger's states (SPEC A-2, A-4, N-20).

Nothing here is stored on the contact point: the ledger (`notifications.consent`) is
the only writer of consent, so the colours and a replay of the ledger cannot disagree.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.channels.kinds import PHONE_CHANNELS
from notifications.consent.models import ContactConsent, PhoneStop
from notifications.consent.state import phone_sender, phone_sender_in_sql, stopped_at
from notifications.events import OptIn

PURPOSE = "snow_alerts"


def purpose_of(company):
    """The ledger's purpose of one company's alerts: consent is given to the company whose
    name the messages carry (CASL, Law 25: the sender), not to every company of its
    organisation — a number confirmed for one is asked again by another."""
    return f"{PURPOSE}:{company.pk}"


# What alerts' event types declare: each message's purpose is its target's company's.
OPT_IN = OptIn(PURPOSE, purpose_of=lambda target: purpose_of(target.company))
OPT_IN_REQUEST = OptIn(PURPOSE, request=True, purpose_of=lambda point: purpose_of(point.company))


class Colour(models.TextChoices):
    RECEIVED = "received", _("Received")
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    STOP = "stop", _("STOP")


HEX = {
    Colour.RECEIVED: "#000000",
    Colour.PENDING: "#f9a825",
    Colour.ACCEPTED: "#2e7d32",
    Colour.REFUSED: "#c62828",
    Colour.STOP: "#800020",  # burgundy
}


def colours(points):
    """{contact point id: Colour} for contact points of one or more companies: 3 queries,
    and one per organisation for its sender."""
    points = list(points)
    if not points:
        return {}
    organisations = {point.company.organisation_id for point in points}
    states = {
        (purpose, channel, address): state
        for purpose, channel, address, state in ContactConsent.objects.filter(
            organisation__in=organisations,
            purpose__in={purpose_of(point.company) for point in points},
            address__in={point.address for point in points},
        ).values_list("purpose", "channel", "address", "state")
    }
    phones = {point.address for point in points if point.method in PHONE_CHANNELS}
    senders = {organisation: phone_sender(organisation) for organisation in organisations}
    # An erased owner's STOP too (SPEC P-5): one query per sender, and there are a few.
    stopped = {
        (sender, number)
        for sender in set(senders.values())
        for number in stopped_at(sender, phones)
    }
    found = {}
    for point in points:
        sender = senders[point.company.organisation_id]
        if point.method in PHONE_CHANNELS and (sender, point.address) in stopped:
            found[point.pk] = Colour.STOP
            continue
        key = (purpose_of(point.company), point.method, point.address)
        found[point.pk] = Colour(states[key]) if key in states else Colour.RECEIVED
    return found


def colour_of(point):
    return colours([point])[point.pk]


def green(points, company):
    """The contact points of `points` (a queryset, of `company`) an alert may reach:
    accepted for the company's alerts, no STOP."""
    from django.db.models import Exists, OuterRef, Q

    organisation = company.organisation
    accepted = ContactConsent.objects.filter(
        organisation=organisation,
        purpose=purpose_of(company),
        state=ContactConsent.State.ACCEPTED,
        channel=OuterRef("method"),
        address=OuterRef("address"),
    )
    stopped = PhoneStop.objects.filter(
        sender=phone_sender(organisation), number=OuterRef("address")
    )
    return points.filter(Exists(accepted)).exclude(Q(method__in=PHONE_CHANNELS) & Exists(stopped))


def with_colours(points):
    """The queryset with each point's ledger state and STOP read in the same query.

    `colour_from_row(point)` then names its colour without another query (an admin list).
    """
    from django.db.models import CharField, Exists, OuterRef, Subquery, Value
    from django.db.models.functions import Cast, Concat

    state = ContactConsent.objects.filter(
        organisation=OuterRef("company__organisation"),
        purpose=Concat(Value(f"{PURPOSE}:"), Cast(OuterRef("company_id"), CharField())),
        channel=OuterRef("method"),
        address=OuterRef("address"),
    ).values("state")[:1]
    stopped = PhoneStop.objects.filter(sender=OuterRef("phone_sender"), number=OuterRef("address"))
    return points.annotate(
        consent_state=Subquery(state),
        phone_sender=phone_sender_in_sql("company__organisation"),
        number_stopped=Exists(stopped),
    )


def colour_from_row(point):
    if point.method in PHONE_CHANNELS and point.number_stopped:
        return Colour.STOP
    return Colour(point.consent_state) if point.consent_state else Colour.RECEIVED
