"""Appointments (SPEC B-10 … B-13, B-17): a booking on a staff member's agenda for a service.

An appointment is a Booking whose resource is an agenda; this module adds what the
booking alone does not say: the service booked, the organisation's public page and
its owner & manager contacts, the staff member's time off, and the review after it.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class BookingPage(models.Model):
    """An organisation's public appointment page, and who hears of its appointments.

    The owner & manager contacts are typed here (Agendize: "the manager's email and
    mobile number"): they need no account to be told.
    """

    organisation = models.OneToOneField(
        "accounts.Organisation",
        models.CASCADE,
        related_name="booking_page",
        verbose_name=_("organisation"),
    )
    slug = models.SlugField(
        _("address on the site"),
        unique=True,
        help_text=_("The page is /bookings/rdv/<address>/."),
    )
    is_open = models.BooleanField(_("open to clients"), default=True)
    manager_email = models.EmailField(_("owner & manager email"), blank=True)
    manager_phone = PhoneNumberField(_("owner & manager mobile"), blank=True)

    class Meta:
        verbose_name = _("public appointment page")
        verbose_name_plural = _("public appointment pages")

    def __str__(self):
        return self.slug

    def clean(self):
        # These are the client links' own paths under /bookings/rdv/ (bookings/urls.py):
        # a page there would be unreachable, or would take a link's place.
        if self.slug in RESERVED_SLUGS:
            raise ValidationError(
                {"slug": _("This address is taken by Relais's own pages: choose another.")}
            )


RESERVED_SLUGS = {"g", "avis", "sms", "attente", "my-recap"}


class Service(models.Model):
    """What a client books: a duration, a price, a buffer after it, and who offers it."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        related_name="services",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.CharField(_("description"), max_length=300, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(720)]
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer after (minutes)"),
        default=0,
        validators=[MaxValueValidator(240)],
        help_text=_("Time kept free after each appointment (cleaning, notes)."),
    )
    price = models.DecimalField(
        _("price"),
        max_digits=9,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    agendas = models.ManyToManyField(
        "bookings.Resource",
        related_name="services",
        limit_choices_to={"kind": "agenda"},
        verbose_name=_("staff agendas offering it"),
    )
    requires_acceptance = models.BooleanField(
        _("manual acceptance"),
        default=False,
        help_text=_("Each request waits for the staff member or a manager to accept it (B-11)."),
    )
    requires_payment = models.BooleanField(
        _("confirmed by payment"),
        default=False,
        help_text=_(
            "The appointment holds once paid (after acceptance, in manual acceptance); "
            "unpaid in time, it is released and the client told (B-11)."
        ),
    )
    payment_window_minutes = models.PositiveIntegerField(
        _("time to pay (minutes)"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(7 * 24 * 60)],
        help_text=_("From the booking (or its acceptance); never later than the appointment."),
    )
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_service_name")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.requires_payment and not self.price:
            raise ValidationError({"price": _("A service confirmed by payment needs a price.")})

    @property
    def duration(self):
        return datetime.timedelta(minutes=self.duration_minutes)

    @property
    def payment_window(self):
        return datetime.timedelta(minutes=self.payment_window_minutes)

    @property
    def held_for(self):
        """How long the agenda is taken: the appointment and its buffer."""
        return datetime.timedelta(minutes=self.duration_minutes + self.buffer_minutes)


class TimeOff(models.Model):
    """A staff member away (holiday, training): their agenda takes nothing then."""

    resource = models.ForeignKey(
        "bookings.Resource", models.CASCADE, related_name="time_off", verbose_name=_("agenda")
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="time_off_ends_after"
            )
        ]

    def __str__(self):
        return self.reason or str(_("time off"))

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The time off must end after it starts.")})


class Appointment(models.Model):
    """What a booking on an agenda is for: the service, and the client's review after it."""

    booking = models.OneToOneField(
        "bookings.Booking", models.CASCADE, related_name="appointment", verbose_name=_("booking")
    )
    service = models.ForeignKey(
        Service, models.PROTECT, related_name="appointments", verbose_name=_("service")
    )
    price = models.DecimalField(_("price"), max_digits=9, decimal_places=2, default=Decimal("0"))
    review_stars = models.PositiveSmallIntegerField(
        _("stars"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    review_comment = models.TextField(_("comment"), blank=True, max_length=2000)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")

    def __str__(self):
        return f"{self.service} · {self.booking.start:%Y-%m-%d %H:%M}"

    @property
    def ends(self):
        """When the client leaves; the agenda stays taken through the buffer."""
        return self.booking.start + self.service.duration


class StaffRecap(models.Model):
    """When a staff member gets the list of their appointments, on their own clock (B-13).

    A manager may ask for the whole day's list across staff instead of their own.
    """

    class Day(models.TextChoices):
        # The values of notifications.RecapSchedule.Day: the engine reads them as its own.
        SAME_DAY = "same_day", _("The same day")
        DAY_BEFORE = "day_before", _("The day before")

    organisation = models.ForeignKey(
        "accounts.Organisation", models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="staff_recaps",
        verbose_name=_("person"),
    )
    send_time = models.TimeField(_("sent at"), help_text=_("In the person's own time zone."))
    day = models.CharField(_("covers"), max_length=12, choices=Day.choices, default=Day.DAY_BEFORE)
    whole_day = models.BooleanField(
        _("every staff member's appointments"),
        default=False,
        help_text=_("For a manager: the whole day's list across staff."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("daily recap of appointments")
        verbose_name_plural = _("daily recaps of appointments")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_staff_recap")
        ]

    def __str__(self):
        return f"{self.user} · {self.send_time:%H:%M}"
