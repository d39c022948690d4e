"""People, the organisations they belong to, and their role in each."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from timezone_field import TimeZoneField


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in: an occupant, a member, a staff member, a manager."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    phone = PhoneNumberField(_("mobile phone"), blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.FRENCH
    )
    time_zone = TimeZoneField(_("time zone"), default=settings.TIME_ZONE)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("platform staff"),
        default=False,
        help_text=_("Relais operators. Managers reach the admin through their membership."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["display_name", "email"]

    def __str__(self):
        return self.display_name or self.email

    def get_full_name(self):
        return str(self)

    def get_short_name(self):
        return str(self)


class Organisation(models.Model):
    """A building operator, a club or a service business: the unit of data isolation."""

    class SendingMode(models.TextChoices):
        DEMO = "demo", _("Demo: nothing leaves")
        TEST = "test", _("Test: only allow-listed addresses")
        PRODUCTION = "production", _("Production")

    name = models.CharField(_("name"), max_length=200, unique=True)
    time_zone = TimeZoneField(_("time zone"), default=settings.TIME_ZONE)
    sending_mode = models.CharField(
        _("sending mode"), max_length=20, choices=SendingMode.choices, default=SendingMode.DEMO
    )
    test_recipients = models.TextField(
        _("test recipients"),
        blank=True,
        help_text=_(
            "In test mode, the only email addresses and phone numbers reached, one a line."
        ),
    )
    # SPEC P-5: how long the texts and addresses of its messages are kept (GDPR, Law 25).
    retention_months = models.PositiveSmallIntegerField(
        _("keep message contents for (months)"),
        default=13,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "After that, each message's text and address are erased; its status, channel "
            "and dates stay for the statistics."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Site(models.Model):
    """A building or location of an organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sites", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    # A site in Toronto of an organisation in Paris: its visits and bookings keep its clock.
    time_zone = TimeZoneField(
        _("time zone"), null=True, blank=True, help_text=_("Empty: the organisation's.")
    )
    default_manager = models.ForeignKey(
        User,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default manager"),
        help_text=_("Told about requests that no category manager handles."),
    )

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_site_name")
        ]

    def __str__(self):
        return self.name

    @property
    def zone(self):
        """The clock its visits, bookings and opening hours are read on."""
        return zoneinfo.ZoneInfo(str(self.time_zone or self.organisation.time_zone))


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    STAFF = "staff", _("Staff member")
    OCCUPANT = "occupant", _("Occupant")


# Roles that open the admin back-office on their organisation's data.
BACK_OFFICE_ROLES = (Role.ADMIN, Role.MANAGER)


class Membership(models.Model):
    """A user's role in one organisation."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OCCUPANT)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="one_role_per_organisation"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"
