"""Retention (SPEC P-5): delivery contents older than their organisation allows are redacted.

A message's subject, text, HTML, address, recipient's name and error are erased;
its status, channel, reason code and dates stay — what the dashboard and the
batch tallies count. Rows are redacted a bounded batch at a time, each batch its
own short UPDATE by primary key, and a per-organisation mark says how far the
work went, so that a run with nothing to do reads an index and stops.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from accounts.models import Organisation
from notifications.models import Delivery, RetentionMark

REDACTED = {
    "subject": "",
    "body": "",
    "html": "",
    "address": "",
    "recipient_name": "",
    "last_error": "",  # a provider's error quotes the address it refused
}
BEGINNING = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
# A message still on its way needs its address: retention waits for it to be done.
IN_FLIGHT = (*Delivery.PENDING, Delivery.Status.SENDING)


def redact(deliveries, now=None):
    """Erase the contents of `deliveries` (a queryset), keeping what is counted; return how many."""
    now = now or timezone.now()
    return deliveries.update(**REDACTED, redacted_at=now)


def redact_expired(now=None, batch_size=None):
    """Redact every organisation's deliveries past its retention; return how many were redacted."""
    now = now or timezone.now()
    batch_size = batch_size or settings.RELAIS_RETENTION_BATCH
    periods = [(None, settings.RELAIS_RETENTION_MONTHS)]
    periods += Organisation.objects.values_list("pk", "retention_months")
    return sum(
        _redact_before(organisation_id, months_before(now, months), now, batch_size)
        for organisation_id, months in periods
    )


def months_before(moment, months):
    """The same day and time `months` earlier (the month's last day when it is shorter)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    for day in range(moment.day, 27, -1):  # 31 March - 1 month: 28 or 29 February
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month + 1)


def _redact_before(organisation_id, cutoff, now, batch_size):
    """Redact one organisation's deliveries created before `cutoff`, a batch at a time."""
    # Not get_or_create: two runs at once could each add the mark of no organisation (NULL is
    # never a duplicate); the oldest is the one read, and an extra one is harmless.
    marks = RetentionMark.objects.filter(organisation_id=organisation_id).order_by("pk")
    mark = marks.first() or RetentionMark.objects.create(
        organisation_id=organisation_id, redacted_before=BEGINNING
    )
    if mark.redacted_before >= cutoff:
        return 0
    # Read along `delivery_organisation_log`, from the mark on: only rows not done yet.
    window = Delivery.objects.filter(
        organisation_id=organisation_id,  # None: IS NULL
        created_at__gte=mark.redacted_before,
        created_at__lt=cutoff,
        redacted_at=None,
    ).order_by("created_at", "pk")
    due = window.exclude(status__in=IN_FLIGHT).values_list("pk", flat=True)
    redacted = 0
    while batch := list(due[:batch_size]):
        redacted += redact(Delivery.objects.filter(pk__in=batch), now)
    in_flight = window.filter(status__in=IN_FLIGHT).values_list("created_at", flat=True)
    oldest_in_flight = in_flight.first()
    # A message still in flight holds the mark back, so the next run comes back for it.
    RetentionMark.objects.filter(pk=mark.pk).update(redacted_before=oldest_in_flight or cutoff)
    return redacted
