"""The daily recap of appointments (SPEC B-13): each staff member's own list, at the hour
they chose on their own clock, the day before or the same day; a manager's whole-day list
across staff. The engine's one frequent beat task sends it (notifications.recaps)."""

import datetime

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from bookings.events.context import HOUR, START
from bookings.events.declaring import BOOKING_DESK, rule
from bookings.models import BLOCKING_STATUSES, Booking, StaffRecap
from notifications.events import EventType, Recap, RecipientRole, Variable, register


def audience(organisation):
    chosen = StaffRecap.objects.filter(organisation=organisation, enabled=True)
    return User.objects.filter(pk__in=chosen.values("user"), is_active=True)


def timing(user, organisation):
    choice = StaffRecap.objects.filter(organisation=organisation, user=user).first()
    return (choice.send_time, choice.day) if choice else None


def items(user, organisation, start, end):
    choice = StaffRecap.objects.get(organisation=organisation, user=user)
    found = Booking.objects.filter(
        organisation=organisation,
        status__in=BLOCKING_STATUSES,
        start__gte=start,
        start__lt=end,
    ).exclude(appointment=None)
    if not choice.whole_day:
        found = found.filter(resource__staff_member=user)
    found = found.select_related("appointment__service", "resource__staff_member").order_by("start")
    return [
        {
            "start": b.start.isoformat(),
            "end": b.appointment.ends.isoformat(),
            "service": b.appointment.service.name,
            "client": b.booker_name,
            "staff": str(b.resource.staff_member or b.resource),
            "status": str(b.get_status_display()),
        }
        for b in found
    ]


VARIABLES = [
    Variable("day", _("Day"), datetime.date(2026, 12, 2)),
    Variable(
        "items",
        _("Appointments of the day"),
        [
            {
                "start": START,
                "end": START + HOUR,
                "service": "Coupe",
                "client": "Zoé Petit",
                "staff": "Léa Martin",
                "status": "Confirmée",
            }
        ],
    ),
]


def context(user, data):
    listed = [
        item | {"start": parse_datetime(item["start"]), "end": parse_datetime(item["end"])}
        for item in data.get("items", [])
    ]
    return {"items": listed, "day": datetime.date.fromisoformat(data["day"])}


LINE_FR = (
    "\n— {{ item.start|time:'H:i' }}–{{ item.end|time:'H:i' }} {{ item.service }}\u00a0: "
    "{{ item.client }}{% if item.staff %} (avec {{ item.staff }}){% endif %}"
)
LINE_EN = (
    "\n— {{ item.start|time:'g:i A' }}–{{ item.end|time:'g:i A' }} {{ item.service }}: "
    "{{ item.client }}{% if item.staff %} (with {{ item.staff }}){% endif %}"
)

register(
    EventType(
        code="bookings.staff_recap",
        label=_("Daily recap of appointments (staff and managers)"),
        group=BOOKING_DESK,
        roles=[RecipientRole("recipient", _("The staff member or manager"), lambda u, e: [u])],
        variables=VARIABLES,
        context=context,
        link=lambda user: "/admin/bookings/appointment/",
        recap=Recap(audience=audience, items=items, timing=timing),
        default_rules=[
            rule(
                "bookings.staff_recap/recipient",
                _("Send each person the appointments of their day (B-13)"),
                ["recipient"],
                ["email"],
                (
                    "Vos rendez-vous du {{ day|date:'l j F Y' }}",
                    "Bonjour {{ recipient_name }},\n\nLes rendez-vous du "
                    "{{ day|date:'l j F Y' }}\u00a0:\n{% for item in items %}"
                    + LINE_FR
                    + "{% endfor %}"
                    "\n\nVous recevez ce récapitulatif à l’heure que vous avez choisie.",
                ),
                (
                    "Your appointments on {{ day|date:'l, F j, Y' }}",
                    "Hello {{ recipient_name }},\n\nThe appointments of {{ day|date:'l, F j, Y' }}:"
                    "\n{% for item in items %}" + LINE_EN + "{% endfor %}"
                    "\n\nYou receive this recap at the hour you chose.",
                ),
            )
        ],
    )
)
