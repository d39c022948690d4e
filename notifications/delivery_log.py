"""What managers do with the delivery log besides reading it: resend, export (SPEC N-6)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notifications.models import Delivery
from notifications.outbox import send_on_commit

RESEND_SUFFIX = ":resend:"
NOT_RESENDABLE = (Delivery.Status.SCHEDULED, Delivery.Status.QUEUED, Delivery.Status.SENDING)


def can_resend(delivery):
    """Finished deliveries with an address; pending ones will go anyway."""
    return delivery.status not in NOT_RESENDABLE and bool(delivery.address)


@transaction.atomic
def resend(deliveries):
    """A new delivery for each original, queued once committed; return the copies (SPEC N-6)."""
    copies = [_resend_copy(original) for original in deliveries if can_resend(original)]
    send_on_commit((copy.pk, copy.priority) for copy in copies)
    return copies


def _resend_copy(original):
    prefix = original.dedupe_key + RESEND_SUFFIX
    number = Delivery.objects.filter(dedupe_key__startswith=prefix).count() + 1
    # Rule messages are rendered again at send time; manual ones keep their written text.
    copy = Delivery.to(
        original.recipient,
        event=original.event,
        channel=original.channel,
        address=original.address,
        about=original.about if original.about_id is not None else None,
        rule_id=original.rule_id,
        priority=original.priority,
        subject=original.subject,
        body=original.body,
        html=original.html,
        dedupe_key=f"{prefix}{number}",
        status=Delivery.Status.QUEUED,
        send_at=timezone.now(),
    )
    copy.save()
    return copy


CSV_COLUMNS = [
    (gettext_noop("Created"), lambda d: _local(d.created_at)),
    (gettext_noop("Event"), lambda d: d.event.code),
    (gettext_noop("Organisation"), lambda d: d.organisation or ""),
    (gettext_noop("Recipient"), lambda d: d.recipient_name),
    (gettext_noop("Address"), lambda d: d.address),
    (gettext_noop("Channel"), lambda d: d.channel),
    (gettext_noop("Status"), lambda d: d.status),
    (gettext_noop("Reason"), lambda d: d.reason),
    (gettext_noop("Attempts"), lambda d: d.attempts),
    (gettext_noop("Send at"), lambda d: _local(d.send_at)),
    (gettext_noop("Sent"), lambda d: _local(d.sent_at)),
    (gettext_noop("Delivered"), lambda d: _local(d.delivered_at)),
    (gettext_noop("Opened"), lambda d: _local(d.opened_at)),
    (gettext_noop("Provider message id"), lambda d: d.provider_message_id),
    (gettext_noop("Last error"), lambda d: d.last_error),
    (gettext_noop("Subject"), lambda d: d.subject),
]


def csv_header():
    return [_(label) for label, _value in CSV_COLUMNS]


def csv_rows(deliveries):
    """One list of cells per delivery, streamed from the database."""
    for delivery in deliveries.select_related("event", "organisation").iterator(chunk_size=2000):
        yield [_spreadsheet_safe(value(delivery)) for _label, value in CSV_COLUMNS]


def _local(moment):
    if moment is None:
        return ""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _spreadsheet_safe(value):
    # A subject or a name starting with "=" would run as a formula in Excel (CSV injection).
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True
