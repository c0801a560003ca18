"""The answer key of bank questions, cached.

Contest submissions and live-game answers read it hundreds of times a second; one cache
round trip for all of an attempt's questions replaces a query each time. An editor's
change to a question or its choices forgets the cached key (quiz/receivers.py), so every
process scores with the key as it now is. While the cache server is away, the database
answers."""

import contextlib
import logging
from typing import NamedTuple

from django.core.cache import cache
from redis.exceptions import RedisError

from quiz.models import Choice, Question

log = logging.getLogger(__name__)
SECONDS = 3600


class Key(NamedTuple):
    choices: frozenset[int]  # every choice of the question
    correct: frozenset[int]
    multiple: bool


def _name(question_id: int) -> str:
    return f"quiz:key:v2:{question_id}"  # v2: the cached tuple ends with the word count


def answer_keys(question_ids) -> dict[int, Key]:
    return keys_and_words(question_ids)[0]


def keys_and_words(question_ids) -> tuple[dict[int, Key], dict[int, int]]:
    """The answer keys, and the words in each question with its choices (its reading time,
    quiz/plausibility.py), from the same cache round trip."""
    ids = list(question_ids)
    try:
        found = cache.get_many([_name(pk) for pk in ids])
    except (RedisError, OSError):
        log.warning("cache unavailable; answer keys read from the database")
        found = {}
    keys = {pk: Key(*found[_name(pk)][:3]) for pk in ids if _name(pk) in found}
    words = {pk: found[_name(pk)][3] for pk in keys}
    missing = [pk for pk in ids if pk not in keys]
    if missing:
        choices: dict[int, list[tuple[int, bool]]] = {pk: [] for pk in missing}
        words.update(dict.fromkeys(missing, 0))
        for question_id, pk, right, text in Choice.objects.filter(
            question_id__in=missing
        ).values_list("question_id", "pk", "is_correct", "text"):
            choices[question_id].append((pk, right))
            words[question_id] += len(text.split())
        multiple = {}
        for pk, many, text in Question.objects.filter(pk__in=missing).values_list(
            "pk", "multiple", "text"
        ):
            multiple[pk] = many
            words[pk] += len(text.split())
        for pk in missing:
            keys[pk] = Key(
                frozenset(c for c, _ in choices[pk]),
                frozenset(c for c, right in choices[pk] if right),
                multiple.get(pk, False),
            )
        with contextlib.suppress(RedisError, OSError):  # the next reader loads it again
            cache.set_many({_name(pk): (*keys[pk], words[pk]) for pk in missing}, SECONDS)
    return keys, words


def forget(question_id: int) -> None:
    try:
        cache.delete(_name(question_id))
    except (RedisError, OSError):
        log.warning("cache unavailable; the key of question %s stays cached", question_id)
