"""A fixed window per key: so many hits, then blocked until the window ends."""

import datetime

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from core import ratelimit

NOW = datetime.datetime(2026, 11, 30, 7, 0, tzinfo=datetime.UTC)
THREE_A_MINUTE = ratelimit.Limit(attempts=3, window_seconds=60)


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_key_is_blocked_once_its_attempts_are_used_up():
    assert [ratelimit.record("login:1.2.3.4", THREE_A_MINUTE) for _hit in range(3)] == [1, 2, 3]
    assert ratelimit.is_blocked("login:1.2.3.4", THREE_A_MINUTE)


def test_other_keys_count_on_their_own():
    for _hit in range(3):
        ratelimit.record("login:1.2.3.4", THREE_A_MINUTE)
    assert not ratelimit.is_blocked("login:5.6.7.8", THREE_A_MINUTE)
    assert not ratelimit.is_blocked("signup:1.2.3.4", THREE_A_MINUTE)


def test_the_block_lifts_when_the_window_that_began_with_the_first_hit_ends(time_machine):
    time_machine.move_to(NOW, tick=False)
    ratelimit.record("login:1.2.3.4", THREE_A_MINUTE)
    time_machine.move_to(NOW + datetime.timedelta(seconds=30), tick=False)
    ratelimit.record("login:1.2.3.4", THREE_A_MINUTE)
    ratelimit.record("login:1.2.3.4", THREE_A_MINUTE)
    assert ratelimit.is_blocked("login:1.2.3.4", THREE_A_MINUTE)
    time_machine.move_to(NOW + datetime.timedelta(seconds=61), tick=False)
    assert not ratelimit.is_blocked("login:1.2.3.4", THREE_A_MINUTE)
    assert ratelimit.record("login:1.2.3.4", THREE_A_MINUTE) == 1


def test_the_client_address_is_remote_addr_whatever_the_headers_claim():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert ratelimit.client_address(request) == "10.0.0.9"
