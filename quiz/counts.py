"""How many players a live game has and how many answered each question: counters in the
cache, shared by every daphne process (the host's display and the automatic lock), read
from the database while the cache server is away."""

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

from common.counters import increment
from quiz.models import GameAnswer, Player

log = logging.getLogger(__name__)


def _players_key(game_id: int) -> str:
    return f"quiz:game:{game_id}:players"


def _cached(key: str, load, timeout: int):
    """cache.get_or_set that still answers while the cache server is away (a Redis
    restart): the game reads the database instead of failing an answer."""
    try:
        return cache.get_or_set(key, load, timeout)
    except (RedisError, OSError):
        log.warning("cache unavailable for %s", key)
        return load()


def active_players(game_id: int) -> int:
    """The players still in the game."""
    return _cached(
        _players_key(game_id),
        lambda: Player.objects.filter(game_id=game_id, removed=False).count(),
        60,
    )


def forget_players(game_id: int) -> None:
    """Count the game's players afresh (one joined or was removed)."""
    key = _players_key(game_id)
    try:
        cache.delete(key)
    except (RedisError, OSError):
        log.warning("cache unavailable; %s not forgotten", key)


def _answered_key(game_id: int, index: int) -> str:
    return f"quiz:game:{game_id}:answered:{index}"


def count_answered(game_id: int, index: int, *, by: int) -> None:
    """Add `by` new answers to question `index`'s counter (RedisError while Redis is away)."""
    increment(_answered_key(game_id, index), timeout=3600, by=by)


def answered(game_id: int, index: int) -> int:
    """How many answered question `index` (a counter: the host's display and auto-lock)."""
    try:
        return cache.get(_answered_key(game_id, index), 0)
    except (RedisError, OSError):
        return GameAnswer.objects.filter(
            game_question__game_id=game_id, game_question__order=index
        ).count()
