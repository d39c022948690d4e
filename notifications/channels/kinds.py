"""The kinds of channel, as rows and forms name them (a module of its own: models import it)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PUSH = "push", _("Push")
    INAPP = "inapp", _("In-app")
    VOICE = "voice", _("Voice call")


# Channels that reach a phone number: a STOP texted from it blocks them both.
PHONE_CHANNELS = (Channel.SMS, Channel.VOICE)
