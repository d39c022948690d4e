"""Appointments: booked, moved, cancelled, accepted, closed and reviewed (SPEC B-10, B-11, B-17).

An appointment is a booking on a staff member's agenda: these functions work out
its times from the service (duration, then the buffer the agenda keeps free) and
call the booking services, which check, hold and announce it. What the message
says is chosen by the signals: an appointment's events are its own (events/appointments).
"""

import datetime

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

import notifications
from bookings import availability, signals
from bookings.availability import BookingRefused
from bookings.models import Appointment, Booking, Resource
from bookings.services import bookings as booking_services
from bookings.services import clients, waitlists
from bookings.signals import BACK_OFFICE, CLIENT
from notifications.models import RecapSchedule

Status = Booking.Status
SLOT_STEP = datetime.timedelta(minutes=15)
STAFF_RECAP = "bookings.staff_recap"


def agendas_for(service):
    """The agendas offering a service that can be booked now."""
    return service.agendas.filter(kind=Resource.Kind.AGENDA, is_active=True).select_related(
        "staff_member", "site"
    )


def slots(service, agenda, day, now=None, exclude=None):
    """The starts a client may pick on `day` (the agenda's own clock) for `service`."""
    now = now or timezone.now()
    starts = []
    for opens, closes in availability.opening_intervals(agenda, day):
        moment = opens
        while moment + service.held_for <= closes:
            end = moment + service.held_for
            if availability.refusal(agenda, moment, end, now, exclude) is None:
                starts.append(moment)
            moment += SLOT_STEP
    return starts


def full_slots(agenda, day):
    """The day's appointments already booked on `agenda` that a client may wait for (B-12)."""
    opens = [o for o, _c in availability.opening_intervals(agenda, day)]
    if not opens:
        return []
    closes = max(c for _o, c in availability.opening_intervals(agenda, day))
    return list(
        availability.blocking_bookings(agenda, min(opens), closes)
        .exclude(appointment=None)
        .filter(start__gte=timezone.now())
        .values_list("start", flat=True)
    )


def any_free_agenda(service, start, now=None, exclude=None):
    """The first agenda offering `service` free at `start` ("any staff member"), or None."""
    for agenda in agendas_for(service):
        end = start + service.held_for
        if availability.refusal(agenda, start, end, now, exclude) is None:
            return agenda
    return None


@transaction.atomic
def book_appointment(service, agenda, start, client, *, actor=None, by=CLIENT, now=None):
    """Book `service` at `start` on `agenda` (None: any free one) for `client`
    (a dict: name, email, phone, language) or for `actor`'s chosen user `client["user"]`."""
    if not service.is_active:
        raise BookingRefused(_("This service is no longer offered."), "service")
    if agenda is None:
        agenda = any_free_agenda(service, start, now)
        if agenda is None:
            raise BookingRefused(_("Already booked at that time: please choose another."), "start")
    elif not service.agendas.filter(pk=agenda.pk).exists():
        raise BookingRefused(_("This staff member does not offer this service."), "agenda")
    booker = client.pop("user", None)
    booking = booking_services.book(
        booker,
        agenda,
        start=start,
        end=start + service.held_for,
        title=service.name,
        actor=actor,
        by=by,
        now=now,
        client=None if booker else client,
        appointment=Appointment(service=service, price=service.price),
    )
    return booking.appointment


@transaction.atomic
def book_online(service, agenda, start, client, *, sms_text="", page="", over_limits=False):
    """A client of the public page books: the appointment and, if they ticked it, their SMS
    consent, in one transaction — the confirmation's texts are planned knowing it."""
    appointment = book_appointment(service, agenda, start, dict(client))
    participant = appointment.booking.participants.get(is_booker=True)
    if participant.phone and sms_text:
        clients.record_sms_consent(participant, sms_text, page, confirmed=not over_limits)
    return appointment


@transaction.atomic
def book_for_client(service, agenda, start, client, actor, *, sms_text="", page=""):
    """The back office books for a client (B-17); the SMS consent the manager ticked for them
    goes to the ledger with its text, who ticked it and when — or nothing does, if the slot
    was taken meanwhile."""
    appointment = book_appointment(
        service, agenda, start, dict(client), actor=actor, by=BACK_OFFICE
    )
    phone = appointment.booking.participants.get(is_booker=True).phone
    if phone and sms_text:
        clients.record_given_sms_consent(
            service.organisation, phone, sms_text, page, admin_user=actor
        )
    return appointment


