"""Bookings: resources people book, the bookings, and what members must keep valid.

Appointments (issue 21) build on the same tables: a resource of kind "agenda" is a staff
member's diary, and the booking statuses already carry the hold a waitlist claim needs.
"""

from bookings.models.appointments import (
    Appointment,
    BookingPage,
    Service,
    StaffRecap,
    TimeOff,
)
from bookings.models.bookings import (
    BLOCKING_STATUSES,
    SMS_PURPOSE,
    ApprovalRequest,
    Booking,
    BookingAddOn,
    CalendarCopy,
    OneTapUse,
    Participant,
)
from bookings.models.members import (
    Account,
    BalanceThreshold,
    Subscription,
    Validity,
    ValidityType,
)
from bookings.models.proxies import AppointmentNoShow, AppointmentReview, BookingToApprove
from bookings.models.resources import AddOn, Closure, Maintenance, OpeningHours, Resource
from bookings.models.waitlists import Waitlist, WaitlistEntry, WaitlistOffer

__all__ = [
    "BLOCKING_STATUSES",
    "SMS_PURPOSE",
    "Account",
    "ApprovalRequest",
    "Appointment",
    "BookingPage",
    "Service",
    "StaffRecap",
    "TimeOff",
    "AddOn",
    "BalanceThreshold",
    "Booking",
    "BookingAddOn",
    "BookingToApprove",
    "AppointmentNoShow",
    "AppointmentReview",
    "CalendarCopy",
    "Closure",
    "Maintenance",
    "OneTapUse",
    "OpeningHours",
    "Participant",
    "Resource",
    "Subscription",
    "Validity",
    "ValidityType",
    "Waitlist",
    "WaitlistEntry",
    "WaitlistOffer",
]
