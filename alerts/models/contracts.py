"""Contracts on routes, who to tell during snow removal, their contact points (A-1, A-2)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from alerts.models.companies import Company, Route, Service
from notifications.channels.kinds import Channel


class Contract(models.Model):
    """A property the company clears: alerted when its route runs, if it may be (`alertable`)."""

    company = models.ForeignKey(
        Company, models.CASCADE, related_name="contracts", verbose_name=_("company")
    )
    number = models.CharField(_("contract number"), max_length=30)
    holder = models.CharField(_("contract holder"), max_length=150)
    address = models.CharField(_("address"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    route = models.ForeignKey(
        Route,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("route"),
    )
    position = models.PositiveIntegerField(
        _("position on the route"), default=0, help_text=_("1 is the truck's first stop.")
    )
    services = models.ManyToManyField(
        Service, blank=True, related_name="contracts", verbose_name=_("services")
    )
    active = models.BooleanField(_("active"), default=True)
    alerts_enabled = models.BooleanField(_("alerts enabled"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["route", "position", "number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="alerts_one_contract_number")
        ]
        indexes = [models.Index(fields=["route", "position"], name="alerts_contract_stop")]

    def __str__(self):
        return f"{self.number} · {self.address}"

    @property
    def organisation(self):
        return self.company.organisation

    def clean(self):
        if self.route_id and self.company_id and self.route.company_id != self.company_id:
            raise ValidationError({"route": _("This route belongs to another company.")})


class Occupant(models.Model):
    """Who to tell during snow removal: the holder, a tenant, a neighbour with the car keys.

    One person may be the one to tell for several contracts; they are alerted once a day.
    """

    company = models.ForeignKey(
        Company, models.CASCADE, related_name="occupants", verbose_name=_("company")
    )
    name = models.CharField(_("name"), max_length=150)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.FRENCH
    )
    contracts = models.ManyToManyField(
        Contract, related_name="occupants", verbose_name=_("contracts")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("person to alert")
        verbose_name_plural = _("people to alert")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def organisation(self):
        return self.company.organisation

    @property
    def recipient_key(self):
        return f"alerts.occupant:{self.pk}"


class ContactPoint(models.Model):
    """One way to reach an occupant: a mobile for texts, an address, a number to call.

    Its colour is the consent ledger's (`alerts.consent.colours`), never stored here.
    """

    class Method(models.TextChoices):
        SMS = Channel.SMS.value, _("SMS")
        EMAIL = Channel.EMAIL.value, _("Email")
        VOICE = Channel.VOICE.value, _("Voice call")

    company = models.ForeignKey(
        Company, models.CASCADE, related_name="contact_points", verbose_name=_("company")
    )
    occupant = models.ForeignKey(
        Occupant, models.CASCADE, related_name="contact_points", verbose_name=_("person")
    )
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    address = models.CharField(
        _("phone or email"), max_length=254, help_text=_("Phones are kept in E.164: +15145550123.")
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["occupant", "method"]
        constraints = [
            models.UniqueConstraint(
                fields=["occupant", "method"], name="alerts_one_point_per_method"
            ),
            models.UniqueConstraint(
                fields=["company", "method", "address"], name="alerts_one_point_per_address"
            ),
        ]
        indexes = [models.Index(fields=["address"], name="alerts_point_address")]

    def __str__(self):
        return f"{self.get_method_display()} {self.address}"

    @property
    def organisation(self):
        return self.company.organisation


class ContractNote(models.Model):
    """One change of a contract, for its log (A-9): what, when, by whom."""

    contract = models.ForeignKey(
        Contract, models.CASCADE, related_name="notes", verbose_name=_("contract")
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    text = models.CharField(_("what"), max_length=500)

    class Meta:
        verbose_name = _("contract change")
        verbose_name_plural = _("contract changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.text
