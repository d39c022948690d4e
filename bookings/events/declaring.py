"""Declaring bookings' events: groups, roles, anchors, conditions, files and links, and the
helpers `booking_event` and `rule` that shipped.py registers them with."""

from django.utils.translation import gettext_lazy as _

import bookings.events.people as people
from bookings import calendar
from bookings.events.context import (
    VARIABLES,
    booking_context,
    booking_of,
    participant_of,
)
from bookings.models import Booking
from notifications.events import (
    Anchor,
    Condition,
    DefaultRule,
    EventGroup,
    EventType,
    RecipientRole,
    register,
)

BOOKINGS = EventGroup("bookings", _("My bookings"))
BOOKING_DESK = EventGroup("booking_desk", _("Bookings I handle"), staff_only=True)
MAINTENANCE = EventGroup("maintenance", _("Resource maintenance"))
MEMBERSHIP = EventGroup("membership", _("My validities and balance"))

ROLES = {
    role.code: role
    for role in [
        RecipientRole("booker", _("The booker"), people.booker),
        RecipientRole("booked_by", _("The manager who booked for the booker"), people.booked_by),
        RecipientRole(
            "participants", _("Everyone taking part (the booker too)"), people.participants
        ),
        RecipientRole(
            "the_participant", _("The participant added or removed"), people.the_participant
        ),
        RecipientRole(
            "calendar_holders",
            _("Others holding the booking in their calendar"),
            people.calendar_holders,
        ),
        RecipientRole(
            "responsible_manager",
            _("The resource's responsible manager"),
            people.responsible_manager,
        ),
        RecipientRole("approvers", _("The resource's approvers"), people.approvers),
        RecipientRole(
            "staff_member", _("The staff member whose agenda it is"), people.staff_member
        ),
        RecipientRole("subscribers", _("Managers who receive every booking"), people.subscribers),
        RecipientRole(
            "owner_managers",
            _("Owner & manager (the page's contacts, else the managers)"),
            people.owner_managers,
        ),
    ]
}


# When: reminders hang on these (checked again at send time).

ANCHORS = [
    Anchor("start", _("Start of the booking"), "start"),
    Anchor("end", _("End of the booking"), "end"),
    Anchor("check_in_opens", _("Check-in opens"), "check_in_opens"),
    Anchor("created", _("Booking made"), "created_at"),
]


def _still_on(obj, event):
    booking, participant = booking_of(obj), participant_of(obj)
    return booking.is_active and (participant is None or participant.removed_at is None)


def _confirmed(obj, event):
    return _still_on(obj, event) and booking_of(obj).status in (
        Booking.Status.CONFIRMED,
        Booking.Status.CHECKED_IN,
    )


def _not_checked_in(obj, event):
    return _still_on(obj, event) and booking_of(obj).status == Booking.Status.CONFIRMED


def _unpaid(obj, event):
    return booking_of(obj).status == Booking.Status.AWAITING_PAYMENT


def _pending(obj, event):
    return booking_of(obj).status == Booking.Status.PENDING_APPROVAL


CONDITIONS = [
    Condition("still_on", _("The booking still holds, and the reader still takes part"), _still_on),
    Condition("confirmed", _("The booking is confirmed"), _confirmed),
    Condition("not_checked_in", _("Confirmed and nobody checked in yet"), _not_checked_in),
    Condition("still_unpaid", _("Still unpaid"), _unpaid),
    Condition("still_pending", _("Still waiting for approval"), _pending),
]


def booking_files(obj, delivery):
    """Every booking email carries the booking's current .ics, for its reader (OpenFlyers)."""
    booking = booking_of(obj)
    participant = participant_of(obj) or calendar.participant_of(booking, delivery)
    found = calendar.attachment_for(booking, participant, delivery)
    return [found] if found else []


def booking_link(obj):
    """The booking's page, for readers with an account (a guest has no page to open)."""
    participant = participant_of(obj)
    if participant is not None and not participant.user_id:
        return ""
    return booking_of(obj).get_absolute_url()


def rule(key, name, roles, channels, fr, en, push=None, **options):
    """A shipped rule: (subject, text) per language for email and in-app, and a short
    push (title, text) per language when the rule pushes."""
    templates = {}
    for channel in channels + [options.get("fallback_channel", "")]:
        if not channel:
            continue
        wording = push if channel == "push" and push else (fr, en)
        templates[(channel, "fr")], templates[(channel, "en")] = wording
    return DefaultRule(
        key=key, name=name, roles=roles, channels=channels, templates=templates, **options
    )


def booking_event(
    code,
    label,
    roles,
    rules,
    variables=VARIABLES,
    context=booking_context,
    group=BOOKINGS,
    **options,
):
    return register(
        EventType(
            code=code,
            label=label,
            group=group,
            roles=[ROLES[r] for r in roles],
            variables=variables,
            context=context,
            anchors=ANCHORS,
            conditions=CONDITIONS,
            attachments=booking_files,
            link=booking_link,
            default_rules=rules,
            # The booker who booked, moved or cancelled is told too: their calendar follows.
            notify_actor=options.pop("notify_actor", True),
            **options,
        )
    )
