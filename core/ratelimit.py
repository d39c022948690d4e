"""A small fixed-window counter per key (a client address, an account…), in Django's cache.

The default cache is per process (LocMemCache): with several web processes each
counts on its own, which still bounds guessing to a few per window. A shared
cache (Redis, database) in CACHES makes the limit global without a code change.
"""

import dataclasses
import datetime
import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone


@dataclasses.dataclass(frozen=True)
class Limit:
    """At most `attempts` counted hits per key in a window of `window_seconds`."""

    attempts: int
    window_seconds: int


def client_address(request):
    """The address to count a web client's hits under, or None when there is no valid one.

    REMOTE_ADDR, unless settings.BEHIND_HTTPS_PROXY says a proxy stands in front:
    then every request comes from the proxy's address, and the client's is the one
    the proxy added to X-Forwarded-For — the last entry (or TRUSTED_PROXY_COUNT-th
    from the end); entries to its left are whatever the client sent, so never them.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_HTTPS_PROXY:
        forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= settings.TRUSTED_PROXY_COUNT and forwarded[-1]:
            address = forwarded[-settings.TRUSTED_PROXY_COUNT]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:  # a Unix socket's empty REMOTE_ADDR, or junk in the header
        return None


def is_blocked(key, limit):
    """True once `key` has used up its attempts in the current window."""
    return cache.get(_cache_key(key), 0) >= limit.attempts


def blocked_until(key, limit):
    """When `key` may try again (an aware datetime), or None if it is not blocked."""
    if not is_blocked(key, limit):
        return None
    ends = cache.get(_cache_key(key) + ":ends")
    if ends is None:  # counted by an older version, or evicted: assume a whole window
        return timezone.now() + datetime.timedelta(seconds=limit.window_seconds)
    return datetime.datetime.fromtimestamp(ends, tz=datetime.UTC)


def record(key, limit):
    """Count one hit for `key` and return the count; the window starts with the first hit."""
    cached = _cache_key(key)
    if _start_window(cached, limit):
        return 1
    try:
        return cache.incr(cached)
    except ValueError:  # expired between add and incr
        _start_window(cached, limit)
        return 1


def _start_window(cached, limit):
    """Start a window at 1 unless one is open; remember when it ends, to say so."""
    if not cache.add(cached, 1, limit.window_seconds):
        return False
    ends = timezone.now().timestamp() + limit.window_seconds
    cache.set(cached + ":ends", ends, limit.window_seconds)
    return True


def _cache_key(key):
    return f"relais:ratelimit:{key}"
