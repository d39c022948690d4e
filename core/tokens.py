"""Signed links: an object id a person can carry in a URL without logging in.

Each link has a purpose, which salts its signature: a token made for one
purpose never opens another. Tokens carry the time they were made, so a
reader may refuse old ones with `max_age`.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse


def make_token(purpose, object_id):
    """A URL-safe token standing for `object_id`, good for `purpose` only."""
    return signing.dumps(object_id, salt=_salt(purpose))


def read_token(purpose, token, *, max_age=None):
    """The object id a token stands for; `signing.BadSignature` if it was forged, mangled or
    made for another purpose, `signing.SignatureExpired` (a BadSignature) if older than
    `max_age` (seconds or a timedelta)."""
    return int(signing.loads(token, salt=_salt(purpose), max_age=max_age))


def signed_url(viewname, purpose, object_id):
    """The absolute link to `viewname`, whose only argument is the token."""
    return settings.SITE_URL + reverse(viewname, args=[make_token(purpose, object_id)])


def _salt(purpose):
    return f"relais.{purpose}"
