"""Booking, moving, cancelling, approving, paying, checking in (SPEC B-2 … B-9, B-18, B-19).

Two kinds of function: one with plain arguments for the portal and the links
(`book`, `move`, `cancel`…), and `save_booking(instance, actor, by=…)` for a form
that built the instance itself (the admin). The first calls the second.

No double booking (B-19). A resource that takes one booking at a time is guarded by
PostgreSQL itself (bookings/constraints.py): two people clicking at once both pass
the check below, and the database refuses the second insert. A pool of N (desks) is
counted under a row lock on the resource, so the second booker counts after the first
committed. On SQLite every write transaction is IMMEDIATE (config/settings.py): the
check and the insert run one transaction at a time, which is the same guarantee.
"""

import datetime

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

import notifications
from accounts.models import BACK_OFFICE_ROLES, Membership, User
from bookings import availability, constraints, signals
from bookings.availability import BookingRefused
from bookings.models import (
    BLOCKING_STATUSES,
    ApprovalRequest,
    Booking,
    BookingAddOn,
    Participant,
    Resource,
)
from bookings.signals import BACK_OFFICE, CLIENT

Status = Booking.Status
# Statuses a booking may still be moved, cancelled or joined in.
CHANGEABLE = (Status.PENDING_APPROVAL, Status.AWAITING_PAYMENT, Status.CONFIRMED, Status.HELD)


def visible_resources(user):
    """Resources a person may book and check in at: those of their organisations."""
    return Resource.objects.filter(
        organisation__memberships__user=user, is_active=True
    ).select_related("site", "organisation")


def _theirs(user):
    """Bookings a person makes or takes part in (a participant not removed)."""
    taking_part = Participant.objects.filter(user=user, removed_at=None).values("booking")
    return Q(booker=user) | Q(pk__in=taking_part)


def visible_bookings(user):
    """Bookings a person may open on the portal: theirs, those they take part in and, for
    managers, every booking of the organisations they manage."""
    managed = Membership.objects.filter(user=user, role__in=BACK_OFFICE_ROLES).values(
        "organisation"
    )
    return Booking.objects.filter(_theirs(user) | Q(organisation__in=managed))


def is_changeable(booking, now=None):
    return booking.status in CHANGEABLE and booking.end > (now or timezone.now())


def initial_status(resource, appointment=None):
    if resource.requires_approval or (appointment and appointment.service.requires_acceptance):
        return Status.PENDING_APPROVAL
    if _needs_payment(resource, appointment):
        return Status.AWAITING_PAYMENT
    return Status.CONFIRMED


def _needs_payment(resource, appointment=None):
    """A paid resource (B-3), or an appointment whose service is confirmed by payment (B-11)."""
    return resource.is_paid or bool(appointment and appointment.service.requires_payment)


def _appointment_of(booking):
    try:
        return booking.appointment
    except ObjectDoesNotExist:
        return None


def pay_by(booking, appointment, now):
    """When an appointment confirmed by payment must be paid (B-11): its service's time to
    pay, never past its start; None for a booking that has no deadline (B-3)."""
    if appointment is None or not appointment.service.requires_payment:
        return None
    return min(now + appointment.service.payment_window, booking.start)


def approvers_of(resource):
    """Who approves a resource's bookings: its approvers, else its manager, else the
    organisation's managers — a request nobody can answer would wait forever."""
    people = list(resource.approvers.filter(is_active=True))
    staff = resource.staff_member if resource.kind == Resource.Kind.AGENDA else None
    if not people and staff and staff.is_active:
        people = [staff]  # an appointment request: the staff member accepts it (B-11)
    if not people and resource.manager and resource.manager.is_active:
        people = [resource.manager]
    if not people:
        managers = Membership.objects.filter(
            organisation=resource.organisation_id, role__in=BACK_OFFICE_ROLES
        ).values("user")
        people = list(User.objects.filter(pk__in=managers, is_active=True))
    return people


def check_availability(resource, start, end, now, exclude=None):
    """Raise BookingRefused when the resource cannot hold this booking (see availability)."""
    problem = availability.refusal(resource, start, end, now, exclude)
    if problem is not None:
        raise problem


@transaction.atomic
def book(
    booker,
    resource,
    *,
    start,
    end,
    title="",
    actor=None,
    by=CLIENT,
    participants=(),
    add_ons=(),
    now=None,
    client=None,
    appointment=None,
):
    """A new booking of `resource` for `booker`, by them or by a manager (`actor`).

    `booker` None: a client without an account, whose `client` dict (name, email,
    phone, language) becomes the booker's participation; `appointment`, an unsaved
    Appointment (the service booked), is saved with the booking."""
    actor = actor or booker
    booking = Booking(
        organisation=resource.organisation,
        resource=resource,
        booker=booker,
        booked_by=actor if actor is not None and actor != booker else None,
        source=by,
        title=title,
        start=start,
        end=end,
    )
    return save_booking(
        booking,
        actor,
        by=by,
        participants=participants,
        add_ons=add_ons,
        now=now,
        client=client,
        appointment=appointment,
    )


