"""Every change to bookings, resources, maintenance and members' records goes through here.

The portal, the admin, the payment callback, the one-tap links, the demo and the
periodic tasks call these functions and nothing else saves the models: each change
sends its declared signal (bookings.signals) with who acted, so a booking moved in
the back office re-plans its reminders exactly like one moved on the portal.
"""

from bookings.availability import BookingRefused
from bookings.services.bookings import (
    add_add_ons,
    add_participant,
    approve,
    book,
    booking_at_resource,
    cancel,
    check_in,
    complete_ended,
    confirm_attendance,
    is_changeable,
    mark_no_show,
    mark_paid,
    move,
    reject,
    release_unchecked,
    remove_participant,
    save_booking,
    visible_bookings,
    visible_resources,
)
from bookings.services.members import (
    record_balance,
    save_validity,
    subscribe,
    unsubscribe,
    warn_expiring_validities,
)
from bookings.services.resources import end_maintenance, save_maintenance, save_resource

__all__ = [
    "BookingRefused",
    "add_add_ons",
    "add_participant",
    "approve",
    "book",
    "booking_at_resource",
    "cancel",
    "check_in",
    "complete_ended",
    "confirm_attendance",
    "end_maintenance",
    "is_changeable",
    "mark_no_show",
    "mark_paid",
    "move",
    "record_balance",
    "reject",
    "release_unchecked",
    "remove_participant",
    "save_booking",
    "save_maintenance",
    "save_resource",
    "save_validity",
    "subscribe",
    "unsubscribe",
    "visible_bookings",
    "visible_resources",
    "warn_expiring_validities",
]
