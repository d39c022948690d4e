"""Guessing and flooding: login lock-outs (django-axes) and password-reset limits.

A login is locked for one account *from one client address* after
AXES_FAILURE_LIMIT failures (settings): an attacker cannot lock a person out
from everywhere, and the person can still log in from elsewhere. Axes keeps
its counts in the database, so every web process sees the same ones. Reset
requests are counted in the cache (core/ratelimit.py), per address and per
account typed, whether or not that account exists, so the answer tells nothing.
"""

import datetime
import hashlib
import math

from axes.helpers import get_cool_off
from django.contrib import admin
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import ngettext

from core import ratelimit

RESET_PER_ADDRESS = ratelimit.Limit(attempts=10, window_seconds=60 * 60)
RESET_PER_ACCOUNT = ratelimit.Limit(attempts=3, window_seconds=60 * 60)
_USERNAME_LENGTH = 255  # axes' column: a longer guess must not break the insert


def login_username(request, credentials=None):
    """The account a login attempt counts against: the email typed, trimmed and lower-cased."""
    credentials = credentials or {}
    typed = credentials.get("username") or credentials.get("email")
    if typed is None:
        typed = request.POST.get("username", "")
    return str(typed).strip().lower()[:_USERNAME_LENGTH] or None


def locked_out(request, original_response=None, credentials=None):
    """Axes' answer to a locked login: the same page, saying when to try again (HTTP 429)."""
    # Each attempt while locked counts as a failure and starts the cool-off anew
    # (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so it ends one cool-off from now.
    started = getattr(request, "axes_attempt_time", None) or timezone.now()
    until = started + get_cool_off(request)
    context = {"retry_message": retry_message(until)}
    if request.path.startswith(reverse("admin:index")):
        template = "admin/locked_out.html"
        context |= admin.site.each_context(request)
    else:
        template = "registration/locked_out.html"
    return too_many(render(request, template, context), until)


def reset_blocked_until(request, email):
    """When this client may ask for a reset link for `email` again, or None if it may now."""
    blocked = [
        ratelimit.blocked_until(key, limit)
        for key, limit in _reset_keys(request, email)
        if ratelimit.is_blocked(key, limit)
    ]
    return max(blocked, default=None)


def record_reset_request(request, email):
    """Count one reset request against the client's address and the account typed."""
    for key, limit in _reset_keys(request, email):
        ratelimit.record(key, limit)


def retry_message(until):
    """'Try again from 14:32 (in 15 minutes)', in the reader's language and the site's zone."""
    minutes = max(1, math.ceil((until - timezone.now()) / datetime.timedelta(minutes=1)))
    return ngettext(
        "Too many attempts. You can try again from %(time)s (in %(minutes)s minute).",
        "Too many attempts. You can try again from %(time)s (in %(minutes)s minutes).",
        minutes,
    ) % {"time": formats.time_format(timezone.localtime(until)), "minutes": minutes}


def too_many(response, until):
    """Mark `response` as refused for now (HTTP 429), with the standard Retry-After header."""
    response.status_code = 429
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    response["Retry-After"] = str(seconds)
    return response


def _reset_keys(request, email):
    # Hashed: an email can be longer than some caches allow in a key, and needs no storing.
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return [
        (f"password-reset:address:{ratelimit.client_address(request)}", RESET_PER_ADDRESS),
        (f"password-reset:account:{account}", RESET_PER_ACCOUNT),
    ]
