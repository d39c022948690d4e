"""One-tap links (SPEC B-18): signed, expiring, single-use, for one action on one object.

An approver's links stand for their ApprovalRequest (so the approval is theirs); a
booker's, for their participation. The GET only shows what the link would do — mail
scanners open links — and the POST acts, once: its token is then recorded as used.
"""

import datetime
import hashlib

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from bookings.models import OneTapUse
from core import tokens

MAX_AGE = datetime.timedelta(days=7)
# action -> what the token stands for
ACTIONS = {
    "approve": "approval",
    "reject": "approval",
    "attend": "participant",
    "cancel": "participant",
}


def _purpose(action):
    return f"bookings.one-tap.{action}"


def url(action, object_id):
    token = tokens.make_token(_purpose(action), object_id)
    return settings.SITE_URL + reverse("bookings:one_tap", args=[action, token])


def read(action, token):
    """The object id behind a link; `signing.BadSignature` if forged, expired or unknown."""
    if action not in ACTIONS:
        raise signing.BadSignature("unknown action")
    return tokens.read_token(_purpose(action), token, max_age=MAX_AGE)


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def is_used(token):
    return OneTapUse.objects.filter(digest=digest(token)).exists()


def spend(token, booking, action):
    """Record the link as used; False if it already was (a second tap, a replay)."""
    try:
        with transaction.atomic():
            OneTapUse.objects.create(digest=digest(token), booking=booking, action=action)
    except IntegrityError:
        return False
    return True


# The check-in code printed at a resource (B-1): signed so that nobody checks in from a
# guessed address without having seen the poster; it never expires, as posters stay up.
RESOURCE_CHECK_IN = "bookings.resource-check-in"


def resource_check_in_url(resource):
    return tokens.signed_url("bookings:check_in_at_resource", RESOURCE_CHECK_IN, resource.pk)


def read_resource_check_in(token):
    """The resource id behind a poster's code; `signing.BadSignature` if it is not one."""
    return tokens.read_token(RESOURCE_CHECK_IN, token)
