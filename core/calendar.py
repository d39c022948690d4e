"""One calendar event as an iTIP message (.ics), for any domain that invites people.

A thing that happens once is one calendar event: every message about it
carries the same UID and a SEQUENCE that grows with each change of time or
place and with the cancellation, so a client updates or removes the event it
already has instead of adding another (RFC 5546: METHOD:REQUEST to create or
update, METHOD:CANCEL to cancel). Times are written in UTC, which needs no
VTIMEZONE block; clients show them in their own zone.
"""

import dataclasses
import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

REQUEST = "REQUEST"
CANCEL = "CANCEL"


@dataclasses.dataclass(frozen=True)
class Person:
    """An organizer or an attendee: a mailbox and the name shown beside it."""

    email: str
    name: str = ""


def global_uid(local_id):
    """A UID unique across the world, as RFC 5545 asks: `<local id>@<this site's host>`."""
    return f"{local_id}@{urlsplit(settings.SITE_URL).hostname or 'relais'}"


def build(
    *,
    uid,
    sequence,
    method,
    start,
    end,
    summary,
    organizer,
    attendees=(),
    location="",
    description="",
    url="",
    prodid="-//Relais//Relais//FR",
    tentative=False,
):
    """The .ics bytes of one event; a CANCEL marks it cancelled, a REQUEST confirmed (or
    tentative, for what still waits on someone's approval or a payment)."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"Unsupported iTIP method {method!r}")
    calendar = icalendar.Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))  # when *this* message leaves
    event.add("dtstart", start.astimezone(datetime.UTC))
    event.add("dtend", end.astimezone(datetime.UTC))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    if method == CANCEL:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "TENTATIVE" if tentative else "CONFIRMED")
    event.add("transp", "OPAQUE")
    # Outlook duplicates an event whose REQUEST has no ORGANIZER.
    event.add("organizer", _address(organizer))
    for attendee in attendees:
        event.add("attendee", _address(attendee, attendee=True))
    if url:
        event.add("url", url)
    calendar.add_component(event)
    return calendar.to_ical()


def attachment(ics, method, filename="invitation.ics"):
    """(filename, bytes, content type) for an email: the type's `method=` must match the file's."""
    return filename, ics, f"text/calendar; method={method}"


def _address(person, attendee=False):
    address = icalendar.vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = person.name or person.email
    if attendee:
        address.params.update({"role": "REQ-PARTICIPANT", "partstat": "NEEDS-ACTION"})
        address.params["rsvp"] = "FALSE"  # the organizer expects them; no reply is asked for
    return address
