"""The .ics a visitor's calendar keeps in step with the visit (SPEC V-1, V-2, V-4).

One visit is one calendar event (see core.calendar): its UID is the visit's,
its SEQUENCE the visit's calendar version. The file always tells the visit as
it is when the message leaves, in the visitor's language.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from core import calendar
from core.calendar import CANCEL, REQUEST

__all__ = ["CANCEL", "REQUEST", "invitation", "method", "uid"]


def uid(visit):
    return calendar.global_uid(visit.uid)


def method(visit, visitor):
    """CANCEL once the visit is off for this visitor, else REQUEST."""
    if not visit.is_planned or visitor.removed_at is not None:
        return CANCEL
    return REQUEST


def invitation(visit, visitor, checkin_url=""):
    """(method, .ics bytes) for `visitor`, in their language."""
    chosen = method(visit, visitor)
    link = checkin_url if chosen == REQUEST else ""
    with translation.override(visitor.language):
        ics = calendar.build(
            uid=uid(visit),
            sequence=visit.sequence,
            method=chosen,
            start=visit.start,
            end=visit.end,
            summary=visit.purpose
            or _("Visit: %(organisation)s") % {"organisation": visit.organisation},
            location=", ".join(part for part in (visit.site.name, visit.site.address) if part),
            description=_description(visit, link),
            organizer=calendar.Person(visit.host.email, str(visit.host)),
            attendees=[calendar.Person(visitor.email, visitor.name)] if visitor.email else [],
            url=link,
            prodid="-//Relais//Visitors//FR",
        )
    return chosen, ics


def _description(visit, checkin_url):
    lines = [_("Host: %(host)s") % {"host": visit.host}]
    if checkin_url:
        lines.append(_("On arrival, check in here: %(url)s") % {"url": checkin_url})
    return "\n".join(lines)
