"""Django's Redis cache backend, with one Redis client object per connection pool.

``django.core.cache.backends.redis.RedisCacheClient.get_client`` builds a new ``redis.Redis``
object for every cache operation (the connection pool is shared, the client object is not); on a
hot path such as the public tracking lookup that construction costs about as much as the Redis
round trip itself. A ``redis.Redis`` client is thread-safe and its pool re-creates connections
after a fork, so one client per pool is enough.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient
