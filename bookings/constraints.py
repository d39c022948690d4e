"""The database's own guard against double bookings of a one-at-a-time resource (SPEC B-19).

PostgreSQL refuses, with an exclusion constraint, two blocking bookings of the same
exclusive resource whose time ranges overlap — whatever the code above it did, and
however many people clicked at once. SQLite cannot express it: there the booking
service checks inside an IMMEDIATE transaction, which SQLite runs one at a time.
It is not in `Booking.Meta.constraints`: `full_clean()` would try to validate it,
which SQLite cannot, and migrations would try to create it there.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db.models import Func, Q

NAME = "booking_no_overlap_on_exclusive_resource"
# The statuses that hold the resource: bookings.models.BLOCKING_STATUSES, spelled out
# because a migration must not change when the model's list does.
BLOCKING = ["pending_approval", "awaiting_payment", "confirmed", "checked_in", "held"]


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def no_overlap():
    # "[)": a booking ending at 10:00 and the next starting at 10:00 do not overlap.
    return ExclusionConstraint(
        name=NAME,
        expressions=[
            ("resource", RangeOperators.EQUAL),
            (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
        ],
        condition=Q(exclusive=True, status__in=BLOCKING),
    )


def is_violation(error):
    """Whether an IntegrityError is this constraint refusing an overlap."""
    return NAME in str(error)


DEADLOCK = "40P01"


def is_lost_race(error):
    """Whether PostgreSQL chose this insert as the one to give way to an overlapping one.

    Two overlapping inserts at once each wait for the other's transaction while checking
    the exclusion constraint; PostgreSQL breaks the wait by failing one with "deadlock
    detected": the other booking stands, as if this one had come a moment later.
    """
    return getattr(error.__cause__, "sqlstate", None) == DEADLOCK
