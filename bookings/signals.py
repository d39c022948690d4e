"""What happens to bookings, and who hears of it.

Declared signals: `bookings.services` sends one for each change worth announcing,
after it is saved, with who acted as `actor` (a user, or None for the system) and
whether the booker or the back office did it as `by` where SPEC tells them apart
(B-2, B-6, B-7). A plain model save cannot tell who acted, so no receiver listens
to one. Receivers: thin, each turns one signal into one `notifications.emit`; the
event's roles then give each participant their own message (events.py).
"""

from django.core.exceptions import ObjectDoesNotExist
from django.dispatch import Signal, receiver
from django.utils import timezone

import notifications

CLIENT, BACK_OFFICE = "client", "back_office"

# Declared signals. Senders pass the model class changed and the keyword arguments listed.
booking_created = Signal()  # booking, actor, by
booking_confirmed = Signal()  # booking, actor: it now holds for sure (reminders hang on it)
booking_moved = Signal()  # booking, actor, by, old_start, old_end
booking_cancelled = Signal()  # booking, actor, by
booking_released = Signal()  # booking (nobody checked in: actor None)
booking_approved = Signal()  # booking, actor
booking_rejected = Signal()  # booking, actor
booking_paid = Signal()  # booking, actor (None: the payment provider)
booking_checked_in = Signal()  # booking, actor
participant_added = Signal()  # participant, actor
participant_removed = Signal()  # participant, actor
add_ons_added = Signal()  # booking, actor, lines (BookingAddOn rows)
maintenance_announced = Signal()  # maintenance, actor
maintenance_ended = Signal()  # maintenance, actor
validity_expiring = Signal()  # validity, days_left
balance_low = Signal()  # account, threshold
appointment_completed = Signal()  # booking, actor
appointment_no_show = Signal()  # booking, actor
appointment_unpaid_released = Signal()  # booking (not paid by its deadline: actor None)
waitlist_offered = Signal()  # offer (a freed slot held for the next person waiting)
waitlist_expired = Signal()  # offer (its window passed unclaimed)
# A booking waiting (on a waitlist for its slot) confirmed because someone withdrew:
# booking, old_state, new_state, old_start — OpenFlyers' "modification", not a new booking.
booking_promoted = Signal()
sms_confirmation_asked = Signal()  # booking (the client's number waits for their email)

# An appointment (a booking on an agenda for a service) has events of its own: its client,
# its staff member and the owner & manager hear of it in their own words (B-11, B-17).
APPOINTMENT_CODES = {
    "bookings.booked_by_client": "bookings.appointment_booked_online",
    "bookings.booked_by_back_office": "bookings.appointment_booked_by_back_office",
    "bookings.approval_requested": "bookings.appointment_requested",
    "bookings.approved": "bookings.appointment_accepted",
    "bookings.rejected": "bookings.appointment_refused",
    "bookings.confirmed": "bookings.appointment_confirmed",
    "bookings.moved_by_client": "bookings.appointment_moved_by_client",
    "bookings.moved_by_back_office": "bookings.appointment_moved_by_back_office",
    "bookings.cancelled_by_client": "bookings.appointment_cancelled_by_client",
    "bookings.cancelled_by_back_office": "bookings.appointment_cancelled_by_back_office",
    "bookings.awaiting_payment": "bookings.appointment_awaiting_payment",
    "bookings.payment_received": "bookings.appointment_paid",
}


def is_appointment(target):
    try:
        return target.appointment is not None
    except (AttributeError, ObjectDoesNotExist):
        return False


def _emit(code, target, actor, **data):
    """Every message says who did it and when: the event carries both."""
    if code in APPOINTMENT_CODES and is_appointment(target):
        code = APPOINTMENT_CODES[code]
    notifications.emit(
        code,
        target,
        actor=actor,
        actor_name=str(actor) if actor else "",
        done_at=timezone.now().isoformat(),
        **data,
    )


# Receivers.


@receiver(booking_created, dispatch_uid="bookings.created")
def announce_booking(sender, booking, actor, by, **kwargs):
    status = booking.status
    if status == booking.Status.PENDING_APPROVAL:
        _emit("bookings.approval_requested", booking, actor, by=by)
    elif status == booking.Status.AWAITING_PAYMENT:
        _emit("bookings.awaiting_payment", booking, actor, by=by)
    elif by == BACK_OFFICE:
        _emit("bookings.booked_by_back_office", booking, actor)
    else:
        _emit("bookings.booked_by_client", booking, actor)


@receiver(booking_confirmed, dispatch_uid="bookings.confirmed")
def announce_confirmation(sender, booking, actor, **kwargs):
    _emit("bookings.confirmed", booking, actor)


