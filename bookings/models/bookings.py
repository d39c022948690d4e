"""Bookings, who takes part, what they ordered, and what each one's calendar holds (SPEC B-2 … B-9).

A booking's times are stored in UTC and read on its resource's clock. Every
change goes through `bookings.services`; nothing here acts.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from model_utils import FieldTracker

from accounts.models import Language
from notifications.consent.models import ContactConsent
from notifications.recipients import Recipient


class Booking(models.Model):
    """A resource held for someone from `start` to `end`."""

    class Status(models.TextChoices):
        # "réservation" is feminine: confirmée, annulée (pgettext keeps it apart from a visit).
        PENDING_APPROVAL = "pending_approval", pgettext_lazy("booking", "Awaiting approval")
        AWAITING_PAYMENT = "awaiting_payment", pgettext_lazy("booking", "Awaiting payment")
        CONFIRMED = "confirmed", pgettext_lazy("booking", "Confirmed")
        CHECKED_IN = "checked_in", pgettext_lazy("booking", "Checked in")
        # Held while the next person on a waitlist decides (issue 21): it blocks like the rest.
        HELD = "held", pgettext_lazy("booking", "Held for a waitlist claim")
        REJECTED = "rejected", pgettext_lazy("booking", "Rejected")
        CANCELLED_BY_BOOKER = (
            "cancelled_by_booker",
            pgettext_lazy("booking", "Cancelled by the booker"),
        )
        CANCELLED_BACK_OFFICE = (
            "cancelled_back_office",
            pgettext_lazy("booking", "Cancelled by the back office"),
        )
        AUTO_CANCELLED = "auto_cancelled", pgettext_lazy("booking", "Released: nobody checked in")
        UNPAID_RELEASED = "unpaid_released", pgettext_lazy("booking", "Released: not paid in time")
        COMPLETED = "completed", pgettext_lazy("booking", "Completed")
        NO_SHOW = "no_show", pgettext_lazy("booking", "No-show")

    class Source(models.TextChoices):
        CLIENT = "client", _("The booker (portal)")
        BACK_OFFICE = "back_office", _("The back office")

    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        related_name="bookings",
        verbose_name=_("organisation"),
    )
    resource = models.ForeignKey(
        "bookings.Resource", models.PROTECT, related_name="bookings", verbose_name=_("resource")
    )
    # Empty for a client without an account (a public appointment page): their
    # participation row holds their name, address and number.
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("booker"),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings_made_for_others",
        verbose_name=_("booked by"),
        help_text=_("The manager who booked for the booker, if anyone."),
    )
    source = models.CharField(
        _("booked from"), max_length=20, choices=Source.choices, default=Source.CLIENT
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.CONFIRMED, db_index=True
    )
    # A copy of "its resource takes one booking at a time", for the database's own guard:
    # an exclusion constraint can only look at this row (migration 0002, PostgreSQL).
    exclusive = models.BooleanField(default=True, editable=False)
    price = models.DecimalField(
        _("amount due"), max_digits=9, decimal_places=2, default=Decimal("0")
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    # An appointment confirmed by payment (B-11): unpaid by then, it is released.
    pay_by = models.DateTimeField(_("pay by"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("reason given"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # The calendar event's identity and version (RFC 5546): same UID in every .ics,
    # a higher SEQUENCE after each change of time, and at the cancellation.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    sequence = models.PositiveIntegerField(_("calendar version"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    tracker = FieldTracker(fields=["start", "end", "status", "resource"])

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="booking_ends_after_it_starts"
            )
        ]
        indexes = [models.Index(fields=["resource", "start", "end"], name="booking_resource_time")]

    def __str__(self):
        return self.title or _("Booking #%(number)s") % {"number": self.pk}

    def get_absolute_url(self):
        return reverse("bookings:detail", args=[self.pk])

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The booking must end after it starts.")})

    @property
    def booker_name(self):
        """The booker's name, with an account or without (a client of a public page)."""
        if self.booker_id:
            return str(self.booker)
        client = self.participants.filter(is_booker=True).first()
        return str(client) if client else ""

    @property
    def zone(self):
        return self.resource.zone

    @property
    def is_blocking(self):
        return self.status in BLOCKING_STATUSES

    @property
    def is_active(self):
        """Still going to happen (or happening): reminders and REQUESTs apply."""
        return self.status in BLOCKING_STATUSES

    @property
    def is_cancelled(self):
        return self.status in CANCELLED_STATUSES

    @property
    def check_in_opens(self):
        return self.resource.check_in_window(self.start)[0]

    @property
    def check_in_closes(self):
        return self.resource.check_in_window(self.start)[1]

    @property
    def is_paid(self):
        return self.paid_at is not None


