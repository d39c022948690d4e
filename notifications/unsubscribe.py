"""Signed one-click unsubscribe links (SPEC C-1, P-2): no login, no expiry, no guessing."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "relais.unsubscribe"


def make_token(recipient_key, group, channel, address):
    return signing.dumps({"r": recipient_key, "g": group, "c": channel, "a": address}, salt=_SALT)


def read_token(token):
    """The (recipient_key, group, channel, address) a token stands for; BadSignature if forged."""
    data = signing.loads(token, salt=_SALT)
    return data["r"], data["g"], data["c"], data["a"]


def url_for(delivery):
    """The absolute unsubscribe URL for a delivery's recipient, group and channel."""
    token = make_token(
        delivery.recipient_key,
        delivery.event.event_type.group.code,
        delivery.channel,
        delivery.address,
    )
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[token])
