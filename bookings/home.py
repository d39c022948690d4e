"""The portal home's section on bookings: the person's next ones."""

from django.db.models import Q
from django.utils import timezone

from bookings.models import BLOCKING_STATUSES, Booking

SHOWN = 3


def section(user):
    upcoming = (
        Booking.objects.filter(
            Q(booker=user) | Q(participants__user=user, participants__removed_at=None),
            status__in=BLOCKING_STATUSES,
            end__gte=timezone.now(),
        )
        .distinct()
        .select_related("resource")
        .order_by("start")
    )
    return {"next_bookings": upcoming[:SHOWN]}
