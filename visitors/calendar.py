"""The .ics a visitor's calendar keeps in step with the visit (SPEC V-1, V-2, V-4).

One visit is one calendar event: the same UID in every message, a SEQUENCE
that grows with each change of time or place and with the cancellation, so a
client updates or removes the event it already has instead of adding another
(RFC 5546: METHOD:REQUEST to create or update, METHOD:CANCEL to cancel).
The file always tells the visit as it is when the message leaves.
"""

import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def uid(visit):
    return f"{visit.uid}@{urlsplit(settings.SITE_URL).hostname or 'relais'}"


def method(visit, visitor):
    """CANCEL once the visit is off for this visitor, else REQUEST."""
    if not visit.is_planned or visitor.removed_at is not None:
        return CANCEL
    return REQUEST


def invitation(visit, visitor, checkin_url=""):
    """(method, .ics bytes) for `visitor`, in their language."""
    chosen = method(visit, visitor)
    with translation.override(visitor.language):
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Relais//Visitors//FR")
        calendar.add("version", "2.0")
        calendar.add("method", chosen)
        calendar.add_component(_event(visit, visitor, chosen, checkin_url))
    return chosen, calendar.to_ical()


def _event(visit, visitor, chosen, checkin_url):
    event = icalendar.Event()
    event.add("uid", uid(visit))
    event.add("sequence", visit.sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    # UTC needs no VTIMEZONE block; clients show it in their own zone.
    event.add("dtstart", visit.start.astimezone(datetime.UTC))
    event.add("dtend", visit.end.astimezone(datetime.UTC))
    summary = visit.purpose or _("Visit: %(organisation)s") % {"organisation": visit.organisation}
    event.add("summary", summary)
    event.add("location", ", ".join(part for part in (visit.site.name, visit.site.address) if part))
    event.add("description", _description(visit, checkin_url, chosen))
    event.add("status", "CANCELLED" if chosen == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = icalendar.vCalAddress(f"mailto:{visit.host.email}")
    organizer.params["cn"] = str(visit.host)
    event.add("organizer", organizer)
    if visitor.email:
        attendee = icalendar.vCalAddress(f"mailto:{visitor.email}")
        attendee.params.update(
            {"cn": visitor.name, "role": "REQ-PARTICIPANT", "partstat": "NEEDS-ACTION"}
        )
        attendee.params["rsvp"] = "FALSE"  # the host expects them; no reply is asked for
        event.add("attendee", attendee)
    if checkin_url and chosen == REQUEST:
        event.add("url", checkin_url)
    return event


def _description(visit, checkin_url, chosen):
    lines = [_("Host: %(host)s") % {"host": visit.host}]
    if checkin_url and chosen == REQUEST:
        lines.append(_("On arrival, check in here: %(url)s") % {"url": checkin_url})
    return "\n".join(lines)
