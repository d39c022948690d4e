import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counts live in the cache, which outlives a test's database transaction."""
    cache.clear()
    yield
    cache.clear()
