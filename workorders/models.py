"""A service business's work orders, its employees' tasks and its leads (SPEC R-8 … R-10).

RemOnline's three notification settings. A work order is not a request: a request
is an occupant's ask to the building's managers (a declarant with an account, a
site, fixed statuses); a work order is a job done for a client who may have no
account, on an asset, at a price, through statuses each organisation defines.
"""

import dataclasses

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from model_utils import FieldTracker
from phonenumber_field.modelfields import PhoneNumberField

from accounts.models import Language
from notifications.recipients import Recipient


def _same_organisation(instance, **related):
    """Refuse related rows of another organisation than `instance`'s (SPEC P-3)."""
    errors = {}
    for field, obj in related.items():
        if (
            obj is not None
            and instance.organisation_id
            and obj.organisation_id != (instance.organisation_id)
        ):
            errors[field] = _("This belongs to another organisation.")
    if errors:
        raise ValidationError(errors)


class Client(models.Model):
    """A client or prospect: a plain contact (name, email, phone), a portal account optional."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        related_name="workorder_clients",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email address"), blank=True)
    phone = PhoneNumberField(_("mobile phone"), blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.FRENCH
    )
    # RemOnline's "Accepte de recevoir des emails": unticked, no message on that channel.
    accepts_email = models.BooleanField(_("accepts emails"), default=True)
    accepts_sms = models.BooleanField(_("accepts SMS"), default=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("portal account"),
        help_text=_("Optional: with one, the client's own preferences apply too."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def as_recipient(self):
        """The client as messages reach them: only on the channels they accept."""
        if self.user_id and self.user.is_active:
            recipient = Recipient.from_user(self.user)
        else:
            recipient = Recipient(
                key=f"workorders.client:{self.pk}",
                name=self.name,
                email=self.email,
                phone=str(self.phone or ""),
                language=self.language,
                time_zone=str(self.organisation.time_zone),
            )
        return dataclasses.replace(
            recipient,
            email=recipient.email if self.accepts_email else "",
            phone=recipient.phone if self.accepts_sms else "",
            chat_phone=recipient.phone,  # a messenger needs its own tick, not the SMS one
        )


class WorkOrderStatus(models.Model):
    """A status an organisation names ("Nouveau", "Attente pièces", "Fermé"), of a kind."""

    class Kind(models.TextChoices):
        NEW = "new", pgettext_lazy("work order", "New")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting")
        READY = "ready", pgettext_lazy("work order", "Ready")
        CLOSED = "closed", pgettext_lazy("work order", "Closed")

    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        related_name="workorder_statuses",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.IN_PROGRESS,
        help_text=_(
            "What the status means. Shipped messages follow the kind (ready, closed); "
            "a status's own messages are its triggers."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("work order status")
        verbose_name_plural = _("work order statuses")
        ordering = ["organisation", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="unique_workorder_status_name"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_closed(self):
        return self.kind == self.Kind.CLOSED


class StatusTrigger(models.Model):
    """A rule sent when an order enters the status: the status's own message (SPEC R-8)."""

    status = models.ForeignKey(
        WorkOrderStatus, models.CASCADE, related_name="triggers", verbose_name=_("status")
    )
    rule = models.ForeignKey(
        "notifications.Rule",
        models.CASCADE,
        related_name="workorder_triggers",
        verbose_name=_("notification rule"),
    )

    class Meta:
        verbose_name = _("status trigger")
        verbose_name_plural = _("status triggers")
        constraints = [
            models.UniqueConstraint(fields=["status", "rule"], name="one_trigger_per_status_rule")
        ]

    def __str__(self):
        return f"{self.status} → {self.rule}"

    def clean(self):
        rule, status = getattr(self, "rule", None), getattr(self, "status", None)
        if rule and status and rule.organisation_id != status.organisation_id:
            raise ValidationError({"rule": _("Choose a rule of the status's own organisation.")})


class WorkOrder(models.Model):
    """A job for a client on an asset, at a price, shown to people as "n° 123"."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        related_name="work_orders",
        verbose_name=_("organisation"),
    )
    client = models.ForeignKey(
        Client, models.PROTECT, related_name="work_orders", verbose_name=_("client")
    )
    status = models.ForeignKey(
        WorkOrderStatus, models.PROTECT, related_name="work_orders", verbose_name=_("status")
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_work_orders",
        verbose_name=_("manager"),
    )
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_work_orders",
        verbose_name=_("specialist"),
    )
    asset = models.CharField(
        _("asset"),
        max_length=200,
        help_text=_("What is repaired, e.g. iPhone 12, lave-linge Bosch."),
    )
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    malfunction = models.TextField(_("reported fault"))
    work_done = models.TextField(
        _("work done"), blank=True, help_text=_("Told to the client when the order is closed.")
    )
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, default=0)
    prepaid = models.DecimalField(_("paid in advance"), max_digits=10, decimal_places=2, default=0)
    due_at = models.DateTimeField(_("promised for"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    tracker = FieldTracker(fields=["status", "specialist"])

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.label} · {self.asset}"

    def clean(self):
        _same_organisation(
            self,
            client=getattr(self, "client", None),
            status=getattr(self, "status", None),
        )

    @property
    def number(self):
        return self.pk

    @property
    def label(self):
        return _("No. %(number)s") % {"number": self.pk}

    @property
    def balance_due(self):
        return max(self.price - self.prepaid, 0)


class Task(models.Model):
    """An employee's task: its creator hears it is done, its assignees that it is theirs."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        related_name="workorder_tasks",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="tasks", verbose_name=_("assignees")
    )
    work_order = models.ForeignKey(
        WorkOrder,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("work order"),
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("completed by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    tracker = FieldTracker(fields=["due_at"])

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["completed_at", "due_at", "-created_at"]

    def __str__(self):
        return self.title

    def clean(self):
        _same_organisation(self, work_order=self.work_order)

    @property
    def is_done(self):
        return self.completed_at is not None


class Lead(models.Model):
    """A prospect: who, from where, how far along, and who calls them (SPEC R-10)."""

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("lead", "New")
        CONTACTED = "contacted", pgettext_lazy("lead", "Contacted")
        NO_ANSWER = "no_answer", _("No answer")
        INTERESTED = "interested", pgettext_lazy("lead", "Interested")
        WON = "won", pgettext_lazy("lead", "Won")
        LOST = "lost", pgettext_lazy("lead", "Lost")

    class Source(models.TextChoices):
        PHONE = "phone", _("Phone call")
        WEBSITE = "website", _("Website")
        WALK_IN = "walk_in", _("Walk-in")
        REFERRAL = "referral", _("Referral")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        related_name="workorder_leads",
        verbose_name=_("organisation"),
    )
    client = models.ForeignKey(
        Client, models.PROTECT, related_name="leads", verbose_name=_("contact")
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.PHONE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible employee"),
    )
    interest = models.TextField(_("what they ask for"), blank=True)
    callback_at = models.DateTimeField(
        _("call back at"),
        null=True,
        blank=True,
        help_text=_("With the status “No answer”: the responsible employee is reminded."),
    )
    # Each "no answer" is a new attempt: its call-back reminder is that attempt's only.
    call_attempts = models.PositiveSmallIntegerField(
        _("unanswered calls"), default=0, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    tracker = FieldTracker(fields=["status", "callback_at", "responsible"])

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.client} · {self.get_status_display()}"

    def clean(self):
        _same_organisation(self, client=getattr(self, "client", None))
