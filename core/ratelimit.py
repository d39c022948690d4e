"""A small fixed-window counter per key (a client address, an account…), in Django's cache.

The default cache is per process (LocMemCache): with several web processes each
counts on its own, which still bounds guessing to a few per window. A shared
cache (Redis, database) in CACHES makes the limit global without a code change.
"""

import dataclasses

from django.core.cache import cache


@dataclasses.dataclass(frozen=True)
class Limit:
    """At most `attempts` counted hits per key in a window of `window_seconds`."""

    attempts: int
    window_seconds: int


def client_address(request):
    """The address to count a web client's hits under."""
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client wants it to be,
    # unless a trusted proxy rewrites it (then configure the proxy to set REMOTE_ADDR).
    return request.META.get("REMOTE_ADDR", "unknown")


def is_blocked(key, limit):
    """True once `key` has used up its attempts in the current window."""
    return cache.get(_cache_key(key), 0) >= limit.attempts


def record(key, limit):
    """Count one hit for `key` and return the count; the window starts with the first hit."""
    cached = _cache_key(key)
    if cache.add(cached, 1, limit.window_seconds):
        return 1
    try:
        return cache.incr(cached)
    except ValueError:  # expired between add and incr
        cache.add(cached, 1, limit.window_seconds)
        return 1


def _cache_key(key):
    return f"relais:ratelimit:{key}"