@transaction.atomic
def save_booking(
    booking, actor, *, by, participants=(), add_ons=(), now=None, client=None, appointment=None
):
    """Save a booking from any form: a new one is checked, held and announced (B-2 … B-4);
    a new time is checked and announced to everyone taking part (B-6)."""
    now = now or timezone.now()
    if booking.pk is None:
        return _create(booking, actor, by, participants, add_ons, now, client, appointment)
    tracker = booking.tracker
    if any(tracker.has_changed(field) for field in ("start", "end", "resource")):
        return _move(booking, actor, by, now)
    booking.save()
    return booking


def _create(booking, actor, by, participants, add_ons, now, client=None, appointment=None):
    resource = booking.resource
    booking.organisation = resource.organisation
    booking.status = initial_status(resource, appointment)
    booking.price, booking.currency = resource.price, resource.currency
    if appointment is not None and appointment.service.requires_payment:
        booking.price, booking.currency = appointment.price, appointment.service.currency
    if booking.status == Status.AWAITING_PAYMENT:
        booking.pay_by = pay_by(booking, appointment, now)
    _validate(booking)
    _hold(booking, now)
    if appointment is not None:
        appointment.booking = booking
        appointment.save()
    if booking.booker_id:
        client = {
            "user": booking.booker,
            "name": str(booking.booker),
            "email": booking.booker.email,
            "language": booking.booker.language,
        }
    elif not client or not client.get("email"):
        raise BookingRefused(_("Please give an email address."), "email")
    Participant.objects.create(booking=booking, is_booker=True, **client)
    if booking.status == Status.PENDING_APPROVAL:
        ApprovalRequest.objects.bulk_create(
            ApprovalRequest(booking=booking, approver=person) for person in approvers_of(resource)
        )
    signals.booking_created.send(sender=Booking, booking=booking, actor=actor, by=by)
    if booking.status == Status.CONFIRMED:
        signals.booking_confirmed.send(sender=Booking, booking=booking, actor=actor)
    for fields in participants:
        add_participant(booking, actor, **fields)
    if add_ons:
        add_add_ons(booking, actor, add_ons)
    return booking


def _validate(booking):
    try:
        booking.full_clean(exclude=["organisation", "booker"])
    except ValidationError as error:
        field, problems = next(iter(error.message_dict.items()))
        raise BookingRefused(" ".join(problems), field) from error


def _hold(booking, now, exclude=None):
    """Check, then write: the moment two bookers race (see the module's docstring)."""
    resource = booking.resource
    if not resource.is_exclusive:
        # A pool: the second booker waits here until the first has committed, then counts.
        list(Resource.objects.select_for_update().filter(pk=resource.pk).values_list("pk"))
    check_availability(resource, booking.start, booking.end, now, exclude)
    booking.exclusive = resource.is_exclusive
    try:
        with transaction.atomic():
            booking.save()
    except (IntegrityError, OperationalError) as error:
        # Someone else got it a moment ago: the constraint says so, or PostgreSQL failed
        # this one of two overlapping inserts that were waiting for each other.
        if constraints.is_violation(error) or constraints.is_lost_race(error):
            raise BookingRefused(
                _("Already booked at that time: please choose another."), "start"
            ) from error
        raise


def _move(booking, actor, by, now):
    if not is_changeable(Booking.objects.get(pk=booking.pk), now):
        raise BookingRefused(_("This booking can no longer be changed."))
    tracker = booking.tracker
    old_start, old_end = tracker.previous("start"), tracker.previous("end")
    _validate(booking)
    _hold(booking, now, exclude=booking.pk)
    _bump_sequence(booking)
    signals.booking_moved.send(
        sender=Booking, booking=booking, actor=actor, by=by, old_start=old_start, old_end=old_end
    )
    notifications.target_moved(booking)
    return booking


@transaction.atomic
def move(booking, actor, *, start, end, by=CLIENT, now=None):
    """New times for a booking: checked like a new one, announced to all (B-6)."""
    booking.start, booking.end = start, end
    if not booking.tracker.has_changed("start") and not booking.tracker.has_changed("end"):
        return booking
    return save_booking(booking, actor, by=by, now=now)


def _bump_sequence(booking):
    """One more calendar version, counted in the database (a stale copy never writes an older)."""
    Booking.objects.filter(pk=booking.pk).update(sequence=F("sequence") + 1)
    booking.sequence = Booking.objects.values_list("sequence", flat=True).get(pk=booking.pk)


