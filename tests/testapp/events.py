"""The test domain's events: enough roles, anchors and conditions to exercise the engine."""

import datetime

from accounts.models import BACK_OFFICE_ROLES, User
from notifications.events import (
    Anchor,
    Condition,
    DefaultRule,
    EventGroup,
    EventType,
    OptIn,
    Priority,
    Recap,
    RecipientRole,
    Variable,
    register,
)
from tests.testapp.models import Appointment

ROLES = [
    RecipientRole("client", "Client", lambda appointment, event: [appointment.client]),
    RecipientRole("staff", "Staff", lambda appointment, event: appointment.staff.all()),
    RecipientRole("guests", "Guests", lambda appointment, event: appointment.guests.all()),
    RecipientRole(
        "managers",
        "Managers",
        lambda appointment, event: User.objects.filter(
            memberships__organisation=appointment.organisation_id,
            memberships__role__in=BACK_OFFICE_ROLES,
        ),
    ),
]
VARIABLES = [
    Variable("title", "Title", "Coupe"),
    Variable("start", "Start", datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC)),
]
ANCHORS = [Anchor("start", "Start", "start"), Anchor("created", "Created", "created_at")]
CONDITIONS = [
    Condition(
        "created_48h_before_start",
        "Created at least 48 h before the start",
        lambda a, event: a.start - a.created_at >= datetime.timedelta(hours=48),
    ),
    Condition("still_unpaid", "Still unpaid", lambda a, event: not a.paid),
]


def _context(appointment, data):
    return {"title": appointment.title, "start": appointment.start}


def _ics(appointment, delivery):
    return [("rdv.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")]


register(
    EventType(
        code="testapp.booked",
        label="Appointment booked",
        group=EventGroup("appointments", "Appointments"),
        roles=ROLES,
        variables=VARIABLES,
        context=_context,
        anchors=ANCHORS,
        conditions=CONDITIONS,
        priority=Priority.HIGH,
        attachments=_ics,
        default_rules=[
            DefaultRule(
                key="testapp.booked/confirmation",
                name="Confirm the booking",
                roles=["client"],
                channels=["email"],
                templates={
                    ("email", "fr"): ("Rendez-vous {{ title }}", "Le {{ start }}."),
                    ("email", "en"): ("Appointment {{ title }}", "On {{ start }}."),
                },
            )
        ],
    )
)
register(
    EventType(
        code="testapp.secret_code",
        label="Security code",
        group=EventGroup("security", "Security"),
        roles=ROLES[:1],
        variables=[Variable("code", "Code", "123456")],
        context=lambda appointment, data: {"code": data.get("code", "")},
        mandatory=True,
        priority=Priority.HIGH,
    )
)


def _staff_with_appointments(organisation):
    return User.objects.filter(
        pk__in=Appointment.objects.filter(organisation=organisation).values("staff")
    )


def _appointments_of(user, organisation, start, end):
    appointments = Appointment.objects.filter(
        organisation=organisation, staff=user, start__gte=start, start__lt=end
    ).order_by("start")
    return [{"title": a.title, "start": a.start.isoformat()} for a in appointments]


def _recap_context(user, data):
    items = [
        item | {"start": datetime.datetime.fromisoformat(item["start"])} for item in data["items"]
    ]
    return {"items": items, "day": datetime.date.fromisoformat(data["day"])}


register(
    EventType(
        code="testapp.daily_recap",
        label="Daily recap of appointments",
        group=EventGroup("recaps", "Recaps"),
        roles=[RecipientRole("recipient", "The staff member", lambda user, event: [user])],
        variables=[
            Variable("day", "Day", datetime.date(2026, 12, 2)),
            Variable("items", "Appointments", [{"title": "Coupe", "start": VARIABLES[1].example}]),
        ],
        context=_recap_context,
        recap=Recap(audience=_staff_with_appointments, items=_appointments_of),
    )
)


# A double opt-in (SPEC N-20), as snow alerts have: a confirmation request, then the alerts.
register(
    EventType(
        code="testapp.alert_opt_in",
        label="Confirm your alert subscription",
        group=EventGroup("consent", "Consent"),
        roles=ROLES[:1],
        mandatory=True,
        priority=Priority.HIGH,
        opt_in=OptIn("alerts", request=True),
    )
)
register(
    EventType(
        code="testapp.alert",
        label="Alert",
        group=EventGroup("alerts", "Alerts"),
        roles=ROLES[:1],
        priority=Priority.BULK,
        opt_in=OptIn("alerts"),
    )
)
