"""Secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) from the `cryptography` package.

The key is RELAIS_ENCRYPTION_KEY when set (a Fernet key, so it can be rotated apart from
SECRET_KEY), else one derived from SECRET_KEY. A value that no longer decrypts (the key
changed) reads as empty: the integration then says it is not connected, never a 500.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet():
    key = settings.RELAIS_ENCRYPTION_KEY
    if not key:
        digest = hashlib.sha256(f"relais.vault:{settings.SECRET_KEY}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key)


def encrypt(value):
    """The encrypted text of `value` ("" stays "")."""
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(value):
    """The clear text of what `encrypt` returned; "" when it cannot be read."""
    if not value:
        return ""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except (InvalidToken, ValueError):
        return ""
