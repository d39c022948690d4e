"""When a resource can be booked: opening hours, closures, maintenance and what is already held.

Pure reads. The booking service calls `refusal(...)` before writing, and the portal
shows `day_plan(...)`; both read the same rules, so the page offers what the service accepts.
"""

import dataclasses
import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import BLOCKING_STATUSES, Booking, Maintenance, TimeOff


class BookingRefused(Exception):
    """A booking (or a move) that cannot happen, with the reason to show the person."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def local(moment, resource):
    return timezone.localtime(moment, resource.zone)


def opening_intervals(resource, day):
    """The day's open intervals, as aware datetimes on the resource's clock (none: closed)."""
    zone = resource.zone
    if resource.closures.filter(first_day__lte=day, last_day__gte=day).exists():
        return []
    hours = list(resource.opening_hours.all())
    if not hours:
        start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
        return [
            (
                start,
                datetime.datetime.combine(
                    day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
                ),
            )
        ]
    return [
        (
            datetime.datetime.combine(day, h.opens, tzinfo=zone),
            datetime.datetime.combine(day, h.closes, tzinfo=zone),
        )
        for h in sorted(hours, key=lambda h: h.opens)
        if h.weekday == day.weekday()
    ]


def blocking_bookings(resource, start, end, exclude=None):
    overlapping = Booking.objects.filter(
        resource=resource, status__in=BLOCKING_STATUSES, start__lt=end, end__gt=start
    )
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude)
    return overlapping


def peak_use(intervals, start, end):
    """The most of `intervals` that overlap at any one moment within [start, end)."""
    points = []
    for other_start, other_end in intervals:
        points.append((max(other_start, start), 1))
        points.append((min(other_end, end), -1))
    peak = current = 0
    for _moment, step in sorted(points):  # an end (-1) sorts before a start (+1) at the same time
        current += step
        peak = max(peak, current)
    return peak


def is_free(resource, start, end, exclude=None):
    """Whether one more booking fits: fewer than `capacity` held at every moment of it."""
    held = blocking_bookings(resource, start, end, exclude).values_list("start", "end")
    return peak_use(list(held), start, end) < resource.capacity


def refusal(resource, start, end, now=None, exclude=None):
    """Why `resource` cannot be booked from `start` to `end`, or None when it can."""
    now = now or timezone.now()
    if not resource.is_active:
        return BookingRefused(_("This resource cannot be booked at the moment."), "resource")
    if end <= start:
        return BookingRefused(_("The booking must end after it starts."), "end")
    if start < now.replace(second=0, microsecond=0):
        return BookingRefused(_("This time is already past."), "start")
    if not _within_opening(resource, start, end):
        return BookingRefused(_("The resource is not open at that time."), "start")
    maintenance = _maintenance(resource, start, end)
    if maintenance is not None:
        return BookingRefused(
            _("The resource is under maintenance at that time (until %(end)s).")
            % {"end": _short(local(maintenance.end, resource))},
            "start",
        )
    if TimeOff.objects.filter(resource=resource, start__lt=end, end__gt=start).exists():
        return BookingRefused(_("The staff member is away at that time."), "start")
    if not is_free(resource, start, end, exclude):
        return BookingRefused(_("Already booked at that time: please choose another."), "start")
    return None


def _within_opening(resource, start, end):
    first, last = (
        local(start, resource).date(),
        local(end - datetime.timedelta(microseconds=1), resource).date(),
    )
    if not resource.opening_hours.exists():
        day = first
        while day <= last:  # a closure on any of its days refuses it
            if not opening_intervals(resource, day):
                return False
            day += datetime.timedelta(days=1)
        return True
    if first != last:
        return False  # opening hours are per day: a booking fits within one of them
    return any(
        opens <= start and end <= closes for opens, closes in opening_intervals(resource, first)
    )


def _maintenance(resource, start, end):
    return (
        Maintenance.objects.filter(
            resource=resource, status=Maintenance.Status.PLANNED, start__lt=end, end__gt=start
        )
        .order_by("start")
        .first()
    )


def _short(moment):
    return moment.strftime("%Y-%m-%d %H:%M")


@dataclasses.dataclass
class Slot:
    start: datetime.datetime
    end: datetime.datetime
    free: bool
    held: int = 0


def day_plan(resource, day, now=None, step=datetime.timedelta(minutes=30)):
    """The day in slots of `step`, each free or not, for the portal's availability view."""
    now = now or timezone.now()
    slots = []
    for opens, closes in opening_intervals(resource, day):
        held = list(blocking_bookings(resource, opens, closes).values_list("start", "end"))
        maintenances = list(
            Maintenance.objects.filter(
                resource=resource,
                status=Maintenance.Status.PLANNED,
                start__lt=closes,
                end__gt=opens,
            ).values_list("start", "end")
        )
        moment = opens
        while moment < closes:
            end = min(moment + step, closes)
            use = peak_use(held, moment, end)
            blocked = any(s < end and e > moment for s, e in maintenances)
            free = use < resource.capacity and not blocked and moment >= now
            slots.append(Slot(moment, end, free, use))
            moment = end
    return slots