@transaction.atomic
def move_appointment(appointment, actor, start, *, by=CLIENT, now=None):
    """A new time for the same service and staff member (B-6, B-17); the old slot goes to
    the waitlist (B-12)."""
    booking = appointment.booking
    old_start = booking.start
    booking_services.move(
        booking, actor, start=start, end=start + appointment.service.held_for, by=by, now=now
    )
    if booking.start != old_start:
        waitlists.slot_freed(appointment.service, booking.resource, old_start, now)
    return booking


@transaction.atomic
def cancel_appointment(appointment, actor, *, by=CLIENT, now=None):
    """Cancelled (B-7, B-17): its slot is offered to the next person waiting (B-12)."""
    booking = appointment.booking
    if not booking_services.cancel(booking, actor, by=by, now=now):
        return False
    waitlists.slot_freed(appointment.service, booking.resource, booking.start, now)
    return True


def release_unpaid(now=None):
    """Beat: appointments confirmed by payment still unpaid at their deadline are released,
    the client told, and the slot offered to the next person waiting (B-11, B-12)."""
    now = now or timezone.now()
    due = Booking.objects.filter(status=Status.AWAITING_PAYMENT, pay_by__lte=now)
    return sum(_release_unpaid(booking, now) for booking in due.exclude(appointment=None))


@transaction.atomic
def _release_unpaid(booking, now):
    # Paid a moment ago (the provider's callback won the race): it holds, nothing happens.
    if not booking_services._claim(
        booking,
        [Status.AWAITING_PAYMENT],
        status=Status.UNPAID_RELEASED,
        cancelled_at=now,
        sequence=F("sequence") + 1,
    ):
        return 0
    signals.appointment_unpaid_released.send(sender=Booking, booking=booking)
    notifications.target_cancelled(booking)
    waitlists.slot_freed(booking.appointment.service, booking.resource, booking.start, now)
    return 1


def _close(appointment, status, signal, actor, now):
    booking = appointment.booking
    now = now or timezone.now()
    if booking.start > now:
        raise BookingRefused(_("The appointment has not started yet."))
    if not booking_services._claim(booking, [Status.CONFIRMED, Status.CHECKED_IN], status=status):
        return False
    signal.send(sender=Booking, booking=booking, actor=actor)
    return True


@transaction.atomic
def complete(appointment, actor, now=None):
    """Done: the client is thanked and asked for a review (B-10)."""
    return _close(appointment, Status.COMPLETED, signals.appointment_completed, actor, now)


@transaction.atomic
def no_show(appointment, actor, now=None):
    """The client did not come: they are told, and it counts against them (B-10)."""
    return _close(appointment, Status.NO_SHOW, signals.appointment_no_show, actor, now)


@transaction.atomic
def review(appointment, stars, comment="", now=None):
    """The client's stars and comment, once, after a completed appointment (B-10)."""
    if appointment.booking.status != Status.COMPLETED:
        raise BookingRefused(_("Only a completed appointment can be reviewed."))
    if not 1 <= stars <= 5:
        raise BookingRefused(_("Choose from one to five stars."), "stars")
    done = Appointment.objects.filter(pk=appointment.pk, reviewed_at=None).update(
        review_stars=stars, review_comment=comment[:2000], reviewed_at=now or timezone.now()
    )
    appointment.refresh_from_db()
    if not done:
        raise BookingRefused(_("This appointment has already been reviewed. Thank you!"))
    return appointment


def no_shows_of(organisation):
    """No-shows per client address, most first (the manager's view, B-10)."""
    return (
        Booking.objects.filter(organisation=organisation, status=Status.NO_SHOW)
        .exclude(appointment=None)
        .filter(participants__is_booker=True)
        .values(email=F("participants__email"))
        .annotate(count=Count("pk"))
        .order_by("-count", "email")
    )


@transaction.atomic
def save_staff_recap(recap):
    """A person's recap hour (B-13); the engine's schedule for staff recaps comes with the
    first one (each person's own hour and day are read from their StaffRecap)."""
    recap.save()
    RecapSchedule.objects.get_or_create(
        event_code=STAFF_RECAP,
        organisation=None,
        defaults={"send_time": recap.send_time, "day": recap.day},
    )
    return recap
