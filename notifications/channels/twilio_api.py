"""The Twilio client shared by the SMS and voice channels, and what its errors mean.

Imported only when a Twilio channel is first used (settings.RELAIS_CHANNELS).
"""

from django.conf import settings
from django.urls import reverse
from requests import RequestException
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from notifications.channels.base import ChannelError

# What a call to Twilio may raise: an API answer, or no answer at all.
ERRORS = (TwilioRestException, RequestException)

# Twilio error codes that no retry will fix (https://www.twilio.com/docs/api/errors).
PERMANENT_ERRORS = {
    21211: "Invalid phone number",
    21214: "Number cannot be reached",
    21408: "No permission to send to this region",
    21606: "The sender number cannot send SMS",
    21610: "The recipient replied STOP to this sender",
    21612: "The recipient cannot be reached from this sender",
    21614: "Not a mobile number",
    13224: "Invalid phone number for a call",
    63016: "Outside WhatsApp's 24-hour window: only an approved template may be sent",
    63024: "Not a WhatsApp number",
}


def client(account=None):
    """A Twilio REST client from settings, or from an organisation's own account
    (messengers.integrations.TwilioAccount); missing credentials fail this send, loudly."""
    sid = account.account_sid if account else settings.TWILIO_ACCOUNT_SID
    token = account.auth_token if account else settings.TWILIO_AUTH_TOKEN
    if not (sid and token):
        raise ChannelError(
            "Twilio is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.",
            permanent=True,
        )
    twilio = Client(sid, token)
    if settings.TWILIO_API_URL:  # a proxy, or the fake provider in tests
        twilio.api.base_url = settings.TWILIO_API_URL
    return twilio


def channel_error(error):
    """A ChannelError from what the Twilio library raised."""
    if isinstance(error, TwilioRestException):
        meaning = PERMANENT_ERRORS.get(error.code)
        if meaning:
            return ChannelError(f"Twilio {error.code}: {meaning}", permanent=True)
        # Other 4xx are our request's fault (bad parameters): retrying cannot help.
        permanent = 400 <= (error.status or 500) < 500 and error.status != 429
        return ChannelError(f"Twilio {error.status} {error.code}: {error.msg}", permanent=permanent)
    return ChannelError(f"Twilio unreachable: {error}")


def callback_url(path_name):
    return settings.SITE_URL + reverse(path_name)
