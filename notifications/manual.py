"""Messages a manager writes by hand from an object's admin page (SPEC N-12, RemOnline).

They travel like the rest — an Event, one Delivery, the channel backend — and
are logged like the rest; they have no rule, so they are sent as written.
"""

import mimetypes

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.channels import get_backend
from notifications.channels.kinds import PHONE_CHANNELS
from notifications.consent.state import is_stopped
from notifications.events import EventGroup, EventType, Priority, RecipientRole, register
from notifications.models import Delivery, Event, ManualAttachment, Preference, Suppression
from notifications.outbox import send_on_commit
from notifications.recipients import as_recipient
from notifications.rendering import written_message

MANUAL = "notifications.manual"
DIRECT = EventGroup("direct", _("Messages written by my managers"))
WRITTEN_CHANNELS = ["email", "sms", "inapp"]  # a person can be written to on these


def _attachments(target, delivery):
    files = []
    for attachment in delivery.event.attachments.all():
        with attachment.file.open("rb") as handle:
            mimetype = mimetypes.guess_type(attachment.file.name)[0] or "application/octet-stream"
            files.append((str(attachment), handle.read(), mimetype))
    return files


register(
    EventType(
        code=MANUAL,
        label=_("Message written by a manager"),
        group=DIRECT,
        roles=[RecipientRole("chosen", _("The person the manager chose"), lambda t, e: [])],
        priority=Priority.HIGH,
        attachments=_attachments,
    )
)


def reachable_channels(person):
    """The channels on which `person` can be written to: a contact point, and no opt-out."""
    recipient = as_recipient(person)
    turned_off = set()
    if recipient.user_id:
        turned_off = set(
            Preference.objects.filter(
                user_id=recipient.user_id, group=DIRECT.code, enabled=False
            ).values_list("channel", flat=True)
        )
    channels = []
    for channel in WRITTEN_CHANNELS:
        address = get_backend(channel).address_for(recipient)
        if not address or channel in turned_off:
            continue
        if Suppression.objects.filter(channel=channel, address=address).exists():
            continue
        if channel in PHONE_CHANNELS and is_stopped(address):  # the ledger's STOP (N-20)
            continue
        channels.append(channel)
    return channels


@transaction.atomic
def send(*, target, person, channel, subject, body, sender, organisation, files=()):
    """Queue one message as written; return its Delivery (logged like any other)."""
    if channel not in reachable_channels(person):
        raise ValueError(f"{person} cannot be reached by {channel}.")
    recipient = as_recipient(person)
    event = Event.objects.create(
        code=MANUAL,
        organisation=organisation,
        target=target,
        actor=sender,
        planned_at=timezone.now(),
    )
    for uploaded in files:
        ManualAttachment.objects.create(event=event, file=uploaded)
    delivery = Delivery.to(
        recipient,
        event=event,
        channel=channel,
        address=get_backend(channel).address_for(recipient),
        priority=Priority.HIGH,
        dedupe_key=f"{event.pk}:manual:{recipient.key}:{channel}",
        status=Delivery.Status.QUEUED,
        send_at=timezone.now(),
    )
    message = written_message(channel, subject, body, delivery)
    delivery.subject, delivery.body, delivery.html = message.subject, message.body, message.html
    delivery.save()
    send_on_commit([(delivery.pk, delivery.priority)])
    return delivery
