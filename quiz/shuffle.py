"""The order a question's choices are shown in: shuffled once, when an attempt starts or a
live game is made, stored with it (`choice_order`), and applied on every page and message
that lists them. In the bank's order the right answer was most often first: tapping the
first choice every time scored 9/10 (issue 14). Scoring goes by choice id, not position."""

import random
from collections.abc import Iterable

from quiz import keys


def draw_orders(question_ids: list[int], *, rng: random.Random) -> list[list[int]]:
    """Each question's choice ids in a random order, in the order of `question_ids`: one
    cache round trip (the answer keys, which scoring reads anyway), not a query each."""
    key = keys.answer_keys(set(question_ids))
    orders = []
    for pk in question_ids:
        order = sorted(key[pk].choices)  # sorted first: a seeded `rng` repeats itself
        rng.shuffle(order)
        orders.append(order)
    return orders


def in_order(choices: Iterable, order: list[int]) -> list:
    """`choices` (with `pk`) as `order` shows them. An empty order (an attempt or game made
    before choices were shuffled) keeps the bank's order; a choice added since goes last."""
    choices = list(choices)
    if not order:
        return choices
    position = {pk: n for n, pk in enumerate(order)}
    return sorted(choices, key=lambda c: position.get(c.pk, len(position)))
