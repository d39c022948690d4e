"""The test domain's events: enough roles, anchors and conditions to exercise the engine."""

import datetime

from accounts.models import BACK_OFFICE_ROLES, User
from notifications.events import (
    Anchor,
    Condition,
    DefaultRule,
    EventGroup,
    EventType,
    Priority,
    RecipientRole,
    Variable,
    register,
)

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