BLOCKING_STATUSES = (
    Booking.Status.PENDING_APPROVAL,
    Booking.Status.AWAITING_PAYMENT,
    Booking.Status.CONFIRMED,
    Booking.Status.CHECKED_IN,
    Booking.Status.HELD,
)
CANCELLED_STATUSES = (
    Booking.Status.CANCELLED_BY_BOOKER,
    Booking.Status.CANCELLED_BACK_OFFICE,
    Booking.Status.AUTO_CANCELLED,
    Booking.Status.UNPAID_RELEASED,
    Booking.Status.REJECTED,
)


# The consent a client ticks on the public appointment page, in the ledger's terms.
SMS_PURPOSE = "appointments"


def sms_consented(organisation_id, phone):
    """Whether a client's number may get an organisation's appointment texts: the ledger
    holds their yes (ticked on a page or in the back office, or confirmed by email)."""
    if not phone:
        return False
    return ContactConsent.objects.filter(
        organisation=organisation_id,
        purpose=SMS_PURPOSE,
        channel="sms",
        address=phone,
        state=ContactConsent.State.ACCEPTED,
    ).exists()


class Participant(models.Model):
    """Someone who takes part in a booking: the booker, a colleague, a guest without an account."""

    booking = models.ForeignKey(
        Booking, models.CASCADE, related_name="participants", verbose_name=_("booking")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="booking_participations",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    # A client without an account: texted only while the number's SMS consent holds.
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.FRENCH
    )
    is_booker = models.BooleanField(_("booker"), default=False, editable=False)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    # Removed, not deleted: their CANCEL must still reach them, and the history stays.
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    attendance_confirmed_at = models.DateTimeField(_("attendance confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["-is_booker", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "user"],
                condition=models.Q(removed_at=None, user__isnull=False),
                name="one_participation_per_person",
            ),
            models.CheckConstraint(
                condition=~models.Q(user=None) | ~models.Q(email=""),
                name="participant_reachable",
            ),
        ]

    def __str__(self):
        return str(self.user) if self.user_id else self.name or self.email

    @property
    def is_present(self):
        return self.removed_at is None

    def as_recipient(self):
        if self.user_id:
            return Recipient.from_user(self.user)
        return Recipient(
            key=f"bookings.participant:{self.pk}",
            name=self.name or self.email,
            email=self.email,
            phone=self.phone if self.texts_allowed() else "",
            language=self.language,
            time_zone=str(self.booking.zone),  # where it happens: the site's clock
        )

    def texts_allowed(self):
        """Whether this guest's number may get SMS: their consent, given on the page or
        confirmed by email, stands in the ledger (SPEC N-20)."""
        return sms_consented(self.booking.organisation_id, self.phone)

    @property
    def recipient_key(self):
        return f"user:{self.user_id}" if self.user_id else f"bookings.participant:{self.pk}"


class BookingAddOn(models.Model):
    """An add-on service ordered with a booking, at the price of the day (SPEC B-5)."""

    booking = models.ForeignKey(
        Booking, models.CASCADE, related_name="add_ons", verbose_name=_("booking")
    )
    add_on = models.ForeignKey(
        "bookings.AddOn", models.PROTECT, related_name="+", verbose_name=_("add-on service")
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=9, decimal_places=2)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("ordered add-on")
        verbose_name_plural = _("ordered add-ons")

    def __str__(self):
        return f"{self.quantity} × {self.add_on}"


class CalendarCopy(models.Model):
    """What one person's calendar last received about a booking (iTIP state per attendee).

    Every .ics sent is recorded here: its SEQUENCE never goes down for that person, and
    whoever holds a REQUEST is told when the event goes away (a CANCEL), even someone
    who is not a participant (the manager who booked for the booker).
    """

    booking = models.ForeignKey(Booking, models.CASCADE, related_name="calendar_copies")
    recipient_key = models.CharField(max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="+"
    )
    sequence = models.PositiveIntegerField(default=0)
    method = models.CharField(max_length=10)
    sent_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar copy")
        verbose_name_plural = _("calendar copies")
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "recipient_key"], name="one_calendar_copy_per_person"
            )
        ]

    def __str__(self):
        return f"{self.recipient_key}: {self.method} #{self.sequence}"


class OneTapUse(models.Model):
    """A one-tap link that acted: it never acts again (SPEC B-18)."""

    digest = models.CharField(max_length=64, unique=True)
    booking = models.ForeignKey(Booking, models.CASCADE, related_name="+")
    action = models.CharField(max_length=20)
    used_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.action} #{self.booking_id}"


class ApprovalRequest(models.Model):
    """One approver asked to approve one booking: what their message and one-tap links are
    about (SPEC B-4, B-18). The approvals queue lists the bookings still waiting."""

    booking = models.ForeignKey(
        Booking, models.CASCADE, related_name="approval_requests", verbose_name=_("booking")
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("approver")
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        constraints = [
            models.UniqueConstraint(fields=["booking", "approver"], name="one_request_per_approver")
        ]

    def __str__(self):
        return f"{self.booking} → {self.approver}"
