"""What a member must keep valid or funded, and who asked to hear of everything
(SPEC B-15, B-16)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


class ValidityType(models.Model):
    """A kind of validity members hold (medical certificate, licence, membership) and when
    to warn of its expiry."""

    class Kind(models.TextChoices):
        MEDICAL = "medical", _("Medical certificate")
        LICENCE = "licence", _("Licence")
        MEMBERSHIP = "membership", _("Membership")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(
        "accounts.Organisation", models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    lead_days = models.PositiveSmallIntegerField(
        _("first warning (days before expiry)"), default=30
    )
    repeat_days = models.PositiveSmallIntegerField(
        _("then every (days)"), default=7, help_text=_("0: warn once.")
    )
    alerted_roles = models.JSONField(
        _("also warned of every member's expiry"),
        default=list,
        blank=True,
        help_text=_("Profiles (roles) that receive every expiry alert, e.g. managers."),
    )

    class Meta:
        verbose_name = _("validity type")
        verbose_name_plural = _("validity types")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_validity_type")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        unknown = set(self.alerted_roles or []) - set(Role.values)
        if unknown:
            raise ValidationError({"alerted_roles": _("Unknown role.")})


class Validity(models.Model):
    """One member's validity of one type, until a date."""

    organisation = models.ForeignKey(
        "accounts.Organisation", models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="validities",
        verbose_name=_("member"),
    )
    validity_type = models.ForeignKey(
        ValidityType, models.CASCADE, related_name="validities", verbose_name=_("type")
    )
    expires_on = models.DateField(_("expires on"))
    last_warned_on = models.DateField(_("last warned"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("member's validity")
        verbose_name_plural = _("members' validities")
        ordering = ["expires_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "validity_type"], name="one_validity_per_type"
            )
        ]

    def __str__(self):
        return f"{self.validity_type} · {self.member}"

    def clean(self):
        if (
            self.validity_type_id
            and self.organisation_id
            and self.validity_type.organisation_id != self.organisation_id
        ):
            raise ValidationError(
                {"validity_type": _("This type belongs to another organisation.")}
            )


class Account(models.Model):
    """A member's balance with the organisation (a flying club's account)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("member")
    )
    balance = models.DecimalField(
        _("balance"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # Set when the member was told their balance fell below the threshold; cleared above it.
    warned_below = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("member's account")
        verbose_name_plural = _("members' accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "member"], name="one_account_per_member"
            )
        ]

    def __str__(self):
        return f"{self.member} · {self.balance} {self.currency}"


class BalanceThreshold(models.Model):
    """Below this balance, a member is told (SPEC B-16)."""

    organisation = models.OneToOneField(
        "accounts.Organisation", models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    amount = models.DecimalField(_("threshold"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("balance threshold")
        verbose_name_plural = _("balance thresholds")

    def __str__(self):
        return f"{self.organisation} < {self.amount}"


class Subscription(models.Model):
    """What a person asked to hear of beyond their own bookings (SPEC B-14, B-15)."""

    class Topic(models.TextChoices):
        MAINTENANCE = "maintenance", _("Resources going into maintenance")
        EVERY_BOOKING = "every_booking", _("Every booking of the organisation")

    class Delivery(models.TextChoices):
        EACH = "each", _("A message for each booking")
        DIGEST = "digest", _("One daily digest")

    organisation = models.ForeignKey(
        "accounts.Organisation", models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="booking_subscriptions",
        verbose_name=_("person"),
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    only_supervised = models.BooleanField(
        _("only the resources I supervise"),
        default=False,
        help_text=_("Those you manage or approve."),
    )
    delivery = models.CharField(
        _("how"), max_length=10, choices=Delivery.choices, default=Delivery.EACH
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("booking subscription")
        verbose_name_plural = _("booking subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user", "topic"], name="one_subscription_per_topic"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_topic_display()}"
