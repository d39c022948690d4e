"""Requests occupants make to their building's managers (SPEC R-1 … R-7)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from model_utils import FieldTracker

from core.files import RandomName, display_name, validate_upload_size, validate_upload_type

validate_attachment_size = validate_upload_size  # migration 0001 names it


class Category(models.Model):
    """A kind of request (heating, cleaning, access…) and the managers who handle it."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        related_name="request_categories",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("managers")
    )

    class Meta:
        verbose_name = _("request category")
        verbose_name_plural = _("request categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_category_name")
        ]

    def __str__(self):
        return self.name


class Request(models.Model):
    """One request, shown to people as "ID 123"."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        ARCHIVED = "archived", _("Archived")

    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        related_name="requests",
        verbose_name=_("organisation"),
    )
    site = models.ForeignKey(
        "accounts.Site", models.PROTECT, related_name="requests", verbose_name=_("site")
    )
    # None is "Other": an organisation need not sort its requests to take them.
    category = models.ForeignKey(
        Category,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("category"),
    )
    declarant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="declared_requests",
        verbose_name=_("declarant"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        verbose_name=_("assigned manager"),
    )
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="followed_requests",
        verbose_name=_("followers"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resolution = models.TextField(
        _("resolution"),
        blank=True,
        help_text=_("Sent to the declarant when the request is resolved."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    tracker = FieldTracker(fields=["status", "assigned_to"])

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.label} · {self.title}"

    def get_absolute_url(self):
        return reverse("requests_center:detail", args=[self.pk])

    @property
    def number(self):
        return self.pk

    @property
    def label(self):
        return _("ID %(number)s") % {"number": self.pk}


class Comment(models.Model):
    """A public reply the declarant sees, or an internal note between managers."""

    request = models.ForeignKey(
        Request, models.CASCADE, related_name="comments", verbose_name=_("request")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("comment"))
    is_internal = models.BooleanField(
        _("internal"), default=False, help_text=_("Managers only: never shown to the declarant.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    tracker = FieldTracker(fields=["is_internal"])

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.author} · {self.created_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A photo or document on a request or one of its comments."""

    request = models.ForeignKey(
        Request, models.CASCADE, related_name="attachments", verbose_name=_("request")
    )
    comment = models.ForeignKey(
        Comment,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("comment"),
    )
    file = models.FileField(
        _("file"),
        upload_to=RandomName("requests"),
        validators=[validate_upload_type, validate_upload_size],
    )
    # After `file`: its upload_to fills this in while the row is saved.
    original_name = models.CharField(_("file name"), max_length=255, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return display_name(self)
