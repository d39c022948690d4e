"""Hashed identifiers: what an erased person's email or number becomes (SPEC P-5).

A STOP, a refusal or a bounce must still hold when the number or the address
comes back with someone else, after its first owner was erased: the consent
states keep a keyed hash of it instead, and every check matches the address
as it is and as its hash. Keyed (HMAC), because a plain hash of a phone number
is undone by trying every number.
"""

from django.conf import settings
from django.utils.crypto import salted_hmac

PREFIX = "erased:"  # short enough for a STOP's number column (32 characters)
LENGTH = 24  # hexadecimal digits: 96 bits


def hashed(value):
    """The keyed hash an erased identifier is kept as ("erased:3fa2…")."""
    normal = str(value).strip().lower()
    digest = salted_hmac("relais.erasure", normal, secret=settings.RELAIS_ERASURE_KEY)
    return PREFIX + digest.hexdigest()[:LENGTH]


def is_hashed(value):
    return str(value).startswith(PREFIX)


def with_hashes(values):
    """The addresses, and the hash each would be kept as once its owner is erased."""
    values = {str(value) for value in values if value}
    return values | {hashed(value) for value in values if not is_hashed(value)}


def forms_of(values):
    """{form: address} for each address as it is and as its hash: what a lookup matches."""
    plain = {str(value) for value in values if value and not is_hashed(value)}
    return {**{value: value for value in plain}, **{hashed(value): value for value in plain}}
