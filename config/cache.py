"""Django's Redis cache with one client (and connection pool) per process.

Django keeps a cache backend instance per thread and, under ASGI, per async context: every
websocket connection got its own RedisCache and with it its own connection pool, which
nothing closes (bench/contest.py saw Redis connections grow by one per viewer and stay
after they left; a day of phones reconnecting would reach Redis's connection limit). The
redis-py client and its pools are thread-safe, so one per process serves every context.
"""

import threading
from functools import cached_property

from django.core.cache.backends.redis import RedisCache

_clients: dict = {}
_lock = threading.Lock()


class SharedRedisCache(RedisCache):
    @cached_property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items(), key=str)))
        with _lock:
            if key not in _clients:
                _clients[key] = self._class(self._servers, **self._options)
            return _clients[key]
