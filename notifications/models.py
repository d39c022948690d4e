"""The engine's tables: the outbox of events, the rules managers edit, and the delivery log."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from core.files import RandomName, display_name, validate_upload_size, validate_upload_type
from notifications.channels.kinds import Channel

# The consent ledger and the states it keeps in step (preferences, suppressions): SPEC N-20.
from notifications.consent.models import (  # noqa: F401
    ConsentRecord,
    ContactConsent,
    PhoneStop,
    Preference,
    Suppression,
)
from notifications.events import Priority, UnknownEvent, get_event_type
from notifications.recipients import Recipient


class TargetQuerySet(models.QuerySet):
    def for_target(self, target):
        """Rows about one domain object (a request, a visit, a booking...)."""
        return self.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=target.pk
        )


class DeliveryQuerySet(TargetQuerySet):
    def concerning(self, obj):
        """Deliveries whose event's target is `obj`, or which are about `obj` (SPEC N-18)."""
        kind = ContentType.objects.get_for_model(obj)
        targeted = Q(target_type=kind, target_id=obj.pk)
        about = Q(about_type=kind, about_id=obj.pk)
        # Most objects are only ever targets (a request) or only ever what messages are
        # about (a contract of a route run). Asked for one condition, the database reads
        # its index newest first and stops after a page; asked for both, it must gather
        # every row of each before ordering them: only when both really have rows.
        if not Delivery.objects.filter(about).exists():
            return self.filter(targeted)
        if not Delivery.objects.filter(targeted).exists():
            return self.filter(about)
        return self.filter(targeted | about)


