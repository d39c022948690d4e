"""What bookings' messages say: variables with examples, and each message's context.

A context receives what the message is about for its reader (their participation,
their approval request) or else the event's target, and the event's data.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from bookings import tokens
from bookings.models import ApprovalRequest, Booking, BookingAddOn, Participant
from core.money import money
from notifications.events import Variable

START = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def booking_of(obj):
    """The booking a message is about, whatever its reader's object is."""
    if isinstance(obj, Participant | ApprovalRequest):
        return obj.booking
    return obj


def participant_of(obj):
    return obj if isinstance(obj, Participant) else None


VARIABLES = [
    Variable("title", _("Title (else the resource)"), "Réunion d’équipe"),
    Variable("resource", _("Resource"), "Salle Everest"),
    Variable("site", _("Site"), "Bâtiment A"),
    Variable("site_address", _("Site address"), "12 rue des Tilleuls, 69003 Lyon"),
    Variable("start", _("Start"), START),
    Variable("end", _("End"), START + HOUR),
    Variable("status", _("Status"), "Confirmée"),
    Variable("booker_name", _("Booker's name"), "Alice Durand"),
    Variable("booked_by_name", _("Manager who booked for them"), "Bob Martin"),
    Variable("participant_name", _("The reader's name as participant"), "Chloé Bernard"),
    Variable("participant_names", _("Participants' names"), "Alice Durand, Chloé Bernard"),
    Variable("amount", _("Amount due"), "25,00\u00a0€"),
    Variable("add_ons", _("Add-on services ordered"), "2 × Café"),
    Variable("actor_name", _("Who did it"), "Bob Martin"),
    Variable("done_at", _("When it was done"), START - 24 * HOUR),
    Variable("decision_note", _("Reason given by the approver"), "Salle réservée au CA."),
    Variable("pay_url", _("Payment link"), "https://relais.example/bookings/1/pay/"),
    Variable("check_in_url", _("Check-in page"), "https://relais.example/bookings/1/"),
    Variable(
        "approve_url", _("One-tap approval link"), "https://relais.example/bookings/tap/approve/x/"
    ),
    Variable(
        "reject_url", _("One-tap rejection link"), "https://relais.example/bookings/tap/reject/x/"
    ),
    Variable(
        "attend_url",
        _("One-tap “I will come” link"),
        "https://relais.example/bookings/tap/attend/x/",
    ),
    Variable(
        "cancel_url",
        _("One-tap cancellation link"),
        "https://relais.example/bookings/tap/cancel/x/",
    ),
]
MOVE_VARIABLES = [
    Variable("old_start", _("Previous start"), START - 24 * HOUR),
    Variable("old_end", _("Previous end"), START - 23 * HOUR),
]
ADD_ON_VARIABLES = [Variable("new_add_ons", _("Services just added"), "1 × Vidéoprojecteur")]


def _when(data, key):
    return parse_datetime(data.get(key) or "")


def booking_context(obj, data):
    booking = booking_of(obj)
    participant = participant_of(obj)
    resource, site = booking.resource, booking.resource.site
    present = booking.participants.filter(removed_at=None)
    context = {
        "title": booking.title or resource.name,
        "resource": resource.name,
        "site": site.name,
        "site_address": site.address,
        "start": booking.start,
        "end": booking.end,
        "status": booking.get_status_display(),
        "booker_name": booking.booker_name,
        "booked_by_name": str(booking.booked_by or ""),
        "participant_name": participant.name if participant else "",
        "participant_names": ", ".join(str(p) for p in present),
        "amount": money(booking.price, booking.currency) if booking.price else "",
        "add_ons": _lines(booking.add_ons.select_related("add_on")),
        "actor_name": data.get("actor_name", ""),
        "done_at": _when(data, "done_at"),
        "decision_note": booking.decision_note,
        "pay_url": _pay_url(booking),
        "check_in_url": settings.SITE_URL + booking.get_absolute_url(),
    }
    return context | _one_tap_links(obj, booking)


