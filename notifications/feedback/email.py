"""django-anymail tracking webhooks -> the delivery log and the suppression list (SPEC N-7).

The webhook URLs are anymail's own (/anymail/<esp>/tracking/), protected by
ANYMAIL_WEBHOOK_SECRET; anymail turns each ESP's payload into one event type.
"""

import logging

from anymail.signals import EventType, RejectReason, tracking
from django.dispatch import receiver

from notifications.feedback.status import note_complaint, record
from notifications.models import Delivery, Suppression
from notifications.suppressions import ADDRESS_LENGTH, suppress

logger = logging.getLogger(__name__)
Status = Delivery.Status
MESSAGE_ID_LENGTH = Delivery._meta.get_field("provider_message_id").max_length

STATUS_OF = {
    EventType.DELIVERED: Status.DELIVERED,
    EventType.OPENED: Status.OPENED,
    EventType.CLICKED: Status.CLICKED,
    EventType.BOUNCED: Status.BOUNCED,
    EventType.REJECTED: Status.FAILED,
    EventType.FAILED: Status.FAILED,
}
# Rejections that say the address itself is bad, not this one message.
BAD_ADDRESS = {RejectReason.BOUNCED, RejectReason.INVALID, RejectReason.SPAM}


@receiver(tracking, dispatch_uid="relais.email_tracking")
def on_tracking_event(sender, event, esp_name, **kwargs):
    _check_fields(event)
    status = STATUS_OF.get(event.event_type)
    detail = (
        f"{esp_name} {event.event_type}: {event.description or event.mta_response or ''}".strip()
    )
    proof = {"provider_message_id": event.message_id or ""}
    if status:
        error = detail if status in (Status.BOUNCED, Status.FAILED) else ""
        record(event.message_id, status, error=error, when=event.timestamp)
    if event.event_type == EventType.COMPLAINED:
        note_complaint(event.message_id)
        suppress("email", event.recipient, Suppression.Reason.COMPLAINT, detail, **proof)
    elif _is_hard_bounce(event):
        suppress("email", event.recipient, Suppression.Reason.BOUNCE, detail, **proof)
    elif event.event_type == EventType.UNSUBSCRIBED:
        suppress("email", event.recipient, Suppression.Reason.UNSUBSCRIBED, detail, **proof)


def _check_fields(event):
    """Refuse (ValueError: the webhook answers 400) fields no message of ours could have."""
    for name, value, longest in (
        ("recipient", event.recipient, ADDRESS_LENGTH),
        ("message id", event.message_id, MESSAGE_ID_LENGTH),
    ):
        if value is not None and (not isinstance(value, str) or len(value) > longest):
            raise ValueError(f"The event's {name} is not one we could have sent: {value!r:.80}")


def _is_hard_bounce(event):
    if event.event_type not in (EventType.BOUNCED, EventType.REJECTED):
        return False
    if event.reject_reason not in BAD_ADDRESS:
        return False
    # Some ESPs report soft bounces (a full mailbox) as bounces too; their raw
    # event name says so.
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    return "soft" not in str(raw.get("event", raw.get("type", ""))).lower()
