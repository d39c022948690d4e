"""Signed self check-in links (SPEC P-2): no login, nothing to guess, one per visitor."""

from core import tokens

# The purpose salts the signature: unchanged since the first links went out, so they still open.
SELF_CHECK_IN = "visitors.self-check-in"


def make_token(visitor):
    return tokens.make_token(SELF_CHECK_IN, visitor.pk)


def read_token(token):
    """The visitor id a token stands for; `signing.BadSignature` if it was forged or mangled."""
    return tokens.read_token(SELF_CHECK_IN, token)


def self_check_in_url(visitor):
    """The absolute link printed in the invitation and behind its QR code."""
    return tokens.signed_url("visitors:self_check_in", SELF_CHECK_IN, visitor.pk)