def _claim(booking, from_statuses, **changes):
    """Move the booking on only if it is still in one of `from_statuses`: a double tap, or
    the booker and a manager at once, change it once. True if this call did."""
    claimed = Booking.objects.filter(pk=booking.pk, status__in=from_statuses).update(
        updated_at=timezone.now(), **changes
    )
    booking.refresh_from_db()
    return bool(claimed)


@transaction.atomic
def cancel(booking, actor, *, by=CLIENT, now=None):
    """Cancel: everyone taking part gets a cancelling .ics (B-7); reminders are dropped."""
    status = Status.CANCELLED_BACK_OFFICE if by == BACK_OFFICE else Status.CANCELLED_BY_BOOKER
    if not _claim(
        booking,
        CHANGEABLE,
        status=status,
        cancelled_at=now or timezone.now(),
        sequence=F("sequence") + 1,
    ):
        return False
    signals.booking_cancelled.send(sender=Booking, booking=booking, actor=actor, by=by)
    notifications.target_cancelled(booking)
    return True


@transaction.atomic
def approve(booking, actor, now=None):
    """An approver says yes (B-4): paid resources, and appointments confirmed by payment
    (B-11), then wait for the payment."""
    now = now or timezone.now()
    appointment = _appointment_of(booking)
    paid = _needs_payment(booking.resource, appointment)
    if not _claim(
        booking,
        [Status.PENDING_APPROVAL],
        status=Status.AWAITING_PAYMENT if paid else Status.CONFIRMED,
        pay_by=pay_by(booking, appointment, now) if paid else None,
        decided_by=actor,
        decided_at=now,
        sequence=F("sequence") + 1,
    ):
        return False
    signals.booking_approved.send(sender=Booking, booking=booking, actor=actor)
    if booking.status == Status.CONFIRMED:
        signals.booking_confirmed.send(sender=Booking, booking=booking, actor=actor)
    return True


@transaction.atomic
def reject(booking, actor, note="", now=None):
    """An approver says no (B-4): the booker is told, the time is free again."""
    if not _claim(
        booking,
        [Status.PENDING_APPROVAL],
        status=Status.REJECTED,
        decided_by=actor,
        decided_at=now or timezone.now(),
        decision_note=note[:300],
        sequence=F("sequence") + 1,
    ):
        return False
    signals.booking_rejected.send(sender=Booking, booking=booking, actor=actor)
    notifications.target_cancelled(booking)
    return True


@transaction.atomic
def mark_paid(booking, actor=None, reference="", now=None):
    """Payment received (B-3), from the admin or the provider's callback: once only."""
    if not _claim(
        booking,
        [Status.AWAITING_PAYMENT],
        status=Status.CONFIRMED,
        paid_at=now or timezone.now(),
        payment_reference=reference[:100],
        sequence=F("sequence") + 1,
    ):
        return False
    signals.booking_paid.send(sender=Booking, booking=booking, actor=actor)
    signals.booking_confirmed.send(sender=Booking, booking=booking, actor=actor)
    return True


@transaction.atomic
def check_in(booking, actor, now=None):
    """Check in inside the resource's window; BookingRefused says when it is open."""
    now = now or timezone.now()
    opens, closes = booking.check_in_opens, booking.check_in_closes
    if booking.status == Status.CHECKED_IN:
        return False
    if booking.status != Status.CONFIRMED:
        raise BookingRefused(_("Only a confirmed booking can be checked in."))
    if not opens <= now <= closes:
        zone = booking.zone
        raise BookingRefused(
            _("Check-in is open from %(opens)s to %(closes)s.")
            % {
                "opens": timezone.localtime(opens, zone).strftime("%H:%M"),
                "closes": timezone.localtime(closes, zone).strftime("%H:%M"),
            }
        )
    if not _claim(booking, [Status.CONFIRMED], status=Status.CHECKED_IN, checked_in_at=now):
        return False
    signals.booking_checked_in.send(sender=Booking, booking=booking, actor=actor)
    return True


def booking_at_resource(resource, user, now=None):
    """The booking a person scanning the resource's QR code means (B-1): theirs, as booker
    or participant, confirmed or already checked in, whose check-in window is open now;
    else their next one there, so the page can say when its window opens; else None."""
    now = now or timezone.now()
    theirs = Booking.objects.filter(
        _theirs(user),
        resource=resource,
        status__in=[Status.CONFIRMED, Status.CHECKED_IN],
    ).order_by("start")
    # The window is [start - opens, start + closes]: open now when start is within
    # [now - closes, now + opens].
    latest_start = now + datetime.timedelta(minutes=resource.check_in_opens_minutes)
    earliest_start = now - datetime.timedelta(minutes=resource.check_in_closes_minutes)
    return (
        theirs.filter(start__gte=earliest_start, start__lte=latest_start).first()
        or theirs.filter(start__gt=latest_start).first()
    )


