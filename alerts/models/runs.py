"""A route run on a storm morning, its stops, and broadcasts (A-5, A-7, A-10).

A run is one batch of the engine (`notifications.batches`): its counts, skips and
"resend the failed" are on the engine's one batch page.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from alerts.models.companies import Company, Route
from alerts.models.contracts import Contract


class RouteRun(models.Model):
    """One truck following one route: contracts alerted all at once, or N ahead of the truck."""

    class Mode(models.TextChoices):
        ALL = "all", _("All at once")
        BUFFER = "buffer", _("Buffer: the next N contracts")

    route = models.ForeignKey(Route, models.CASCADE, related_name="runs", verbose_name=_("route"))
    company = models.ForeignKey(
        Company, models.CASCADE, related_name="runs", verbose_name=_("company")
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.ALL)
    buffer_size = models.PositiveSmallIntegerField(_("buffer"), default=5)
    reverse = models.BooleanField(_("reverse order"), default=False)
    batch = models.OneToOneField(
        "notifications.Batch",
        models.PROTECT,
        related_name="route_run",
        verbose_name=_("batch"),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("route run")
        verbose_name_plural = _("route runs")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.route.name} · {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def organisation(self):
        return self.company.organisation

    @property
    def is_running(self):
        return self.ended_at is None


class RunStop(models.Model):
    """A contract in a run, in the truck's order: when it was alerted, when it was served."""

    run = models.ForeignKey(RouteRun, models.CASCADE, related_name="stops", verbose_name=_("run"))
    contract = models.ForeignKey(
        Contract, models.CASCADE, related_name="stops", verbose_name=_("contract")
    )
    order = models.PositiveIntegerField(_("order"))
    alerted_at = models.DateTimeField(_("alerted"), null=True, blank=True)
    served_at = models.DateTimeField(_("served"), null=True, blank=True)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("served by"),
    )

    class Meta:
        verbose_name = _("stop")
        verbose_name_plural = _("stops")
        ordering = ["run", "order"]
        constraints = [
            models.UniqueConstraint(fields=["run", "contract"], name="alerts_one_stop_per_contract")
        ]

    def __str__(self):
        return str(self.contract)


class Broadcast(models.Model):
    """A message to the contracts chosen by criteria (A-10): one batch."""

    company = models.ForeignKey(
        Company, models.CASCADE, related_name="broadcasts", verbose_name=_("company")
    )
    message = models.TextField(_("message"))
    criteria = models.JSONField(_("criteria"), default=dict, blank=True)
    batch = models.OneToOneField(
        "notifications.Batch",
        models.PROTECT,
        related_name="broadcast",
        verbose_name=_("batch"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        ordering = ["-created_at"]

    def __str__(self):
        return self.message[:60]

    @property
    def organisation(self):
        return self.company.organisation
