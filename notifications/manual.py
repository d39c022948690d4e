"""Messages a manager writes by hand from an object's admin page (SPEC N-12, RemOnline).

They travel like the rest — an Event, one Delivery, the channel backend — and
are logged like the rest; they have no rule, so they are sent as written.
"""

import mimetypes

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from notifications.channels import get_backend
from notifications.channels.kinds import CHAT_LINK_CHANNELS, PHONE_CHANNELS
from notifications.consent.state import is_stopped, is_suppressed
from notifications.events import EventGroup, EventType, Priority, RecipientRole, register
from notifications.messengers import ticks
from notifications.models import Delivery, Event, ForgottenRecipient, ManualAttachment, Preference
from notifications.outbox import send_on_commit
from notifications.recipients import as_recipient
from notifications.rendering import written_message

MANUAL = "notifications.manual"
DIRECT = EventGroup("direct", _("Messages written by my managers"))
WRITTEN_CHANNELS = ["email", "sms", "inapp"]  # a person can be written to on these
# Channels with an address of a person's: each needs their tick, "accepts to receive" (N-12),
# on their profile. A plain contact (a visitor, a shop's client) carries its domain's own
# ticks (workorders' "accepts SMS"), except for the messengers: those need the ledger's tick.
TICKED_CHANNELS = ["email", "sms", *CHAT_LINK_CHANNELS]
HANDED_OVER = gettext_noop("handed to the messenger")


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


def address_of(recipient, channel):
    """The person's own address on a channel ("" when they have none)."""
    if channel in CHAT_LINK_CHANNELS:
        return recipient.phone if recipient.chat_phone is None else recipient.chat_phone
    return get_backend(channel).address_for(recipient)


def reachable_channels(person, organisation=None):
    """The channels on which `person` can be written to: a contact point, their tick where
    the channel has an address (in `organisation`), and no opt-out."""
    recipient = as_recipient(person)
    if ForgottenRecipient.objects.filter(key=recipient.key).exists():
        return []  # erased at their request (SPEC P-5): not even by hand
    turned_off = set()
    if recipient.user_id:
        turned_off = set(
            Preference.objects.filter(
                user_id=recipient.user_id, group=DIRECT.code, enabled=False
            ).values_list("channel", flat=True)
        )
    channels = []
    addresses = {recipient.email, recipient.phone, recipient.chat_phone or ""}
    ticked = ticks.ticked_channels(organisation, addresses)
    for channel in [*WRITTEN_CHANNELS, *CHAT_LINK_CHANNELS]:
        address = address_of(recipient, channel)
        if not address or channel in turned_off:
            continue
        needs_tick = channel in CHAT_LINK_CHANNELS or (
            recipient.user_id and channel in TICKED_CHANNELS
        )
        if needs_tick and (channel, address) not in ticked:
            continue
        if is_suppressed(channel, address):
            continue
        if channel in PHONE_CHANNELS and is_stopped(address, organisation):  # the STOP (N-20)
            continue
        channels.append(channel)
    return channels


def may_use(channel, address, organisation=None):
    """Whether a typed address may be written to: not suppressed, no STOP from it to the
    organisation's sender."""
    if is_suppressed(channel, address):
        return False
    return not (channel in PHONE_CHANNELS and is_stopped(address, organisation))


@transaction.atomic
def send(*, target, person, channel, subject, body, sender, organisation, files=(), address=""):
    """Queue one message as written (to `address` when one is typed instead of the stored
    one); return its Delivery (logged like any other). A chat link's message is handed to
    the messenger: logged as such, nothing queued."""
    if channel not in reachable_channels(person, organisation):
        raise ValueError(f"{person} cannot be reached by {channel}.")
    if address and not may_use(channel, address, organisation):
        raise ValueError(f"{address} may not be written to by {channel}.")
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
    handed = channel in CHAT_LINK_CHANNELS
    delivery = Delivery.to(
        recipient,
        event=event,
        channel=channel,
        address=address or address_of(recipient, channel),
        priority=Priority.HIGH,
        dedupe_key=f"{event.pk}:manual:{recipient.key}:{channel}",
        status=Delivery.Status.SENT if handed else Delivery.Status.QUEUED,
        send_at=timezone.now(),
    )
    if handed:
        delivery.body, delivery.sent_at, delivery.reason = body, timezone.now(), HANDED_OVER
        delivery.save()
        return delivery
    message = written_message(channel, subject, body, delivery)
    delivery.subject, delivery.body, delivery.html = message.subject, message.body, message.html
    delivery.save()
    send_on_commit([(delivery.pk, delivery.priority)])
    return delivery
