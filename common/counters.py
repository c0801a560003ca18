"""Counters in the default cache (Redis in production), shared by every process."""

from django.core.cache import cache


def increment(key: str, *, timeout: int | None, by: int = 1) -> int:
    """Add `by` to a counter in the default cache, made (with `timeout`) on first use; its
    new value. Atomic in Redis, so every process counts into the same number."""
    try:
        return cache.incr(key, by)  # the usual case, one round trip (the window's TTL stays)
    except ValueError:  # not there yet, or expired
        if cache.add(key, by, timeout=timeout):
            return by
        return cache.incr(key, by)  # another process made it first
