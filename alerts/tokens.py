"""The signed link of an email confirmation request (SPEC A-2, P-2): no login needed."""

import datetime

from django.urls import reverse

from core import tokens

CONFIRM = "alerts.confirm"
# A request unanswered for a month is stale: the company resends one.
VALID_FOR = datetime.timedelta(days=30)


def read_token(token):
    """The contact point id a token stands for; `signing.BadSignature` if forged or old."""
    return tokens.read_token(CONFIRM, token, max_age=VALID_FOR)


def confirm_url(point):
    return tokens.signed_url("alerts:confirm", CONFIRM, point.pk)


def confirm_path(point):
    return reverse("alerts:confirm", args=[tokens.make_token(CONFIRM, point.pk)])


VOICE = "alerts.voice"
# The key is pressed during the call: a day covers a retried call, not a replayed one weeks on.
VOICE_VALID_FOR = datetime.timedelta(days=1)


def voice_url(point):
    """Where Twilio posts the key pressed on the confirmation call (signed by Twilio too)."""
    return tokens.signed_url("alerts:voice_answer", VOICE, point.pk)


def read_voice_token(token):
    return tokens.read_token(VOICE, token, max_age=VOICE_VALID_FOR)
