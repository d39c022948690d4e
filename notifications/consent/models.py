"""The consent ledger (SPEC N-20) and the current states it keeps in step.

`ConsentRecord` is append-only: every change of anyone's consent, and every
suppression, is one row. The states below it — preferences, the suppression
list, contact points' opt-in, STOPs — are what the engine reads before it plans
and sends; they are only ever written by `notifications.consent.ledger`, in the
transaction that adds the record which explains them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.channels.kinds import Channel


class AppendOnly(Exception):
    """A ledger row was to be changed or deleted: the ledger only grows."""


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("The consent ledger is append-only: add a record instead.")

    def delete(self):
        raise AppendOnly("The consent ledger is append-only: add a record instead.")

    def erase_person(self, **fields):
        """The one change the ledger allows: a person's erasure (SPEC P-5).

        Their email address or number becomes its keyed hash and their words go;
        what was decided, when, how and through which sender stays, as the proof.
        """
        allowed = {"address", "user", "text", "reply", "page"}
        if set(fields) - allowed:
            raise AppendOnly(f"An erasure changes only {', '.join(sorted(allowed))}.")
        return models.QuerySet.update(self, **fields)


class ConsentRecord(models.Model):
    """One change of consent, or one suppression: who, when, how and the exact text."""

    class Kind(models.TextChoices):
        OPT_IN_REQUESTED = "opt_in_requested", _("Opt-in request sent")
        OPT_IN_GIVEN = "opt_in_given", _("Opt-in given")
        OPT_IN_REFUSED = "opt_in_refused", _("Opt-in refused")
        STOP = "stop", _("STOP")
        START = "start", _("START")
        PREFERENCE = "preference", _("Preference changed")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribed")
        # Not consent: what providers or managers say of an address.
        BOUNCE = "bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        SUPPRESSED = "suppressed", _("Suppressed by a manager")
        LIFTED = "lifted", _("Suppression lifted")

    class Method(models.TextChoices):
        SMS = "sms", _("Text message")
        LINK = "link", _("Link in a message")
        PAGE = "page", _("Web page")
        ONE_CLICK = "one_click", _("One-click unsubscribe (mail client)")
        ADMIN = "admin", _("Back office")
        PROVIDER = "provider", _("Provider")
        SYSTEM = "system", _("Relais")

    SUPPRESSION_KINDS = (Kind.BOUNCE, Kind.COMPLAINT, Kind.SUPPRESSED, Kind.LIFTED)

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.SET_NULL,  # the proof outlives the organisation's rows
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="consent_records",
        verbose_name=_("person"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254, blank=True, db_index=True)
    purpose = models.CharField(
        _("purpose"), max_length=50, blank=True, help_text=_("Empty: every message.")
    )
    group = models.CharField(_("group"), max_length=50, blank=True)
    enabled = models.BooleanField(_("on"), null=True, blank=True)
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    keyword = models.CharField(_("keyword"), max_length=20, blank=True)
    page = models.CharField(_("page"), max_length=255, blank=True)
    admin_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by (back office)"),
    )
    text = models.TextField(_("exact text"), blank=True)
    reply = models.TextField(_("our reply"), blank=True)
    sender = models.CharField(_("our number or address"), max_length=100, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=255, blank=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent ledger")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "created_at"], name="consent_person")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.address or self.user}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("The consent ledger is append-only: add a record instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("The consent ledger is append-only: add a record instead.")

    @property
    def is_consent(self):
        """Whether the person decided this (a bounce or a manager's suppression is not consent)."""
        return self.kind not in self.SUPPRESSION_KINDS


class ContactConsent(models.Model):
    """A contact point's answer to a double opt-in for one purpose (e.g. snow alerts)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    organisation = models.ForeignKey(
        "accounts.Organisation", models.CASCADE, verbose_name=_("organisation")
    )
    purpose = models.CharField(_("purpose"), max_length=50)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    record = models.ForeignKey(ConsentRecord, models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("since"))

    class Meta:
        verbose_name = _("contact point consent")
        verbose_name_plural = _("contact points' consent")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "purpose", "channel", "address"],
                name="one_consent_per_contact_point",
            )
        ]

    def __str__(self):
        return f"{self.address} · {self.purpose}: {self.get_state_display()}"


class PhoneStop(models.Model):
    """A number that texted STOP to one of our senders: no SMS or call to it from there."""

    sender = models.CharField(_("our number"), max_length=100, blank=True)
    number = models.CharField(_("number"), max_length=32)
    record = models.ForeignKey(ConsentRecord, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("since"))

    class Meta:
        verbose_name = _("STOP")
        verbose_name_plural = _("STOPs")
        constraints = [
            models.UniqueConstraint(fields=["sender", "number"], name="one_stop_per_sender_number")
        ]

    def __str__(self):
        return self.number


class Preference(models.Model):
    """A user's choice for one event group on one channel (SPEC N-5). No row: on."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="preferences")
    group = models.CharField(_("group"), max_length=50)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "group", "channel"], name="one_preference_per_group_channel"
            )
        ]

    def __str__(self):
        state = _("on") if self.enabled else _("off")
        return f"{self.user} · {self.group} · {self.get_channel_display()}: {state}"


class Suppression(models.Model):
    """An address never to be used again on a channel: bounce, complaint (SPEC N-7).

    STOP is consent, not a suppression: it is a `PhoneStop`.
    """

    class Reason(models.TextChoices):
        BOUNCE = "bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        MANUAL = "manual", _("Added by a manager")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address"], name="one_suppression_per_address"
            )
        ]

    def __str__(self):
        return f"{self.address} ({self.get_channel_display()})"
