"""Rate limits count in a cache that every web process shares once CACHE_URL is set."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# One process counts one hit, and says in which cache and what the count now is.
COUNT_ONE = (
    "from django.conf import settings; from core import ratelimit; "
    "count = ratelimit.record('probe', ratelimit.Limit(attempts=2, window_seconds=60)); "
    "print(settings.CACHES['default']['BACKEND'].rpartition('.')[2], count)"
)


def manage(*args, **extra_env):
    environment = {name: value for name, value in os.environ.items() if name != "CACHE_URL"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment | extra_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def redis_url():
    """A redis-server of the test's own."""
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server (apt-get install redis-server)")
    from tests.reliability.processes import RedisServer

    server = RedisServer().start()
    yield f"unix://{server.socket}"  # redis-py's form of the socket the test's server listens on
    server.stop()


def count_in_two_processes(**extra_env):
    return [manage("shell", "-v", "0", "-c", COUNT_ONE, **extra_env).stdout.strip() for _ in "ab"]


def test_without_cache_url_each_process_counts_on_its_own():
    assert count_in_two_processes() == ["LocMemCache 1", "LocMemCache 1"]


def test_with_a_redis_cache_url_every_process_adds_to_the_same_count(redis_url):
    assert count_in_two_processes(CACHE_URL=redis_url) == ["RedisCache 1", "RedisCache 2"]


def test_a_cache_url_of_another_kind_stops_start_up():
    result = manage("check", CACHE_URL="memcached://127.0.0.1:11211")
    assert result.returncode != 0
    assert "expected a redis:// URL" in result.stderr
