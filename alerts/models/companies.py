"""An operator (FolloSOFT's "company"), its routes and the services its contracts sell (A-1)."""

import zoneinfo

from django.db import models
from django.utils.translation import gettext_lazy as _
from timezone_field import TimeZoneField


class Company(models.Model):
    """A snow-removal operator. Switched off at season's end: nothing goes out, nothing billed."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        related_name="snow_companies",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=150)
    alerts_enabled = models.BooleanField(
        _("alerts enabled"),
        default=True,
        help_text=_("Master switch: off, no alert, confirmation or broadcast leaves."),
    )
    time_zone = TimeZoneField(_("time zone"), default="America/Toronto")
    minutes_per_stop = models.PositiveSmallIntegerField(
        _("minutes per contract"),
        default=4,
        help_text=_("How long the truck takes per contract: the expected time in the alerts."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("snow-removal company")
        verbose_name_plural = _("snow-removal companies")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(str(self.time_zone))


class Service(models.Model):
    """What a contract pays for: driveway, walkway, roof…"""

    company = models.ForeignKey(
        Company, models.CASCADE, related_name="services", verbose_name=_("company")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="alerts_one_service_name")
        ]

    def __str__(self):
        return self.name


class Route(models.Model):
    """A truck's round: its contracts in the order the truck reaches them."""

    company = models.ForeignKey(
        Company, models.CASCADE, related_name="routes", verbose_name=_("company")
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        ordering = ["company", "name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="alerts_one_route_name")
        ]

    def __str__(self):
        return f"{self.name} ({self.company})"

    @property
    def organisation(self):
        return self.company.organisation
