"""Which providers serve an organisation: its own integration, else the platform's settings.

A channel is connected for an organisation when one of the two has its credentials; rules,
grids and manual sends offer it only then (SPEC C-6).
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.crypto import salted_hmac

from notifications.channels.kinds import Channel
from notifications.messengers.models import Integration


@dataclass(frozen=True)
class Bot:
    """A Telegram bot: the organisation's own (`organisation_id`), or the platform's (None)."""

    token: str
    username: str
    organisation_id: int | None

    @property
    def webhook_secret(self):
        """What Telegram sends back in X-Telegram-Bot-Api-Secret-Token (set by setWebhook)."""
        return salted_hmac("relais.telegram-webhook", self.token).hexdigest()

    @property
    def webhook_key(self):
        """The bot's part of its webhook URL: the organisation's id, or "platform"."""
        return str(self.organisation_id) if self.organisation_id else "platform"


@dataclass(frozen=True)
class TwilioAccount:
    account_sid: str
    auth_token: str
    sms_from: str
    voice_from: str
    whatsapp_from: str


def integration_of(organisation):
    if organisation is None:
        return None
    organisation_id = getattr(organisation, "pk", organisation)
    return Integration.objects.filter(organisation_id=organisation_id).first()


def telegram_bot(organisation):
    """The bot that speaks for `organisation`, or None when Telegram is not connected."""
    own = integration_of(organisation)
    if own is not None and own.telegram_bot_token and own.telegram_bot_username:
        return Bot(own.telegram_bot_token, own.telegram_bot_username, own.organisation_id)
    if settings.TELEGRAM_BOT_TOKEN and settings.TELEGRAM_BOT_USERNAME:
        return Bot(settings.TELEGRAM_BOT_TOKEN, settings.TELEGRAM_BOT_USERNAME, None)
    return None


def bot_for_webhook(key):
    """The bot whose webhook URL ends in `key` ("platform" or an organisation's id)."""
    if key == "platform":
        bot = telegram_bot(None)
        return bot
    if not key.isdigit():
        return None
    bot = telegram_bot(int(key))
    return bot if bot and bot.organisation_id == int(key) else None


def twilio_account(organisation):
    """The organisation's Twilio account when it connected one, else the platform's."""
    own = integration_of(organisation)
    if own is not None and own.twilio_account_sid and own.twilio_auth_token:
        return TwilioAccount(
            own.twilio_account_sid,
            own.twilio_auth_token,
            own.sms_from or settings.TWILIO_SMS_FROM,
            own.voice_from or own.sms_from or settings.TWILIO_VOICE_FROM,
            own.whatsapp_from,
        )
    return TwilioAccount(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_SMS_FROM,
        settings.TWILIO_VOICE_FROM or settings.TWILIO_SMS_FROM,
        settings.TWILIO_WHATSAPP_FROM,
    )


def organisation_of_account(account_sid):
    """The organisation whose own Twilio account this is (a webhook's AccountSid), or None:
    the platform's. The account that signed a webhook says whose sender it reached."""
    if not account_sid:
        return None
    return (
        Integration.objects.filter(twilio_account_sid=account_sid)
        .values_list("organisation_id", flat=True)
        .first()
    )


def sms_from_in_sql(organisation_field):
    """`twilio_account(organisation).sms_from` as an SQL expression, for the organisation
    of each row of a queryset (`organisation_field`): the same rule, read in one query."""
    own = (
        Integration.objects.filter(organisation=OuterRef(organisation_field))
        .exclude(twilio_account_sid="")
        .exclude(twilio_auth_token_encrypted="")
        .exclude(sms_from="")
        .values("sms_from")[:1]
    )
    return Coalesce(Subquery(own), Value(settings.TWILIO_SMS_FROM))


def is_connected(channel, organisation):
    """Whether the organisation (or the platform for it) can send on `channel` at all."""
    if channel == Channel.TELEGRAM:
        return telegram_bot(organisation) is not None
    if channel == Channel.WHATSAPP:
        return bool(twilio_account(organisation).whatsapp_from)
    return True  # email, SMS, push, in-app, voice: the platform's backends, as before
