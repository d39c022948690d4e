"""Signed self check-in links (SPEC P-2): no login, nothing to guess, one per visitor."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "relais.visitors.self-check-in"


def make_token(visitor):
    return signing.dumps(visitor.pk, salt=_SALT)


def read_token(token):
    """The visitor id a token stands for; `signing.BadSignature` if it was forged or mangled."""
    return int(signing.loads(token, salt=_SALT))


def self_check_in_url(visitor):
    """The absolute link printed in the invitation and behind its QR code."""
    return settings.SITE_URL + reverse("visitors:self_check_in", args=[make_token(visitor)])
