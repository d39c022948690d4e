"""Who hears of what happens to a booking: the roles of bookings' events.

Each resolver takes the event's target and the event. Where the message is personal
— each participant's own .ics, an approver's own one-tap links — it yields
`About(person, what the message is about for them)`: their participation, their
approval request. Contexts, conditions, links and attachments then read that object.
"""

from django.db.models import Q

from accounts.models import BACK_OFFICE_ROLES, Membership, User
from bookings.models import (
    BLOCKING_STATUSES,
    ApprovalRequest,
    Booking,
    BookingPage,
    CalendarCopy,
    Participant,
    Subscription,
)
from core.calendar import REQUEST
from notifications.recipients import About as about
from notifications.recipients import Recipient


def _person(participant):
    return participant.user if participant.user_id else participant


def booker(booking, event):
    participant = booking.participants.filter(is_booker=True).select_related("user").first()
    if participant is None:
        return []
    if booking.booker_id is None:  # a client without an account
        return [about(participant, participant)]
    if not booking.booker.is_active:
        return []
    return [about(booking.booker, participant)]


def booked_by(booking, event):
    manager = booking.booked_by
    if not manager or not manager.is_active or manager.pk == booking.booker_id:
        return []
    return [manager]


def participants(booking, event):
    present = booking.participants.filter(removed_at=None).select_related("user", "booking")
    return [about(_person(p), p) for p in present if not p.user_id or p.user.is_active]


def the_participant(booking, event):
    found = booking.participants.filter(pk=event.data.get("participant_id")).select_related("user")
    return [about(_person(p), p) for p in found]


def calendar_holders(booking, event):
    """People holding a REQUEST of the booking who take no part in it (the manager who
    booked for someone): their calendar must drop or move the event too."""
    present = {p.recipient_key for p in booking.participants.filter(removed_at=None)}
    keys = CalendarCopy.objects.filter(booking=booking, method=REQUEST).exclude(user=None)
    ids = [copy.user_id for copy in keys if copy.recipient_key not in present]
    return User.objects.filter(pk__in=ids, is_active=True)


def responsible_manager(booking, event):
    manager = _resource(booking).manager
    return [manager] if manager and manager.is_active else []


def approvers(booking, event):
    asked = ApprovalRequest.objects.filter(booking=booking).select_related("approver")
    return [about(request.approver, request) for request in asked if request.approver.is_active]


def staff_member(booking, event):
    staff = _resource(booking).staff_member
    return [staff] if staff and staff.is_active else []


def owner_managers(booking, event):
    """Agendize's "owner & manager": the contacts typed on the organisation's appointment
    page (no account needed), the agenda's responsible manager, else the organisation's
    managers — an appointment nobody in charge hears of would go unnoticed."""
    found = []
    page = BookingPage.objects.filter(organisation=booking.organisation_id).first()
    if page and (page.manager_email or page.manager_phone):
        found.append(
            Recipient(
                key=f"bookings.bookingpage:{page.pk}",
                name=str(booking.organisation),
                email=page.manager_email,
                phone=str(page.manager_phone or ""),
                time_zone=str(booking.organisation.time_zone),
            )
        )
    manager = _resource(booking).manager
    if manager and manager.is_active:
        found.append(manager)
    elif not found:
        found.extend(organisation_managers(booking.organisation_id))
    return found


def subscribers(booking, event):
    """Managers who asked for every booking of the organisation, one message each (B-15)."""
    return _subscribed(Subscription.Topic.EVERY_BOOKING, _resource(booking), each=True)


def _subscribed(topic, resource, each=False):
    found = Subscription.objects.filter(organisation=resource.organisation_id, topic=topic)
    if each:
        found = found.filter(delivery=Subscription.Delivery.EACH)
    supervisors = {resource.manager_id, *resource.approvers.values_list("pk", flat=True)}
    found = found.filter(Q(only_supervised=False) | Q(user__in=supervisors - {None}))
    return User.objects.filter(pk__in=found.values("user"), is_active=True)


def _resource(target):
    return target.resource


# Maintenance (the target is a Maintenance).


def booked_in_window(maintenance, event):
    """Everyone taking part in a booking of the resource during the maintenance."""
    bookings = Booking.objects.filter(
        resource=maintenance.resource_id,
        status__in=BLOCKING_STATUSES,
        start__lt=maintenance.end,
        end__gt=maintenance.start,
    )
    people = Participant.objects.filter(booking__in=bookings, removed_at=None)
    return User.objects.filter(pk__in=people.values("user"), is_active=True)


def maintenance_subscribers(maintenance, event):
    return _subscribed(Subscription.Topic.MAINTENANCE, maintenance.resource)


def maintenance_managers(maintenance, event):
    """Managers subscribed to every booking hear of the resource's maintenance too."""
    return _subscribed(Subscription.Topic.EVERY_BOOKING, maintenance.resource)


# Members (the target is a Validity or an Account).


def member(record, event):
    return [record.member] if record.member.is_active else []


def expiry_watchers(validity, event):
    """The profiles that receive every member's expiry alert (OpenFlyers)."""
    roles = validity.validity_type.alerted_roles or []
    if not roles:
        return []
    members = Membership.objects.filter(organisation=validity.organisation_id, role__in=roles)
    return User.objects.filter(pk__in=members.values("user"), is_active=True).exclude(
        pk=validity.member_id
    )


def organisation_managers(organisation_id):
    members = Membership.objects.filter(organisation=organisation_id, role__in=BACK_OFFICE_ROLES)
    return User.objects.filter(pk__in=members.values("user"), is_active=True)
