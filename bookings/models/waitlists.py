"""Waitlists (SPEC B-12): clients waiting for a full slot, or for an earlier similar one.

When a slot frees, the next person waiting is offered it: the slot is held for them
(a HELD booking, which blocks the agenda like any other) for a claim window that does
not run at night. Each offer is a row: offered, then claimed, expired or withdrawn —
the history of the waitlist, step by step.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bookings.models.bookings import sms_consented

# What a booking promoted from a waitlist was before (its "modification" message says so).
WAITLIST_STATE = "waitlist"


class Waitlist(models.Model):
    """Who waits for a service, and how long each offer holds the slot."""

    organisation = models.ForeignKey(
        "accounts.Organisation", models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    service = models.OneToOneField(
        "bookings.Service", models.CASCADE, related_name="waitlist", verbose_name=_("service")
    )
    claim_window_minutes = models.PositiveIntegerField(_("claim window (minutes)"), default=120)
    night_starts = models.TimeField(
        _("the window pauses from"),
        default=datetime.time(20),
        help_text=_("On the organisation's clock: offers do not run out at night."),
    )
    night_ends = models.TimeField(_("and resumes at"), default=datetime.time(8))
    confirms_at_once = models.BooleanField(
        _("confirm the next person at once"),
        default=False,
        help_text=_(
            "Overbooking: when a slot frees, the first person waiting for it gets it straight "
            "away, without a claim window, and is told of the change (before and after)."
        ),
    )

    class Meta:
        verbose_name = _("waitlist")
        verbose_name_plural = _("waitlists")

    def __str__(self):
        return str(self.service)

    @property
    def claim_window(self):
        return datetime.timedelta(minutes=self.claim_window_minutes)


class WaitlistEntry(models.Model):
    """One client waiting: for one full slot, or for anything earlier than their appointment."""

    class Status(models.TextChoices):
        WAITING = "waiting", pgettext_lazy("waitlist", "Waiting")
        OFFERED = "offered", pgettext_lazy("waitlist", "Offered a slot")
        SERVED = "served", pgettext_lazy("waitlist", "Got a slot")
        LET_PASS = "let_pass", pgettext_lazy("waitlist", "Let the offer pass")
        WITHDRAWN = "withdrawn", pgettext_lazy("waitlist", "Withdrawn")

    waitlist = models.ForeignKey(
        Waitlist, models.CASCADE, related_name="entries", verbose_name=_("waitlist")
    )
    agenda = models.ForeignKey(
        "bookings.Resource",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff agenda"),
        help_text=_("Empty: any staff member."),
    )
    wanted_start = models.DateTimeField(_("the full slot wanted"), null=True, blank=True)
    earlier_than = models.ForeignKey(
        "bookings.Booking",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("an earlier slot than this appointment"),
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email address"))
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=5, default="fr")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    created_at = models.DateTimeField(_("waiting since"), auto_now_add=True)

    class Meta:
        verbose_name = _("person waiting")
        verbose_name_plural = _("people waiting")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(wanted_start__isnull=False)
                | models.Q(earlier_than__isnull=False),
                name="waitlist_entry_wants_something",
            )
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    def texts_allowed(self):
        """Whether the offer may be texted too: their number's SMS consent stands (SPEC N-20)."""
        return sms_consented(self.waitlist.organisation_id, self.phone)


class WaitlistOffer(models.Model):
    """A freed slot held for one person waiting, until they claim it or its window passes."""

    class Status(models.TextChoices):
        LIVE = "live", pgettext_lazy("offer", "Live")
        CLAIMED = "claimed", pgettext_lazy("offer", "Claimed")
        EXPIRED = "expired", pgettext_lazy("offer", "Expired")
        WITHDRAWN = "withdrawn", pgettext_lazy("offer", "Called off")

    entry = models.ForeignKey(
        WaitlistEntry, models.CASCADE, related_name="offers", verbose_name=_("person waiting")
    )
    hold = models.ForeignKey(
        "bookings.Booking", models.CASCADE, related_name="waitlist_offers", verbose_name=_("hold")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.LIVE, db_index=True
    )
    offered_at = models.DateTimeField(_("offered"))
    expires_at = models.DateTimeField(_("claim by"), db_index=True)
    decided_at = models.DateTimeField(_("claimed or expired"), null=True, blank=True)

    class Meta:
        verbose_name = _("waitlist offer")
        verbose_name_plural = _("waitlist offers")
        ordering = ["-offered_at", "-pk"]

    def __str__(self):
        return f"{self.entry} · {self.get_status_display()}"

    @property
    def organisation(self):
        return self.entry.waitlist.organisation
