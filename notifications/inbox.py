"""The in-app inbox (SPEC N-13): in-app deliveries are the messages."""

from django.utils import timezone

from notifications.models import Delivery

SHOWN = [
    Delivery.Status.SENT,
    Delivery.Status.DELIVERED,
    Delivery.Status.OPENED,
    Delivery.Status.CLICKED,
]


def messages_for(user):
    """The user's in-app messages, newest first: by arrival, not by when they were planned."""
    return (
        Delivery.objects.filter(user=user, channel="inapp", status__in=SHOWN)
        .select_related("event")
        .order_by("-sent_at", "-pk")
    )


def unread_count(user):
    return messages_for(user).filter(read_at=None).count()


def mark_read(user, delivery_id=None):
    """Mark one message (or all) read; return how many changed."""
    unread = messages_for(user).filter(read_at=None)
    if delivery_id is not None:
        unread = unread.filter(pk=delivery_id)
    return unread.update(read_at=timezone.now())


def link_of(delivery):
    """Where the message leads: its object's page, when it has one."""
    about = delivery.about_object
    return delivery.event.event_type.link(about) if about is not None else ""
