"""The dashboard's tally of the delivery log (SPEC P-4), kept by database triggers."""

from django.db import models
from django.db.models.functions import Coalesce


class DeliveryTally(models.Model):
    """Part of the count of deliveries created in one hour, by where they are now.

    Written only by database triggers (migration 0021), like the batch tally: each
    database connection adds to its own shard, so workers recording sends at once never
    wait on one counter row; a count is the sum of its shards. The hour is the hour the
    delivery was created in, which never changes: a late webhook moving a delivery from
    sent to delivered moves one count between two statuses of the same hour, so every
    figure equals the delivery log filtered by creation time. Deleting deliveries (a
    retention purge) takes nothing away: the dashboard keeps the history it shows.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", models.CASCADE, null=True, related_name="+", db_index=False
    )
    hour = models.DateTimeField()
    channel = models.CharField(max_length=10)
    status = models.CharField(max_length=12)
    reason_code = models.CharField(max_length=20)
    failure = models.CharField(max_length=40)
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)
    segments = models.BigIntegerField(default=0)  # SMS segments billed

    class Meta:
        constraints = [
            # The triggers' upsert target; no organisation counts as organisation 0.
            models.UniqueConstraint(
                Coalesce("organisation", 0),
                "hour",
                "channel",
                "status",
                "reason_code",
                "failure",
                "shard",
                name="one_delivery_tally_per_shard",
            )
        ]
        indexes = [
            # A manager's dashboard: their organisations' hours of the period.
            models.Index(fields=["organisation", "hour"], name="delivery_tally_organisation"),
            # A superuser's: every organisation's hours of the period.
            models.Index(fields=["hour"], name="delivery_tally_hour"),
        ]

    def __str__(self):
        return f"{self.organisation_id} · {self.hour:%Y-%m-%d %H:00} · {self.status}: {self.count}"