class Batch(models.Model):
    """A fan-out counted as one: a route run, a broadcast (SPEC N-18).

    Its events' deliveries carry it; their counts by outcome live in BatchTally,
    kept by the database itself as rows change (see migration 0014), so a page
    showing them reads a few dozen rows, never the delivery table.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", models.CASCADE, related_name="+", verbose_name=_("organisation")
    )

    class Kind(models.TextChoices):
        ROUTE_RUN = "route_run", _("Route run")
        BROADCAST = "broadcast", _("Broadcast")

    label = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=50, choices=Kind.choices)
    # How many people or objects the fan-out means to reach, as its domain counted them.
    targeted = models.PositiveIntegerField(_("targeted"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-created_at"]

    def __str__(self):
        return self.label


class BatchTally(models.Model):
    """Part of a batch's count of deliveries in one bucket (pending, sent, skipped:stop…).

    Written only by database triggers, one row per batch, bucket and shard: each
    database connection adds to its own shard, so workers sending at once never
    wait on one counter row; a count is the sum of its shards.
    """

    batch = models.ForeignKey(Batch, models.CASCADE, related_name="tallies")
    bucket = models.CharField(max_length=40)
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "bucket", "shard"], name="one_tally_per_shard")
        ]

    def __str__(self):
        return f"{self.batch_id} · {self.bucket} · {self.shard}: {self.count}"


class PaceBudget(models.Model):
    """One sender's sending budget (SPEC N-21): when its next message may go.

    A virtual clock shared by every worker: booking n sends at r per second moves
    it n / r seconds on. Changed only by a conditional UPDATE (see `pacing`).
    """

    key = models.CharField(max_length=300, unique=True)  # "sms:+33612345678"
    next_free_at = models.DateTimeField()

    def __str__(self):
        return f"{self.key}: {self.next_free_at:%H:%M:%S}"


class RetentionMark(models.Model):
    """How far retention has redacted one organisation's deliveries (SPEC P-5).

    Every delivery created before `redacted_before` is redacted: each run starts
    there, so a day's run reads the day's rows, never the years already done.
    """

    organisation = models.OneToOneField(
        "accounts.Organisation", models.CASCADE, null=True, related_name="+"
    )
    redacted_before = models.DateTimeField()

    def __str__(self):
        return f"{self.organisation_id}: {self.redacted_before:%Y-%m-%d}"


class ForgottenRecipient(models.Model):
    """A recipient erased at their request (SPEC P-5): no message is planned for them again.

    `key` is the recipient's key ("user:12", "visitors.visitor:5"): an internal
    number, nothing of the person.
    """

    key = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key


class Event(models.Model):
    """Something that happened, stored in the same transaction as the change (the outbox)."""

    code = models.CharField(_("event"), max_length=100)
    organisation = models.ForeignKey(
        "accounts.Organisation", models.CASCADE, null=True, blank=True, related_name="+"
    )
    target_type = models.ForeignKey(
        ContentType, models.CASCADE, null=True, related_name="+", db_index=False
    )
    target_id = models.PositiveBigIntegerField(null=True)
    target = GenericForeignKey("target_type", "target_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    is_test = models.BooleanField(default=False)  # "send me a test": example values, one rule
    batch = models.ForeignKey(
        Batch,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("batch"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Put on the broker by the relay (notifications/relay.py); empty: waiting for it.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True, editable=False)
    planned_at = models.DateTimeField(_("planned"), null=True, blank=True)
    # Planning that raised: how often, and why (the sweeper gives up after a few tries).
    planning_attempts = models.PositiveSmallIntegerField(_("planning attempts"), default=0)
    planning_error = models.TextField(_("planning error"), blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        # Each emit pays for every index, inside a domain save: only those a query reads.
        # With the primary key and the foreign keys to organisation (its deletion, the
        # admin's scope) and actor (a person's erasure sets it to null):
        indexes = [
            # the relay (events not queued yet) and the sweeper (left unplanned), oldest
            # first: only the events in flight are in it;
            models.Index(
                fields=["created_at"], condition=Q(planned_at=None), name="event_unplanned"
            ),
            # a target that moves re-plans its events (`target_moved`), on the caller's path;
            models.Index(fields=["target_type", "target_id"], name="event_target"),
            # the delivery log's event filter, the admin's, and a rule's dry run (by code).
            models.Index(fields=["code"], name="event_code"),
        ]

    def __str__(self):
        return f"{self.code} #{self.pk}"

    @property
    def event_type(self):
        return get_event_type(self.code)


class Rule(models.Model):
    """When an event happens, who is told, on which channels, and when (SPEC N-2)."""

    class SenderMode(models.TextChoices):
        NO_REPLY = "no_reply", _("No-reply address")
        ACTOR = "actor", _("The staff member who acted")
        # Agendize: the client's messages answer to the staff member their appointment is with.
        STAFF = "staff", _("The staff member concerned (reply-to)")

    name = models.CharField(_("name"), max_length=200)
    event_code = models.CharField(_("event"), max_length=100, db_index=True)
    default_key = models.CharField(
        max_length=150, unique=True, null=True, blank=True, editable=False
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("organisation"),
        help_text=_("Empty: the default for every organisation."),
    )
    overrides = models.ForeignKey(
        "self",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="overridden_by",
        verbose_name=_("replaces the default rule"),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    roles = models.JSONField(_("recipients"), default=list)
    channels = models.JSONField(_("channels"), default=list)
    fallback_channel = models.CharField(
        _("fallback channel"), max_length=10, choices=Channel.choices, blank=True
    )
    anchor = models.CharField(
        _("timing anchor"), max_length=50, blank=True, help_text=_("Empty: send at once.")
    )
    offset_minutes = models.IntegerField(
        _("offset (minutes)"), default=0, help_text=_("Negative: before the anchor.")
    )
    offset_unit = models.CharField(
        _("offset unit"),
        max_length=7,
        choices=[("minutes", _("minutes")), ("hours", _("hours")), ("days", _("days"))],
        blank=True,
        help_text=_("Days keep the time of day; minutes and hours count elapsed time."),
    )
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.CHOICES, default=Priority.DEFAULT
    )
    sender_mode = models.CharField(
        _("sender"), max_length=10, choices=SenderMode.choices, default=SenderMode.NO_REPLY
    )
    send_window_start = models.TimeField(_("send from"), null=True, blank=True)
    send_window_end = models.TimeField(_("send until"), null=True, blank=True)
    send_window_channels = models.JSONField(_("window applies to"), default=list, blank=True)
    daily_cap = models.PositiveSmallIntegerField(
        _("daily cap per recipient"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("notification rule")
        verbose_name_plural = _("notification rules")
        ordering = ["event_code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["overrides", "organisation"], name="one_override_per_organisation"
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The ORM too: no code path stores a rule that would tell whom its event may not.
        if undeclared := self.undeclared_roles():
            raise ValueError(
                f"Rule {self.name!r}: {self.event_code} does not allow {', '.join(undeclared)}."
            )
        super().save(*args, **kwargs)

    def clean(self):
        if undeclared := self.undeclared_roles():
            message = _("This event cannot reach: %(roles)s.") % {"roles": ", ".join(undeclared)}
            raise ValidationError({"roles": message})

    def undeclared_roles(self):
        """The rule's roles that its event does not allow (an internal note: managers only)."""
        try:
            allowed = {role.code for role in self.event_type.roles}
        except UnknownEvent:
            return []
        return [code for code in self.roles if code not in allowed]

    @property
    def event_type(self):
        return get_event_type(self.event_code)

    @property
    def is_immediate(self):
        return not self.anchor

    @property
    def keeps_wall_clock(self):
        """ "1 day before" a 10:00 visit is 10:00 the day before, whatever the clocks did."""
        return self.offset_unit == "days"