@receiver(booking_moved, dispatch_uid="bookings.moved")
def announce_move(sender, booking, actor, by, old_start, old_end, **kwargs):
    code = "bookings.moved_by_back_office" if by == BACK_OFFICE else "bookings.moved_by_client"
    _emit(code, booking, actor, old_start=old_start.isoformat(), old_end=old_end.isoformat())


@receiver(booking_cancelled, dispatch_uid="bookings.cancelled")
def announce_cancellation(sender, booking, actor, by, **kwargs):
    code = (
        "bookings.cancelled_by_back_office" if by == BACK_OFFICE else "bookings.cancelled_by_client"
    )
    _emit(code, booking, actor)


@receiver(booking_released, dispatch_uid="bookings.released")
def announce_release(sender, booking, **kwargs):
    _emit("bookings.auto_cancelled", booking, None)


@receiver(booking_approved, dispatch_uid="bookings.approved")
def announce_approval(sender, booking, actor, **kwargs):
    _emit("bookings.approved", booking, actor)


@receiver(booking_rejected, dispatch_uid="bookings.rejected")
def announce_rejection(sender, booking, actor, **kwargs):
    _emit("bookings.rejected", booking, actor)


@receiver(booking_paid, dispatch_uid="bookings.paid")
def announce_payment(sender, booking, actor, **kwargs):
    _emit("bookings.payment_received", booking, actor)


@receiver(participant_added, dispatch_uid="bookings.participant_added")
def announce_participant(sender, participant, actor, **kwargs):
    _emit("bookings.participant_added", participant.booking, actor, participant_id=participant.pk)


@receiver(participant_removed, dispatch_uid="bookings.participant_removed")
def announce_removal(sender, participant, actor, **kwargs):
    _emit("bookings.participant_removed", participant.booking, actor, participant_id=participant.pk)


@receiver(add_ons_added, dispatch_uid="bookings.add_ons_added")
def announce_add_ons(sender, booking, actor, lines, **kwargs):
    _emit("bookings.add_ons_added", booking, actor, add_on_ids=[line.pk for line in lines])


@receiver(maintenance_announced, dispatch_uid="bookings.maintenance_announced")
def announce_maintenance(sender, maintenance, actor, **kwargs):
    _emit("bookings.maintenance_announced", maintenance, actor)


@receiver(maintenance_ended, dispatch_uid="bookings.maintenance_ended")
def announce_maintenance_end(sender, maintenance, actor, **kwargs):
    _emit("bookings.maintenance_ended", maintenance, actor)


@receiver(validity_expiring, dispatch_uid="bookings.validity_expiring")
def announce_expiry(sender, validity, days_left, **kwargs):
    _emit("bookings.validity_expiring", validity, None, days_left=days_left)


@receiver(balance_low, dispatch_uid="bookings.balance_low")
def announce_low_balance(sender, account, threshold, **kwargs):
    _emit(
        "bookings.balance_low",
        account,
        None,
        threshold=str(threshold),
        balance=str(account.balance),
    )


@receiver(appointment_completed, dispatch_uid="bookings.appointment_completed")
def announce_completion(sender, booking, actor, **kwargs):
    _emit("bookings.appointment_completed", booking, actor)


@receiver(appointment_no_show, dispatch_uid="bookings.appointment_no_show")
def announce_no_show(sender, booking, actor, **kwargs):
    _emit("bookings.appointment_no_show", booking, actor)


@receiver(appointment_unpaid_released, dispatch_uid="bookings.appointment_unpaid_released")
def announce_unpaid_release(sender, booking, **kwargs):
    _emit("bookings.appointment_unpaid_released", booking, None)


@receiver(sms_confirmation_asked, dispatch_uid="bookings.sms_confirmation_asked")
def ask_sms_confirmation(sender, booking, **kwargs):
    _emit("bookings.appointment_sms_confirmation", booking, None)


@receiver(waitlist_offered, dispatch_uid="bookings.waitlist_offered")
def announce_offer(sender, offer, **kwargs):
    _emit("bookings.waitlist_offered", offer, None)


@receiver(waitlist_expired, dispatch_uid="bookings.waitlist_expired")
def announce_expiry_of_offer(sender, offer, **kwargs):
    _emit("bookings.waitlist_expired", offer, None)


@receiver(booking_promoted, dispatch_uid="bookings.promoted")
def announce_promotion(sender, booking, old_state, new_state, old_start, **kwargs):
    _emit(
        "bookings.appointment_promoted",
        booking,
        None,
        old_state=old_state,
        new_state=new_state,
        old_start=old_start.isoformat(),
    )
