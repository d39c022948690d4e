"""A provider's word on one message: delivered, opened, bounced... (SPEC N-7)."""

import logging

from django.utils import timezone
from django.utils.translation import gettext_noop

from notifications import failures
from notifications.models import Delivery

logger = logging.getLogger(__name__)
Status = Delivery.Status

# A status only moves forward: a late "sent" callback never undoes "delivered".
_PROGRESS = [Status.SENT, Status.DELIVERED, Status.OPENED, Status.CLICKED]
_FINAL_FAILURES = {Status.BOUNCED, Status.FAILED}
_TIMESTAMP_OF = {Status.DELIVERED: "delivered_at", Status.OPENED: "opened_at"}
COMPLAINT = gettext_noop("the recipient reported it as spam")


def record(provider_message_id, status, error="", when=None):
    """Move the delivery sent under this provider id to `status`; False if unknown."""
    delivery = Delivery.objects.filter(provider_message_id=provider_message_id).first()
    if delivery is None or not provider_message_id:
        logger.info("Provider feedback for unknown message %r ignored", provider_message_id)
        return False
    if not _moves_forward(delivery.status, status):
        return True
    fields = {"status": status, "updated_at": timezone.now()}
    if status in _TIMESTAMP_OF:
        fields[_TIMESTAMP_OF[status]] = when or timezone.now()
    if error:
        fields["last_error"] = error
    if status in _FINAL_FAILURES:  # what the dashboard counts failures by (SPEC P-4)
        fields["failure"] = failures.cause_of(delivery.channel, status, error)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
    return True


def _moves_forward(current, new):
    if current in _FINAL_FAILURES:
        return False
    if new in _FINAL_FAILURES:
        return True
    if current not in _PROGRESS or new not in _PROGRESS:
        return False
    return _PROGRESS.index(new) > _PROGRESS.index(current)


def note_complaint(provider_message_id):
    Delivery.objects.filter(provider_message_id=provider_message_id).update(reason=COMPLAINT)
