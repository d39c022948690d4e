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


def test_the_client_address_is_remote_addr_without_a_proxy_even_if_forwarded_is_sent(settings):
    settings.BEHIND_HTTPS_PROXY = False
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert ratelimit.client_address(request) == "10.0.0.9"


def test_behind_the_proxy_the_client_address_is_the_one_the_proxy_added(settings):
    settings.BEHIND_HTTPS_PROXY = True
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    assert ratelimit.client_address(request) == "203.0.113.7"  # 6.6.6.6 is what the client claimed


def test_two_proxies_in_a_row_are_counted_back_from_the_end(settings):
    settings.BEHIND_HTTPS_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.1"
    )
    assert ratelimit.client_address(request) == "203.0.113.7"


def test_behind_the_proxy_a_request_without_the_header_counts_under_remote_addr(settings):
    settings.BEHIND_HTTPS_PROXY = True
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")
    assert ratelimit.client_address(request) == "10.0.0.2"


@pytest.mark.parametrize("forwarded", ["not-an-address", "203.0.113.7, <script>", "999.1.1.1"])
def test_junk_in_the_header_gives_no_address_rather_than_junk(settings, forwarded):
    settings.BEHIND_HTTPS_PROXY = True
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert ratelimit.client_address(request) is None


def test_an_empty_remote_addr_gives_no_address():
    request = RequestFactory().get("/", REMOTE_ADDR="")
    assert ratelimit.client_address(request) is None


def test_a_blocked_key_knows_when_its_window_ends(time_machine):
    time_machine.move_to(NOW, tick=False)
    assert ratelimit.blocked_until("login:1.2.3.4", THREE_A_MINUTE) is None
    ratelimit.record("login:1.2.3.4", THREE_A_MINUTE)
    time_machine.move_to(NOW + datetime.timedelta(seconds=20), tick=False)
    ratelimit.record("login:1.2.3.4", THREE_A_MINUTE)
    assert ratelimit.blocked_until("login:1.2.3.4", THREE_A_MINUTE) is None
    ratelimit.record("login:1.2.3.4", THREE_A_MINUTE)
    assert ratelimit.blocked_until("login:1.2.3.4", THREE_A_MINUTE) == NOW + datetime.timedelta(
        seconds=60
    )
