"""Visits hosts announce and the visitors who come (SPEC V-1 … V-6)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from model_utils import FieldTracker
from phonenumber_field.modelfields import PhoneNumberField

from accounts.models import Language
from notifications.recipients import Recipient


class Visit(models.Model):
    """A visit to one of the organisation's sites, hosted by a person of the organisation."""

    class Status(models.TextChoices):
        # "visit" says the gender: une visite prévue, annulée (a message is « annulé »).
        PLANNED = "planned", pgettext_lazy("visit", "Planned")
        CANCELLED = "cancelled", pgettext_lazy("visit", "Cancelled")
        DONE = "done", _("Done")

    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        related_name="visits",
        verbose_name=_("organisation"),
    )
    site = models.ForeignKey(
        "accounts.Site", models.PROTECT, related_name="visits", verbose_name=_("site")
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="hosted_visits",
        verbose_name=_("host"),
    )
    co_hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="co_hosted_visits",
        verbose_name=_("co-hosts"),
    )
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    # The calendar event's identity: every .ics about this visit carries the same UID and a
    # higher SEQUENCE after each change, so calendar clients update one event (RFC 5546).
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    sequence = models.PositiveIntegerField(_("calendar version"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    tracker = FieldTracker(fields=["start", "end", "site", "status"])

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="visit_ends_after_it_starts"
            )
        ]

    def __str__(self):
        return self.purpose or _("Visit #%(number)s") % {"number": self.pk}

    def get_absolute_url(self):
        return reverse("visitors:detail", args=[self.pk])

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The visit must end after it starts.")})
        site_elsewhere = self.site_id and self.site.organisation_id != self.organisation_id
        if self.organisation_id and site_elsewhere:
            raise ValidationError({"site": _("This site belongs to another organisation.")})

    @property
    def zone(self):
        """Where the visit happens sets the clock its times are read on."""
        return self.site.zone

    @property
    def is_planned(self):
        return self.status == self.Status.PLANNED


class Visitor(models.Model):
    """A person invited to a visit: a plain contact, reached by email, never a user."""

    class Source(models.TextChoices):
        RECEPTION = "reception", _("Reception")
        SELF = "self", _("Self check-in")

    visit = models.ForeignKey(
        Visit, models.CASCADE, related_name="visitors", verbose_name=_("visit")
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email address"), blank=True)
    phone = PhoneNumberField(_("mobile phone"), blank=True)
    company = models.CharField(_("company"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.FRENCH
    )
    checked_in_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("left"), null=True, blank=True)
    check_in_source = models.CharField(
        _("checked in by"), max_length=20, choices=Source.choices, blank=True
    )
    # Removed from the visit by the host: kept, so the cancellation can still reach them.
    removed_at = models.DateTimeField(_("invitation withdrawn"), null=True, blank=True)
    # Set when the host was told the visitor never checked out (V-6): told once.
    still_in_reported_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)

    tracker = FieldTracker(fields=["removed_at"])

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        ordering = ["name"]
        indexes = [
            models.Index(
                fields=["checked_in_at"],
                condition=models.Q(checked_out_at=None, still_in_reported_at=None)
                & ~models.Q(checked_in_at=None),
                name="visitor_still_in",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.company})" if self.company else self.name

    @property
    def is_expected(self):
        """Still invited to a planned visit, and not arrived yet."""
        return self.removed_at is None and self.visit.is_planned and self.checked_in_at is None

    @property
    def is_in(self):
        return self.checked_in_at is not None and self.checked_out_at is None

    def as_recipient(self):
        return Recipient(
            key=f"visitors.visitor:{self.pk}",
            name=self.name,
            email=self.email,
            phone=str(self.phone or ""),
            language=self.language,
            time_zone=str(self.visit.zone),  # where the visit happens: the site's clock
        )
