"""Django's Redis cache with one client (and connection pool) per process.

Django keeps a cache backend instance per thread and, under ASGI, per async context: every
websocket connection got its own RedisCache and with it its own connection pool, which
nothing closes (bench/contest.py saw Redis connections grow by one per viewer and stay
after they left; a day of phones reconnecting would reach Redis's connection limit). The
redis-py client and its pools are thread-safe, so one per process serves every context.
Django also builds a new redis-py client object for every cache call (~0.1 ms of Python
each, several per request); here each pool's client is built once.
"""

import threading
from functools import cached_property

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_clients: dict = {}
_lock = threading.Lock()


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._redis: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._redis.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._redis[index] = client
        return client


class SharedRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client

    @cached_property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items(), key=str)))
        with _lock:
            if key not in _clients:
                _clients[key] = self._class(self._servers, **self._options)
            return _clients[key]