def _lines(add_ons):
    return ", ".join(f"{line.quantity} × {line.add_on.name}" for line in add_ons)


def _pay_url(booking):
    if booking.status != Booking.Status.AWAITING_PAYMENT:
        return ""
    return settings.SITE_URL + reverse("bookings:pay", args=[booking.pk])


def _one_tap_links(obj, booking):
    """An approver's links stand for their request; a participant's for their participation."""
    links = dict.fromkeys(("approve_url", "reject_url", "attend_url", "cancel_url"), "")
    if isinstance(obj, ApprovalRequest) and booking.status == Booking.Status.PENDING_APPROVAL:
        links["approve_url"] = tokens.url("approve", obj.pk)
        links["reject_url"] = tokens.url("reject", obj.pk)
    if isinstance(obj, Participant) and obj.is_booker and booking.is_active:
        links["attend_url"] = tokens.url("attend", obj.pk)
        links["cancel_url"] = tokens.url("cancel", obj.pk)
    return links


def move_context(obj, data):
    booking = booking_of(obj)
    return booking_context(obj, data) | {
        "old_start": _when(data, "old_start") or booking.start,
        "old_end": _when(data, "old_end") or booking.end,
    }


def add_on_context(obj, data):
    lines = BookingAddOn.objects.filter(pk__in=data.get("add_on_ids", [])).select_related("add_on")
    return booking_context(obj, data) | {"new_add_ons": _lines(lines)}


MAINTENANCE_VARIABLES = [
    Variable("resource", _("Resource"), "F-GABC (DR400)"),
    Variable("site", _("Site"), "Aérodrome de Bron"),
    Variable("start", _("Start of the maintenance"), START),
    Variable("end", _("End of the maintenance"), START + 72 * HOUR),
    Variable("description", _("Work done"), "Visite des 50 heures"),
    Variable("actor_name", _("Who did it"), "Bob Martin"),
    Variable("done_at", _("When it was done"), START - 24 * HOUR),
]


def maintenance_context(maintenance, data):
    return {
        "resource": maintenance.resource.name,
        "site": maintenance.resource.site.name,
        "start": maintenance.start,
        "end": maintenance.end,
        "description": maintenance.description,
        "actor_name": data.get("actor_name", ""),
        "done_at": _when(data, "done_at"),
    }


VALIDITY_VARIABLES = [
    Variable("validity", _("Validity"), "Certificat médical classe 2"),
    Variable("member_name", _("Member's name"), "Alice Durand"),
    Variable("expires_on", _("Expiry date"), datetime.date(2026, 12, 31)),
    Variable("days_left", _("Days left"), 30),
]


def validity_context(validity, data):
    return {
        "validity": validity.validity_type.name,
        "member_name": str(validity.member),
        "expires_on": validity.expires_on,
        "days_left": data.get("days_left", (validity.expires_on - datetime.date.today()).days),
    }


BALANCE_VARIABLES = [
    Variable("balance", _("Balance"), "-12,50 EUR"),
    Variable("threshold", _("Threshold"), "50,00 EUR"),
    Variable("member_name", _("Member's name"), "Alice Durand"),
]


def balance_context(account, data):
    return {
        # The balance that crossed the threshold, not whatever it is when the message leaves.
        "balance": money(Decimal(data.get("balance") or account.balance), account.currency),
        "threshold": money(Decimal(data.get("threshold") or "0"), account.currency),
        "member_name": str(account.member),
    }


DIGEST_VARIABLES = [
    Variable("day", _("Day"), datetime.date(2026, 12, 2)),
    Variable(
        "items",
        _("Bookings of the day"),
        [
            {
                "start": START,
                "end": START + HOUR,
                "resource": "Salle Everest",
                "booker": "Alice Durand",
            }
        ],
    ),
]


def digest_context(user, data):
    items = [
        item | {"start": parse_datetime(item["start"]), "end": parse_datetime(item["end"])}
        for item in data.get("items", [])
    ]
    return {"items": items, "day": datetime.date.fromisoformat(data["day"])}