@transaction.atomic
def confirm_attendance(participant, actor=None, now=None):
    """The booker (or a participant) says they will come (B-18): no message, a fact shown."""
    if not is_changeable(participant.booking, now):
        raise BookingRefused(_("This booking can no longer be changed."))
    return bool(
        Participant.objects.filter(pk=participant.pk, attendance_confirmed_at=None).update(
            attendance_confirmed_at=now or timezone.now()
        )
    )


@transaction.atomic
def add_participant(booking, actor, *, user=None, name="", email="", language="fr"):
    """Someone joins the booking: they alone get an invitation with the .ics (B-8)."""
    if not is_changeable(booking):
        raise BookingRefused(_("This booking can no longer be changed."))
    present = booking.participants.filter(removed_at=None)
    if user is not None and present.filter(user=user).exists():
        raise BookingRefused(_("%(name)s already takes part.") % {"name": user}, "user")
    if user is None and email and present.filter(email__iexact=email, user=None).exists():
        raise BookingRefused(_("%(name)s already takes part.") % {"name": email}, "email")
    if user is not None:
        name, email, language = str(user), user.email, user.language
    participant = Participant.objects.create(
        booking=booking, user=user, name=name, email=email, language=language
    )
    signals.participant_added.send(sender=Participant, participant=participant, actor=actor)
    notifications.target_moved(booking)  # the new participant's reminders are planned
    return participant


@transaction.atomic
def remove_participant(participant, actor):
    """Someone leaves the booking: a CANCEL for them alone, their reminders dropped (B-8)."""
    if participant.is_booker:
        raise BookingRefused(_("The booker cannot be removed: cancel the booking instead."))
    claimed = Participant.objects.filter(pk=participant.pk, removed_at=None).update(
        removed_at=timezone.now()
    )
    participant.refresh_from_db()
    if not claimed:
        return False
    booking = participant.booking
    _bump_sequence(booking)  # their CANCEL must supersede the REQUEST they hold
    signals.participant_removed.send(sender=Participant, participant=participant, actor=actor)
    notifications.target_moved(booking)  # replanning drops this participant's reminders
    return True


@transaction.atomic
def add_add_ons(booking, actor, items):
    """Add-on services ordered with a booking (B-5): `items` is [(add_on, quantity)]."""
    if not is_changeable(booking):
        raise BookingRefused(_("This booking can no longer be changed."))
    lines = []
    for add_on, quantity in items:
        if add_on.resource_id != booking.resource_id or not add_on.is_active or quantity < 1:
            raise BookingRefused(_("This service is not offered with this resource."), "add_ons")
        lines.append(
            BookingAddOn.objects.create(
                booking=booking, add_on=add_on, quantity=quantity, unit_price=add_on.price
            )
        )
    total = sum((line.unit_price * line.quantity for line in lines), start=booking.price * 0)
    Booking.objects.filter(pk=booking.pk).update(price=F("price") + total)
    booking.refresh_from_db()
    signals.add_ons_added.send(sender=Booking, booking=booking, actor=actor, lines=lines)
    return lines


def release_unchecked(now=None):
    """Free resources nobody checked in to, once their check-in has closed: released and
    the booker told (B-1, `bookings.auto_cancelled`). Returns how many."""
    now = now or timezone.now()
    candidates = Booking.objects.filter(
        status=Status.CONFIRMED,
        resource__auto_cancel_without_check_in=True,
        start__lte=now,
        start__gte=now - datetime.timedelta(days=1),
    ).select_related("resource")
    released = 0
    for booking in candidates:
        if booking.check_in_closes < now:
            released += _release(booking)
    return released


@transaction.atomic
def _release(booking):
    if not _claim(
        booking,
        [Status.CONFIRMED],
        status=Status.AUTO_CANCELLED,
        cancelled_at=timezone.now(),
        sequence=F("sequence") + 1,
    ):
        return 0
    signals.booking_released.send(sender=Booking, booking=booking)
    notifications.target_cancelled(booking)
    return 1


@transaction.atomic
def mark_no_show(booking, actor):
    """Nobody came (from the back office): the time is over, the booking is a no-show."""
    return _claim(booking, [Status.CONFIRMED], status=Status.NO_SHOW)


def complete_ended(now=None):
    """Bookings whose time is over are completed; nothing is announced."""
    now = now or timezone.now()
    # Appointments are closed by their staff (completed, or no-show), each with its message.
    return Booking.objects.filter(
        status__in=[Status.CONFIRMED, Status.CHECKED_IN], end__lte=now, appointment=None
    ).update(status=Status.COMPLETED, updated_at=now)


__all__ = ["BLOCKING_STATUSES", "BookingRefused"]
