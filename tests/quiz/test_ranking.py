"""Ranking with constructed ties at every level."""

import datetime

from quiz.ranking import Entry, counting_attempts, rank

T = datetime.datetime(2025, 11, 9, 20, 0)


def entry(user, *, score, prediction=None, duration=60_000, at=0, attempt=None) -> Entry:
    return Entry(
        user_id=user,
        attempt_id=attempt or user,
        score=score,
        prediction=prediction,
        duration_ms=duration,
        submitted_at=T + datetime.timedelta(seconds=at),
    )


def order(ranked) -> list[tuple[int, int]]:
    return [(r.rank, r.entry.user_id) for r in ranked]


def test_score_decides_first():
    assert order(rank([entry(1, score=18), entry(2, score=20)], actual=None)) == [(1, 2), (2, 1)]


def test_same_score_then_prediction_distance():
    entries = [entry(1, score=20, prediction=900), entry(2, score=20, prediction=1040)]
    assert order(rank(entries, actual=1000)) == [(1, 2), (2, 1)]  # 40 away beats 100 away


def test_no_prediction_ranks_after_any_prediction():
    entries = [entry(1, score=20), entry(2, score=20, prediction=5)]
    assert order(rank(entries, actual=1000)) == [(1, 2), (2, 1)]


def test_same_score_and_distance_then_duration():
    entries = [
        entry(1, score=20, prediction=960, duration=300_000),
        entry(2, score=20, prediction=1040, duration=200_000),  # same distance, 40
    ]
    assert order(rank(entries, actual=1000)) == [(1, 2), (2, 1)]


def test_same_everything_but_submission_time():
    entries = [
        entry(1, score=20, prediction=1040, duration=200_000, at=30),
        entry(2, score=20, prediction=960, duration=200_000, at=10),
    ]
    assert order(rank(entries, actual=1000)) == [(1, 2), (2, 1)]


def test_identical_on_every_key_share_a_rank():
    entries = [entry(1, score=20, at=5), entry(2, score=20, at=5), entry(3, score=19)]
    assert order(rank(entries, actual=None)) == [(1, 1), (1, 2), (3, 3)]


def test_a_round_can_rank_by_duration_before_prediction():
    entries = [
        entry(1, score=20, prediction=1000, duration=300_000),
        entry(2, score=20, prediction=500, duration=100_000),
    ]
    ranked = rank(entries, order=["score", "duration", "prediction", "submitted"], actual=1000)
    assert order(ranked) == [(1, 2), (2, 1)]


def test_the_best_then_earliest_attempt_counts():
    attempts = [
        entry(1, score=15, at=0, attempt=11),
        entry(1, score=19, at=50, attempt=12),
        entry(1, score=19, at=90, attempt=13),
        entry(2, score=10, attempt=21),
    ]
    counted = {e.user_id: e.attempt_id for e in counting_attempts(attempts)}
    assert counted == {1: 12, 2: 21}
