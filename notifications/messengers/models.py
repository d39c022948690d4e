"""Providers each organisation connects, linked Telegram chats, WhatsApp's rules (SPEC C-6)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notifications.messengers import vault


class Integration(models.Model):
    """An organisation's own providers; what it leaves empty falls back to the platform's."""

    organisation = models.OneToOneField(
        "accounts.Organisation",
        models.CASCADE,
        related_name="integration",
        verbose_name=_("organisation"),
    )
    telegram_bot_token_encrypted = models.TextField(_("Telegram bot token"), blank=True)
    telegram_bot_username = models.CharField(_("Telegram bot"), max_length=64, blank=True)
    twilio_account_sid = models.CharField(_("Twilio account SID"), max_length=64, blank=True)
    twilio_auth_token_encrypted = models.TextField(_("Twilio auth token"), blank=True)
    sms_from = models.CharField(_("SMS sender"), max_length=100, blank=True)
    voice_from = models.CharField(_("voice caller number"), max_length=100, blank=True)
    whatsapp_from = models.CharField(_("WhatsApp sender"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("integrations")
        verbose_name_plural = _("integrations")

    def __str__(self):
        return str(self.organisation)

    @property
    def telegram_bot_token(self):
        return vault.decrypt(self.telegram_bot_token_encrypted)

    @telegram_bot_token.setter
    def telegram_bot_token(self, value):
        self.telegram_bot_token_encrypted = vault.encrypt(value)

    @property
    def twilio_auth_token(self):
        return vault.decrypt(self.twilio_auth_token_encrypted)

    @twilio_auth_token.setter
    def twilio_auth_token(self, value):
        self.twilio_auth_token_encrypted = vault.encrypt(value)


class TelegramLink(models.Model):
    """A person's private chat with a bot: the organisation's own, or the platform's (None)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="telegram_links",
        verbose_name=_("person"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bot of"),
        help_text=_("Empty: the platform's bot."),
    )
    chat_id = models.BigIntegerField(_("chat"))
    username = models.CharField(_("Telegram username"), max_length=64, blank=True)
    active = models.BooleanField(_("active"), default=True)
    deactivated_reason = models.CharField(_("deactivated because"), max_length=255, blank=True)
    linked_at = models.DateTimeField(_("linked"))

    class Meta:
        verbose_name = _("linked Telegram account")
        verbose_name_plural = _("linked Telegram accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(organisation__isnull=False),
                name="one_telegram_link_per_bot",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(organisation__isnull=True),
                name="one_telegram_link_platform_bot",
            ),
        ]

    def __str__(self):
        return f"@{self.username}" if self.username else str(self.chat_id)


class TelegramLinkToken(models.Model):
    """The one-time token a portal deep link carries to the bot (see `linking`)."""

    nonce = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Telegram link token")
        verbose_name_plural = _("Telegram link tokens")

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"


class WhatsAppTemplate(models.Model):
    """A rule's WhatsApp template as Meta approved it: the only kind sent outside 24 hours."""

    template = models.OneToOneField(
        "notifications.MessageTemplate",
        models.CASCADE,
        related_name="whatsapp_approval",
        verbose_name=_("template"),
    )
    content_sid = models.CharField(
        _("Twilio content SID"), max_length=64, help_text=_("HX…, from Twilio's Content API.")
    )
    variables = models.CharField(
        _("variables"),
        max_length=255,
        blank=True,
        help_text=_("The template's variables {{1}}, {{2}}… in order, e.g. “name, start”."),
    )

    class Meta:
        verbose_name = _("approved WhatsApp template")
        verbose_name_plural = _("approved WhatsApp templates")

    def __str__(self):
        return self.content_sid

    def variable_names(self):
        return [name.strip() for name in self.variables.split(",") if name.strip()]


class WhatsAppWindow(models.Model):
    """When a number last wrote to us on WhatsApp: free-form replies are allowed 24 h after."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    last_inbound_at = models.DateTimeField(_("last message from them"))

    class Meta:
        verbose_name = _("WhatsApp conversation window")
        verbose_name_plural = _("WhatsApp conversation windows")

    def __str__(self):
        return self.number
