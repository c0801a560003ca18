"""How many sockets one address holds in one live game or on one round's leaderboard.

One address must not open thousands of sockets (issue 13: 500 from one address were all
accepted), yet a festival hall of hundreds of phones shares one Wi-Fi address, and a
carrier's NAT more: the cap (settings.SOCKETS_PER_ADDRESS) is generous, and it counts per
game or round, so one hall's crowd never blocks another game.

The count lives in the cache (Redis in production), shared by every daphne process. A
process that dies cannot release its sockets, so no count lives long: counts are kept per
window of WINDOW seconds, and when a window starts each process adds the sockets it still
holds to the new window's count. A crashed process's sockets leave the count within one
window. A socket that closes comes off the current window's count at once.
"""

import asyncio
import logging
import re
import time
import weakref

from asgiref.sync import sync_to_async
from django.conf import settings
from redis.exceptions import RedisError

from common.counters import increment

log = logging.getLogger(__name__)

WINDOW = 60  # seconds a count lives before the processes count their sockets afresh
PER_ADDRESS = 2000  # sockets per address per game or round, unless settings say otherwise
_ADDRESS = re.compile(r"[^0-9A-Fa-f.:]")


def per_address() -> int:
    return getattr(settings, "SOCKETS_PER_ADDRESS", PER_ADDRESS)


def address(scope) -> str:
    """The client's address, found as allauth finds it for pages: a trusted header, the
    X-Forwarded-For entry a trusted proxy wrote, else the peer (docs/operations.md)."""
    header = getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None)
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    value = None
    if header or proxies:
        wanted = (header or "x-forwarded-for").lower().encode()
        raw = next((v for k, v in scope.get("headers") or () if k.lower() == wanted), None)
        if raw is not None:
            entries = raw.decode("latin-1").split(",")
            if header:
                value = entries[0]
            elif len(entries) >= proxies:
                value = entries[-proxies]
    if value is None:
        client = scope.get("client")
        value = client[0] if client else "-"
    return _ADDRESS.sub("", value)[:45] or "-"


def _key(name: str, window: int) -> str:
    return f"quiz:sockets:{name}:{window}"


def _add(name: str, window: int, by: int) -> int:
    return increment(_key(name, window), timeout=2 * WINDOW, by=by)


def _admit(name: str, window: int, cap: int) -> int:
    """The count with this socket, taken back if it is over the cap."""
    count = _add(name, window, 1)
    if count > cap:
        _add(name, window, -1)
    return count


def _register(counts: dict[str, int], window: int) -> None:
    for name, count in counts.items():
        _add(name, window, count)


# The cache is reached from worker threads, not from Channels' one database thread, which a
# join storm's connects would otherwise queue on.
_admit_async = sync_to_async(_admit, thread_sensitive=False)
_add_async = sync_to_async(_add, thread_sensitive=False)
_register_async = sync_to_async(_register, thread_sensitive=False)


class Counter:
    """This process's open sockets per name ("game:<id>:<address>"), and its share of the
    shared count."""

    def __init__(self):
        self.open: dict[str, int] = {}
        self.window = int(time.time() // WINDOW)
        self.logged: set[tuple[str, int]] = set()
        self.task = asyncio.create_task(self._roll())

    async def admit(self, name: str) -> bool:
        """Count a new socket of `name`; False if its address already holds the cap."""
        cap, window = per_address(), self.window
        try:
            count = await _admit_async(name, window, cap)
        except (RedisError, OSError):  # the cache is away (Redis restarting): admit uncapped
            log.warning("socket count for %s unavailable; admitted uncounted", name)
            count = 0
        if count > cap:
            if (name, window) not in self.logged:  # once a window: a burst, not a log flood
                self.logged.add((name, window))
                log.warning("socket cap: %s holds %s sockets; refusing more", name, cap)
            return False
        self.open[name] = self.open.get(name, 0) + 1
        if self.window != window:  # a new window began meanwhile, without this socket
            await self._add(name, 1)
        return True

    async def release(self, name: str) -> None:
        left = self.open.get(name, 0) - 1
        if left > 0:
            self.open[name] = left
        else:
            self.open.pop(name, None)
        await self._add(name, -1)

    async def _add(self, name: str, by: int) -> None:
        try:
            await _add_async(name, self.window, by)
        except (RedisError, OSError):  # counted afresh in the next window
            log.warning("socket count for %s not updated", name)

    async def _roll(self) -> None:
        while True:
            await asyncio.sleep(max(0.0, (self.window + 1) * WINDOW - time.time()))
            self.window = int(time.time() // WINDOW)
            self.logged.clear()
            held = dict(self.open)  # taken with the window, so a release after it counts
            if held:
                try:
                    await _register_async(held, self.window)
                except (RedisError, OSError):
                    log.warning("sockets of this process not counted in window %s", self.window)


_counters: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Counter]" = (
    weakref.WeakKeyDictionary()
)


def counter() -> Counter:
    """This event loop's counter (a daphne process runs one loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _counters:
        _counters[loop] = Counter()
    return _counters[loop]