class MessageTemplate(models.Model):
    """A rule's wording for one channel and language (SPEC N-3)."""

    rule = models.ForeignKey(Rule, models.CASCADE, related_name="templates")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject / title"), max_length=255, blank=True)
    body = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True, help_text=_("Email only; empty: from the text."))

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "channel", "language"], name="one_template_per_channel_language"
            )
        ]

    def __str__(self):
        return f"{self.rule} · {self.get_channel_display()} · {self.language}"


class RecapSchedule(models.Model):
    """When a recap goes out: a time of day in each recipient's own zone (SPEC N-10)."""

    class Day(models.TextChoices):
        SAME_DAY = "same_day", _("The same day")
        DAY_BEFORE = "day_before", _("The day before")

    event_code = models.CharField(_("recap"), max_length=100)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("organisation"),
        help_text=_("Empty: every organisation."),
    )
    send_time = models.TimeField(_("sent at"), help_text=_("In each recipient's time zone."))
    day = models.CharField(_("covers"), max_length=12, choices=Day.choices, default=Day.DAY_BEFORE)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("recap schedule")
        verbose_name_plural = _("recap schedules")
        ordering = ["event_code", "send_time"]

    def __str__(self):
        return f"{self.event_code} · {self.send_time:%H:%M} · {self.get_day_display()}"


class RecapRun(models.Model):
    """One recap made for one person and one day: the same one is never sent twice."""

    schedule = models.ForeignKey(RecapSchedule, models.CASCADE, related_name="runs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    covered_day = models.DateField()
    event = models.ForeignKey(Event, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "user", "covered_day"], name="one_recap_per_person_day"
            )
        ]

    def __str__(self):
        return f"{self.schedule} → {self.user} ({self.covered_day})"


