"""A small fixed-window counter of failed guesses per client address, in Django's cache.

The default cache is per process (LocMemCache): with several web processes each
counts on its own, which still bounds guessing to a few per minute. A shared
cache (Redis, database) in CACHES makes the limit global without a code change.
"""

from django.core.cache import cache

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


def _key(scope, client):
    return f"relais:ratelimit:{scope}:{client}"


def client_address(request):
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client wants it to be,
    # unless a trusted proxy rewrites it (then configure the proxy to set REMOTE_ADDR).
    return request.META.get("REMOTE_ADDR", "unknown")


def is_blocked(scope, client):
    return cache.get(_key(scope, client), 0) >= MAX_FAILURES


def record_failure(scope, client):
    """Count one failed guess; the window starts with the first failure."""
    key = _key(scope, client)
    if cache.add(key, 1, WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_SECONDS)
        return 1
