"""A contact point's colour, read from the consent ledger's states (SPEC A-2, A-4, N-20).

Nothing here is stored on the contact point: the ledger (`notifications.consent`) is
the only writer of consent, so the colours and a replay of the ledger cannot disagree.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.channels.kinds import PHONE_CHANNELS
from notifications.consent.models import ContactConsent, PhoneStop
from notifications.consent.state import phone_sender, phone_sender_in_sql, stopped_at

PURPOSE = "snow_alerts"


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
        (organisation, channel, address): state
        for organisation, channel, address, state in ContactConsent.objects.filter(
            organisation__in=organisations,
            purpose=PURPOSE,
            address__in={point.address for point in points},
        ).values_list("organisation_id", "channel", "address", "state")
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
        key = (point.company.organisation_id, point.method, point.address)
        found[point.pk] = Colour(states[key]) if key in states else Colour.RECEIVED
    return found


def colour_of(point):
    return colours([point])[point.pk]


def green(points, organisation):
    """The contact points of `points` (a queryset) an alert may reach: accepted, no STOP."""
    from django.db.models import Exists, OuterRef, Q

    accepted = ContactConsent.objects.filter(
        organisation=organisation,
        purpose=PURPOSE,
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
    from django.db.models import Exists, OuterRef, Subquery

    state = ContactConsent.objects.filter(
        organisation=OuterRef("company__organisation"),
        purpose=PURPOSE,
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