class ManualAttachment(models.Model):
    """A document a manager attached to a message written by hand (SPEC N-12)."""

    event = models.ForeignKey(Event, models.CASCADE, related_name="attachments")
    file = models.FileField(
        _("file"),
        upload_to=RandomName("manual"),
        validators=[validate_upload_type, validate_upload_size],
    )
    # After `file`: its upload_to fills this in while the row is saved.
    original_name = models.CharField(_("file name"), max_length=255, blank=True, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return display_name(self)


class Device(models.Model):
    """A phone or browser that receives push messages through FCM (SPEC C-3)."""

    class Platform(models.TextChoices):
        ANDROID = "android", "Android"
        IOS = "ios", "iOS"
        WEB = "web", _("Web browser")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="devices")
    token = models.CharField(_("FCM token"), max_length=512, unique=True)
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    deactivated_reason = models.CharField(_("deactivated because"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"), auto_now=True)

    class Meta:
        verbose_name = _("push device")
        verbose_name_plural = _("push devices")
        indexes = [models.Index(fields=["user", "active"], name="device_user_active")]

    def __str__(self):
        return self.name or f"{self.get_platform_display()} · {self.token[:12]}…"


class Delivery(models.Model):
    """One message to one recipient on one channel: the delivery log (SPEC N-6)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        OPENED = "opened", _("Opened")
        CLICKED = "clicked", _("Clicked")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Suppressed")
        CANCELLED = "cancelled", _("Cancelled")

    class Skip(models.TextChoices):
        """Why a message did not go (or stopped): a code to count by, beside the reason's text."""

        PREFERENCE = "preference", _("turned off by the recipient")
        STOP = "stop", _("replied STOP")
        SUPPRESSION = "suppression", _("address on the suppression list")
        QUIET_HOURS = "quiet_hours", _("quiet hours")
        CAP = "cap", _("daily cap reached")
        NO_CONTACT = "no_contact", _("no contact point")
        SENDING_MODE = "sending_mode", _("sending mode (demo or test)")
        CONDITION = "condition", _("condition not met")
        EXPIRED = "expired", _("expired")
        WITHDRAWN = "withdrawn", _("withdrawn (moved, cancelled, rule changed)")
        RESENT = "resent", _("failed, then sent again")
        FELL_BACK = "fell_back", _("failed, then sent on another channel")

    PENDING = (Status.SCHEDULED, Status.QUEUED)

    event = models.ForeignKey(Event, models.CASCADE, related_name="deliveries")
    # The event's batch, on each row: what the batch's tally counts (and "resend the failed").
    batch = models.ForeignKey(
        Batch,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("batch"),
        db_index=False,  # `delivery_batch` (partial: rows in a batch only) serves its lookups
    )
    rule = models.ForeignKey(
        Rule, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("rule")
    )
    # Foreign keys without an index of their own are the first column of one in Meta.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    target_type = models.ForeignKey(
        ContentType, models.CASCADE, null=True, related_name="+", db_index=False
    )
    target_id = models.PositiveBigIntegerField(null=True)
    target = GenericForeignKey("target_type", "target_id")
    # What the message is about for this recipient, when not the event's target (SPEC N-18):
    # a visitor of the visit, a participant's attendance, a contract of the route run.
    # No index of its own: `delivery_about` (partial) serves the lookups, and only rows
    # about something else than their target pay for it.
    about_type = models.ForeignKey(
        ContentType, models.CASCADE, null=True, blank=True, related_name="+", db_index=False
    )
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("person"),
        db_index=False,
    )
    recipient_key = models.CharField(max_length=100)
    recipient_name = models.CharField(_("recipient"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=5)
    time_zone = models.CharField(_("time zone"), max_length=64)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.CHOICES)
    dedupe_key = models.CharField(max_length=255)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    reason_code = models.CharField(
        _("reason code"), max_length=20, choices=Skip.choices, blank=True
    )
    send_at = models.DateTimeField(_("send at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    error_type = models.CharField(_("error type"), max_length=100, blank=True)
    # Why it failed for good, as a code (notifications/failures.py): set only on failed and
    # bounced rows, what the dashboard counts them by and the log filters them by (SPEC P-4).
    failure = models.CharField(_("failure cause"), max_length=40, blank=True)
    # SMS segments the provider bills, stored once the text was handed over (SPEC P-4).
    segments = models.PositiveSmallIntegerField(_("SMS segments"), null=True, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Its text and address erased (retention, or its recipient's erasure: SPEC P-5).
    redacted_at = models.DateTimeField(_("redacted on"), null=True, blank=True, editable=False)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("delivery log")
        ordering = ["-created_at"]
        # Every write of a delivery (planned, claimed, sent, delivered...) writes an entry
        # in each of these: only those a query reads, each said by whom. With the primary
        # key and the foreign keys to event and rule. The log reads newest first by
        # creation time, so that each of its filters — a day, a status, an organisation,
        # or several — walks one index in the page's own order and stops after a page.
        constraints = [
            # Planning's duplicates: a replayed event plans nothing new.
            models.UniqueConstraint(fields=["dedupe_key"], name="delivery_dedupe_key"),
        ]
        indexes = [
            # dispatch_due: scheduled rows whose time has come.
            models.Index(fields=["send_at"], condition=Q(status="scheduled"), name="delivery_due"),
            # The whole log (a superuser's) and its date filter, newest first.
            models.Index(fields=["created_at"], name="delivery_log"),
            # The log's status filter, newest first; the sweeper's queued and sending rows.
            models.Index(fields=["status", "created_at"], name="delivery_status_log"),
            # The log's channel filter, newest first.
            models.Index(fields=["channel", "created_at"], name="delivery_channel_log"),
            # A manager's log (their organisation, newest first, on a day too); an
            # organisation's deletion.
            models.Index(fields=["organisation", "created_at"], name="delivery_organisation_log"),
            # The log's skip-reason filter: only skipped rows are in it, the others pay nothing.
            models.Index(
                fields=["reason_code", "created_at"],
                condition=~Q(reason_code=""),
                name="delivery_skipped",
            ),
            # The log's failure-cause filter (the dashboard's links): failed rows only.
            models.Index(
                fields=["failure", "created_at"], condition=~Q(failure=""), name="delivery_failure"
            ),
            # The log's search: an address in any case (and suppressions: as it is).
            models.Index(Upper("address"), name="delivery_address_any_case"),
            models.Index(fields=["address"], name="delivery_address"),
            # Provider feedback finds its delivery.
            models.Index(fields=["provider_message_id"], name="delivery_provider_id"),
            # An object's history (newest first), its re-planned and cancelled reminders.
            models.Index(fields=["target_type", "target_id", "created_at"], name="delivery_target"),
            # The batch page's live counts (SPEC N-18).
            models.Index(
                fields=["batch", "status"],
                condition=Q(batch__isnull=False),
                name="delivery_batch",
            ),
            # Only the rows about something else than their target: the others pay nothing.
            models.Index(
                fields=["about_type", "about_id", "created_at"],
                condition=Q(about_id__isnull=False),
                name="delivery_about",
            ),
            # The in-app inbox; a person's deliveries (search, erasure).
            models.Index(fields=["user", "channel", "read_at"], name="delivery_inbox"),
            # Daily caps per recipient; a recipient's resends.
            models.Index(fields=["recipient_key", "created_at"], name="delivery_recipient"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient_name or self.address}"

    @classmethod
    def to(cls, recipient, *, event, channel, address, about=None, **fields):
        """An unsaved delivery of `event` to `recipient` on `channel`: built here, and only here.

        `about`: what the message is about for this recipient, when not the event's target.
        """
        about_type_id = about_id = None
        if about is not None:
            about_type_id = ContentType.objects.get_for_model(about).pk
            about_id = about.pk
            if (about_type_id, about_id) == (event.target_type_id, event.target_id):
                about_type_id = about_id = None  # the default, stored as such
        return cls(
            event=event,
            batch_id=event.batch_id,
            organisation_id=event.organisation_id,
            target_type_id=event.target_type_id,
            target_id=event.target_id,
            about_type_id=about_type_id,
            about_id=about_id,
            user_id=recipient.user_id,
            recipient_key=recipient.key,
            recipient_name=recipient.name[:200],
            address=address,
            language=recipient.language,
            time_zone=recipient.time_zone,
            channel=channel,
            **fields,
        )

    @property
    def recipient(self):
        """Who this delivery is for, as planning saw them."""
        return Recipient(
            key=self.recipient_key,
            name=self.recipient_name,
            language=self.language,
            time_zone=self.time_zone,
            user_id=self.user_id,
        )

    @property
    def about_object(self):
        """What this message is about: its own object, else the event's target (None: gone)."""
        if self.event.is_test:
            return None
        return self.about if self.about_id is not None else self.event.target

    def attachments(self):
        """Files the event attaches to this message: [(filename, content, mimetype)]."""
        about = self.about_object
        if about is None:
            return []
        return self.event.event_type.attachments(about, self)


# The dashboard's tally of deliveries (SPEC P-4): a model of its own module.
from notifications.dashboard.models import DeliveryDayTally, DeliveryTally  # noqa: E402, F401

# Messengers and each organisation's integrations (SPEC C-6): models of their own module.
from notifications.messengers.models import (  # noqa: E402, F401
    Integration,
    TelegramLink,
    TelegramLinkToken,
    WhatsAppTemplate,
    WhatsAppWindow,
)
