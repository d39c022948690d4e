"""Fan-outs counted as one: a route run, a broadcast (SPEC N-18).

A domain starts a batch, then emits its event(s) with `batch=`; every delivery
of those events carries it. The counts are the database's: triggers (migration
0014) keep `BatchTally` in step with each delivery row in the same transaction,
so reading them costs a few dozen rows whatever the batch's size, and they stay
right when a late webhook moves a delivery on. Resending the failed marks each
original "resent" (it leaves the failed count) and its copy counts like any
delivery of the batch.
"""

import dataclasses
import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from notifications import delivery_log, pacing
from notifications.models import Batch, BatchTally, Delivery, Rule

Skip = Delivery.Skip
SKIPPED = "skipped:"


def start(organisation, label, kind, *, targeted=0, created_by=None):
    """A new batch; emit its events with `batch=` so their deliveries join it."""
    return Batch.objects.create(
        organisation=organisation,
        label=label[:200],
        kind=kind,
        targeted=targeted,
        created_by=created_by,
    )


@dataclasses.dataclass(frozen=True)
class Counts:
    """Where a batch's deliveries are now. Each delivery is in exactly one bucket."""

    targeted: int
    buckets: dict

    def _get(self, *names):
        return sum(self.buckets.get(name, 0) for name in names)

    @property
    def planned(self):
        return sum(self.buckets.values())

    @property
    def pending(self):
        return self._get("pending")

    @property
    def sent(self):
        """Handed to the provider, delivered or not yet known."""
        return self._get("sent", "delivered")

    @property
    def delivered(self):
        return self._get("delivered")

    @property
    def failed(self):
        return self._get("failed")

    @property
    def resent(self):
        return self._get(Skip.RESENT)

    @property
    def fell_back(self):
        return self._get(Skip.FELL_BACK)

    @property
    def skipped(self):
        """{reason code: count}, largest first; "" when a skip has no code."""
        counts = {
            bucket.removeprefix(SKIPPED): n
            for bucket, n in self.buckets.items()
            if bucket.startswith(SKIPPED) and n
        }
        return dict(sorted(counts.items(), key=lambda item: -item[1]))

    @property
    def skipped_total(self):
        return sum(self.skipped.values())

    @property
    def live(self):
        return self.pending > 0


def counts(batch):
    """The batch's counts, summed over its tally's shards (never over the delivery table)."""
    tallies = BatchTally.objects.filter(batch=batch).values("bucket").annotate(n=Sum("count"))
    return Counts(
        targeted=batch.targeted, buckets={row["bucket"]: row["n"] for row in tallies if row["n"]}
    )


def counts_from(batch):
    """The counts of a batch whose `tallies` were prefetched (a list of batches)."""
    buckets = {}
    for tally in batch.tallies.all():
        buckets[tally.bucket] = buckets.get(tally.bucket, 0) + tally.count
    return Counts(targeted=batch.targeted, buckets={k: n for k, n in buckets.items() if n})


def expected_finish(batch, counts, now=None):
    """When the batch's last message should leave (SPEC N-21), or None when nothing waits.

    While it runs: at the pace it has kept since it started. Before its first message:
    at its slowest paced channel's configured rate, when it has one.
    """
    if not counts.pending:
        return None
    now = now or timezone.now()
    done = counts.planned - counts.pending
    elapsed = (now - batch.created_at).total_seconds()
    if done and elapsed > 0:
        return now + datetime.timedelta(seconds=counts.pending * elapsed / done)
    rates = [pacing.rate(channel) for channel in _channels(batch)]
    slowest = min((r for r in rates if r), default=None)
    return now + datetime.timedelta(seconds=counts.pending / slowest) if slowest else None


def _channels(batch):
    codes = batch.events.values("code")
    rules = Rule.objects.filter(event_code__in=codes, enabled=True).filter(
        Q(organisation=None) | Q(organisation=batch.organisation_id)
    )
    return {
        channel for channels in rules.values_list("channels", flat=True) for channel in channels
    }


@transaction.atomic
def resend_failed(batch):
    """Send each failed delivery of the batch again; return how many were queued.

    The originals are marked "resent", so they leave the failed count; the copies
    count like any delivery of the batch (a copy that fails again is failed).
    """
    failed = Delivery.objects.filter(batch=batch, status=Delivery.Status.FAILED, reason_code="")
    originals = list(failed.select_for_update().select_related("event"))
    copies = delivery_log.resend(originals)
    resent = {copy.dedupe_key.rpartition(delivery_log.RESEND_SUFFIX)[0] for copy in copies}
    Delivery.objects.filter(pk__in=[d.pk for d in originals if d.dedupe_key in resent]).update(
        reason_code=Skip.RESENT
    )
    return len(copies)


STALE = gettext_noop("stale: of no use any more")


def expire(batch, about=None):
    """Cancel the batch's messages not sent yet (those about `about` only): they are stale.

    A route run's "the truck is coming" once the contract is served or the run has
    ended (SPEC A-5): never sent late. Return how many were cancelled.
    """
    pending = Delivery.objects.filter(batch=batch, status__in=Delivery.PENDING)
    if about is not None:
        kind = ContentType.objects.get_for_model(about)
        pending = pending.filter(about_type=kind, about_id=about.pk)
    return pending.update(
        status=Delivery.Status.CANCELLED,
        reason=STALE,
        reason_code=Skip.EXPIRED,
        updated_at=timezone.now(),
    )
