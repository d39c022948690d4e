"""The kinds of channel, as rows and forms name them (a module of its own: models import it)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PUSH = "push", _("Push")
    INAPP = "inapp", _("In-app")
    VOICE = "voice", _("Voice call")
    TELEGRAM = "telegram", "Telegram"
    WHATSAPP = "whatsapp", "WhatsApp"
    # Only ever a manual "open the chat" link: Viber takes no message from us (SPEC C-6).
    VIBER = "viber", "Viber"


# Channels that reach a phone number: a STOP texted from it blocks them both.
PHONE_CHANNELS = (Channel.SMS, Channel.VOICE)
# Messengers a manager opens a chat in by hand, with the person's number (SPEC N-12).
CHAT_LINK_CHANNELS = (Channel.WHATSAPP, Channel.VIBER)
# Channels rules may send on: Viber is reached only through a manual chat link.
AUTOMATED_CHANNELS = [c for c in Channel if c != Channel.VIBER]
