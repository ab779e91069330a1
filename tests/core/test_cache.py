"""The Redis cache backend reuses one client per connection pool (and still works)."""

import os

import pytest

REDIS = os.environ.get("TINHSO_TEST_REDIS_URL")


def test_one_client_object_per_pool():
    from tinhso.core.cache import RedisCache

    cache = RedisCache("redis://127.0.0.1:6379/15", {})
    first = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is first
    assert cache._cache.get_client("c", write=True) is first  # one server: one pool


@pytest.mark.redis
@pytest.mark.skipif(not REDIS, reason="TINHSO_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/15)")
def test_round_trip_on_a_real_redis():
    from tinhso.core.cache import RedisCache

    cache = RedisCache(REDIS, {"KEY_PREFIX": "test-cache"})
    cache.set("k", (b"x", "y"), 5)
    assert cache.get("k") == (b"x", "y")
    cache.delete_many(["k"])
    assert cache.get("k") is None
