"""The .ics each person's calendar keeps in step with a booking (SPEC B-2, B-6, B-7, B-8).

One booking is one calendar event (core.calendar): its UID is the booking's, its SEQUENCE
the booking's calendar version. What each person last received is kept in CalendarCopy,
so a SEQUENCE never goes down for anyone, and whoever holds a REQUEST — a participant or
the manager who booked for them — is sent the CANCEL when the event goes away for them.
"""

from email.utils import parseaddr

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from bookings.models import Booking, CalendarCopy, Participant
from core import calendar
from core.calendar import CANCEL, REQUEST

__all__ = ["CANCEL", "REQUEST", "attachment_for", "uid"]


def uid(booking):
    return calendar.global_uid(f"booking-{booking.uid}")


def method(booking, participant=None):
    """CANCEL once the booking is off, or off for this participant; else REQUEST."""
    if not booking.is_active or (participant is not None and participant.removed_at):
        return CANCEL
    return REQUEST


def attachment_for(booking, participant, delivery):
    """The email attachment of `delivery`: this person's .ics, or None when they hold no copy
    and take no part (an approver, the responsible manager)."""
    copy = CalendarCopy.objects.filter(
        booking=booking, recipient_key=delivery.recipient_key
    ).first()
    is_booked_by = delivery.user_id is not None and delivery.user_id == booking.booked_by_id
    if participant is None and copy is None and not is_booked_by:
        return None
    chosen = method(booking, participant)
    sequence = max(booking.sequence, copy.sequence if copy else 0)
    name = participant.name if participant else delivery.recipient_name
    email = participant.email if participant else delivery.address
    language = participant.language if participant else delivery.language
    with translation.override(language):
        ics = calendar.build(
            uid=uid(booking),
            sequence=sequence,
            method=chosen,
            start=booking.start,
            end=booking.end,
            summary=booking.title or str(booking.resource),
            location=_location(booking),
            description=_description(booking),
            organizer=_organizer(booking),
            attendees=[calendar.Person(email, name)] if email else [],
            url=settings.SITE_URL + booking.get_absolute_url(),
            prodid="-//Relais//Bookings//FR",
            tentative=booking.status
            in (Booking.Status.PENDING_APPROVAL, Booking.Status.AWAITING_PAYMENT),
        )
    CalendarCopy.objects.update_or_create(
        booking=booking,
        recipient_key=delivery.recipient_key,
        defaults={"sequence": sequence, "method": chosen, "user_id": delivery.user_id},
    )
    return calendar.attachment(ics, chosen, filename="booking.ics")


def participant_of(booking, delivery):
    """The participation a delivery's recipient has (or had) in the booking, if any."""
    if delivery.user_id:
        rows = Participant.objects.filter(booking=booking, user_id=delivery.user_id)
    elif delivery.recipient_key.startswith("bookings.participant:"):
        rows = Participant.objects.filter(
            booking=booking, pk=delivery.recipient_key.rpartition(":")[2]
        )
    else:
        return None
    return rows.order_by("removed_at").first()  # present first, else the last removal


def _location(booking):
    site = booking.resource.site
    return ", ".join(part for part in (str(booking.resource), site.name, site.address) if part)


def _description(booking):
    lines = [_("Booked by %(name)s") % {"name": booking.booker_name}]
    if booking.resource.description:
        lines.append(booking.resource.description)
    return "\n".join(lines)


def _organizer(booking):
    """The organisation, at the no-reply address: nobody is asked to answer the invitation."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return calendar.Person(address or "no-reply@relais.localhost", str(booking.organisation))
