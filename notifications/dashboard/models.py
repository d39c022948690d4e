"""The dashboard's tally of the delivery log (SPEC P-4), kept by database triggers."""

from django.db import models
from django.db.models.functions import Coalesce


class Tally(models.Model):
    """Part of the count of deliveries created in one span of time, by where they are now.

    Written only by database triggers (migrations 0021 and 0023), like the batch tally:
    each database connection adds to its own shard, so workers recording sends at once
    never wait on one counter row; a count is the sum of its shards. The span is the one
    the delivery was created in, which never changes: a late webhook moving a delivery
    from sent to delivered moves one count between two statuses of the same span, so every
    figure equals the delivery log filtered by creation time. Deleting deliveries (a
    retention purge) takes nothing away: the dashboard keeps the history it shows.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", models.CASCADE, null=True, related_name="+", db_index=False
    )
    channel = models.CharField(max_length=10)
    status = models.CharField(max_length=12)
    reason_code = models.CharField(max_length=20)
    failure = models.CharField(max_length=40)
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)
    segments = models.BigIntegerField(default=0)  # SMS segments billed

    class Meta:
        abstract = True


def _one_row_per_shard(span, name):
    # The triggers' upsert target; no organisation counts as organisation 0.
    return models.UniqueConstraint(
        Coalesce("organisation", 0),
        span,
        "channel",
        "status",
        "reason_code",
        "failure",
        "shard",
        name=name,
    )


class DeliveryTally(Tally):
    """The counts by hour of creation (UTC): the last 48 hours, the days, any bucket's edge."""

    hour = models.DateTimeField()

    class Meta:
        constraints = [_one_row_per_shard("hour", "one_delivery_tally_per_shard")]
        indexes = [
            # A manager's dashboard: their organisations' hours of the period.
            models.Index(fields=["organisation", "hour"], name="delivery_tally_organisation"),
            # A superuser's: every organisation's hours of the period.
            models.Index(fields=["hour"], name="delivery_tally_hour"),
        ]

    def __str__(self):
        return f"{self.organisation_id} · {self.hour:%Y-%m-%d %H:00} · {self.status}: {self.count}"


class DeliveryDayTally(Tally):
    """The same counts by day of creation (UTC midnight): a 24th of the rows for long periods.

    Weeks and months read the days their buckets hold whole, and the hours of the few days
    a bucket's edge falls inside (the reader's midnight is rarely UTC's): see figures.
    """

    day = models.DateTimeField()

    class Meta:
        constraints = [_one_row_per_shard("day", "one_delivery_day_tally_per_shard")]
        indexes = [
            models.Index(fields=["organisation", "day"], name="delivery_day_organisation"),
            models.Index(fields=["day"], name="delivery_day_tally"),
        ]

    def __str__(self):
        return f"{self.organisation_id} · {self.day:%Y-%m-%d} · {self.status}: {self.count}"
