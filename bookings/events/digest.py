"""The daily digest of bookings (SPEC B-15): who chose it, and what it lists."""

from accounts.models import User
from bookings.models import BLOCKING_STATUSES, Booking, Subscription


def digest_audience(organisation):
    chosen = Subscription.objects.filter(
        organisation=organisation,
        topic=Subscription.Topic.EVERY_BOOKING,
        delivery=Subscription.Delivery.DIGEST,
    )
    return User.objects.filter(pk__in=chosen.values("user"), is_active=True)


def digest_items(user, organisation, start, end):
    subscription = Subscription.objects.get(
        organisation=organisation, user=user, topic=Subscription.Topic.EVERY_BOOKING
    )
    bookings = Booking.objects.filter(
        organisation=organisation,
        status__in=[*BLOCKING_STATUSES, Booking.Status.COMPLETED],
        start__gte=start,
        start__lt=end,
    ).select_related("resource", "booker")
    if subscription.only_supervised:
        bookings = bookings.filter(resource__manager=user) | bookings.filter(
            resource__approvers=user
        )
    return [
        {
            "start": b.start.isoformat(),
            "end": b.end.isoformat(),
            "resource": b.resource.name,
            "booker": b.booker_name,
        }
        for b in bookings.distinct().order_by("start")
    ]
