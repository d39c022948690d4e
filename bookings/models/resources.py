"""What can be booked, when it is open, its add-on services and its maintenance (SPEC B-1, B-14)."""

import datetime
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Resource(models.Model):
    """A room, a desk pool, an aircraft, a piece of equipment or a staff member's agenda."""

    class Kind(models.TextChoices):
        ROOM = "room", _("Room")
        DESK = "desk", _("Desk")
        AIRCRAFT = "aircraft", _("Aircraft")
        EQUIPMENT = "equipment", _("Equipment")
        # A staff member's diary: appointments (issue 21) book their time like a room's.
        AGENDA = "agenda", _("Staff member's agenda")

    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        related_name="resources",
        verbose_name=_("organisation"),
    )
    site = models.ForeignKey(
        "accounts.Site", models.PROTECT, related_name="resources", verbose_name=_("site")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ROOM)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="agendas",
        verbose_name=_("staff member"),
        help_text=_("Whose time an agenda books."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Bookings at the same time: 1 for a room or an aircraft, N for a desk pool."),
    )
    price = models.DecimalField(
        _("price per booking"),
        max_digits=9,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0: free."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    requires_approval = models.BooleanField(_("approval required"), default=False)
    approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="approved_resources",
        verbose_name=_("approvers"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_resources",
        verbose_name=_("responsible manager"),
    )
    check_in_opens_minutes = models.PositiveSmallIntegerField(
        _("check-in opens (minutes before the start)"), default=15
    )
    check_in_closes_minutes = models.PositiveSmallIntegerField(
        _("check-in closes (minutes after the start)"), default=15
    )
    auto_cancel_without_check_in = models.BooleanField(
        _("cancel when nobody checked in"),
        default=False,
        help_text=_("Free resources only: the booking is released once check-in has closed."),
    )
    is_active = models.BooleanField(_("bookable"), default=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["site__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_resource_name"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="resource_capacity"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("bookings:resource", args=[self.pk])

    def clean(self):
        if (
            self.site_id
            and self.organisation_id
            and self.site.organisation_id != self.organisation_id
        ):
            raise ValidationError({"site": _("This site belongs to another organisation.")})
        if self.auto_cancel_without_check_in and self.is_paid:
            raise ValidationError(
                {"auto_cancel_without_check_in": _("Only a free resource is released this way.")}
            )
        if self.kind == self.Kind.AGENDA and not self.staff_member_id:
            raise ValidationError({"staff_member": _("An agenda belongs to a staff member.")})

    @property
    def zone(self):
        """Opening hours and booking times are read on its site's clock, else the organisation's;
        a staff member's agenda on their own clock (their working hours are theirs)."""
        if self.kind == self.Kind.AGENDA and self.staff_member_id:
            return zoneinfo.ZoneInfo(str(self.staff_member.time_zone))
        if self.site_id:
            return self.site.zone
        return zoneinfo.ZoneInfo(str(self.organisation.time_zone))

    @property
    def is_paid(self):
        return self.price > 0

    @property
    def is_exclusive(self):
        """One booking at a time: the database itself refuses a second (SPEC B-19)."""
        return self.capacity == 1

    def check_in_window(self, start):
        return (
            start - datetime.timedelta(minutes=self.check_in_opens_minutes),
            start + datetime.timedelta(minutes=self.check_in_closes_minutes),
        )


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening of a weekday, on the resource's clock. A resource without any is always open."""

    resource = models.ForeignKey(
        Resource, models.CASCADE, related_name="opening_hours", verbose_name=_("resource")
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="opening_closes_after"
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self):
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": _("It must close after it opens.")})


class Closure(models.Model):
    """Days a resource cannot be booked at all (public holidays, works)."""

    resource = models.ForeignKey(
        Resource, models.CASCADE, related_name="closures", verbose_name=_("resource")
    )
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to (included)"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["first_day"]

    def __str__(self):
        return f"{self.first_day:%Y-%m-%d} → {self.last_day:%Y-%m-%d}"

    def clean(self):
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError(
                {"last_day": _("The closure must end on or after its first day.")}
            )


class AddOn(models.Model):
    """An add-on service a booker can order with a booking (coffee, projector, catering)."""

    resource = models.ForeignKey(
        Resource, models.CASCADE, related_name="add_ons", verbose_name=_("resource")
    )
    name = models.CharField(_("name"), max_length=150)
    price = models.DecimalField(
        _("price"),
        max_digits=9,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("add-on service")
        verbose_name_plural = _("add-on services")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Maintenance(models.Model):
    """A period a resource is out of service; people concerned are told (SPEC B-14)."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("maintenance", "Planned")
        ENDED = "ended", pgettext_lazy("maintenance", "Ended")
        CANCELLED = "cancelled", pgettext_lazy("maintenance", "Cancelled")

    organisation = models.ForeignKey(
        "accounts.Organisation", models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    resource = models.ForeignKey(
        Resource, models.CASCADE, related_name="maintenances", verbose_name=_("resource")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    description = models.CharField(_("work done"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("maintenance period")
        verbose_name_plural = _("maintenance periods")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="maintenance_ends_after"
            )
        ]

    def __str__(self):
        return f"{self.resource} · {self.description or _('maintenance')}"

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The maintenance must end after it starts.")})

    @property
    def zone(self):
        return self.resource.zone
