"""Answers to a live game's questions: checked against the server's clock, scored and
stored, in batches (quiz/answers.py gathers them). The correct choice never leaves the
server before the reveal (quiz/games.py)."""

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from quiz import counts, hub, keys
from quiz.games import LATE_GRACE, GameRefused
from quiz.models import Game, GameAnswer, GameQuestion, Phase, Player, Scoring

log = logging.getLogger(__name__)

POINTS = 1000
STREAK_STEP, STREAK_MAX = 100, 500


def points_for(game: Game, *, correct: bool, elapsed_ms: int, streak: int) -> int:
    """Speed scoring as Kahoot documents it: full points for an instant answer, falling
    linearly to half at the deadline; flat scoring gives full points. A streak bonus (if
    on) adds 100 per earlier correct answer in a row, up to 500."""
    if not correct:
        return 0
    if game.scoring == Scoring.SPEED:
        limit = game.seconds_per_question * 1000
        base = round(POINTS * (1 - min(elapsed_ms, limit) / limit / 2))
    else:
        base = POINTS
    bonus = min(streak * STREAK_STEP, STREAK_MAX) if game.streak_bonus else 0
    return base + bonus


def _game_question(game_id: int, index: int) -> tuple[int, int] | None:
    """(GameQuestion id, Question id) of a game's question `index`; a game's questions
    never change once it is made, so each process keeps them (quiz/hub.py)."""
    found = hub.question_ids(game_id, index)
    if found is None:
        found = (
            GameQuestion.objects.filter(game_id=game_id, order=index)
            .values_list("pk", "question_id")
            .first()
        )
        if found is not None:
            hub.keep_question_ids(game_id, index, found)
    return found


@dataclass(frozen=True)
class Submission:
    """One answer as a phone sent it, with the server's receive time."""

    game_id: int
    player_id: int
    index: int
    choice_ids: tuple[int, ...]
    received_at: datetime.datetime


def submit_answer(
    *,
    game_id: int,
    player_id: int,
    index: int,
    choice_ids: list[int],
    received_at: datetime.datetime,
) -> tuple[GameAnswer, bool]:
    """Store and score one answer (see `submit_answers`); the stored answer and whether it
    is new, or GameRefused."""
    submission = Submission(game_id, player_id, index, tuple(choice_ids), received_at)
    outcome = submit_answers([submission])[0]
    if isinstance(outcome, GameRefused):
        raise outcome
    return outcome


def submit_answers(submissions: list[Submission]) -> list[tuple[GameAnswer, bool] | GameRefused]:
    """Store and score a batch of answers in one transaction; for each, in order, the
    stored answer and whether it is new, or why it is refused. The same answer again is
    acknowledged, not stored twice; another answer to an answered question is refused.

    Thousands arrive within seconds, so a daphne process writes together the answers that
    arrived while its previous batch was being written (quiz/answers.py): four queries
    whatever the batch's size. The games are locked first, as `lock_question` and `reveal`
    lock them: an answer acknowledged here is in the reveal that follows, and an answer
    read after the reveal is refused.
    """
    with transaction.atomic():
        outcomes = _scored_batch(submissions)
        fresh: dict[tuple[int, int], int] = {}  # (player, game question) → submission inserted
        rows = []
        for n, answer in enumerate(outcomes):
            if not isinstance(answer, GameRefused):
                key = (answer.player_id, answer.game_question_id)
                if key not in fresh:
                    fresh[key] = n
                    rows.append(answer)
        GameAnswer.objects.bulk_create(rows, ignore_conflicts=True)
        pairs = list(fresh)
        stored = {
            (a.player_id, a.game_question_id): a
            for a in GameAnswer.objects.filter(
                player_id__in={p for p, _q in pairs}, game_question_id__in={q for _p, q in pairs}
            )
        }
    _acknowledged(submissions, outcomes, stored, fresh)
    return outcomes


def _scored_batch(submissions: list[Submission]) -> list[GameAnswer | GameRefused]:
    """Each submission scored against its game, locked for the transaction: the answer to
    store, or why it is refused."""
    open_games = {
        game.pk: game
        for game in Game.objects.select_for_update(no_key=True)
        .filter(pk__in=sorted({s.game_id for s in submissions}))
        .order_by("pk")
        .only(
            "phase", "current", "deadline", "opened_at", "locked_at", "scoring",
            "seconds_per_question", "streak_bonus",
        )
    }  # fmt: skip
    players = dict(
        Player.objects.filter(pk__in={s.player_id for s in submissions}, removed=False)
        .values_list("pk", "game_id")
    )  # fmt: skip
    # Only each open game's current question takes answers: its answer key is read once.
    items = {
        g.pk: _game_question(g.pk, g.current)
        for g in open_games.values()
        if g.current and g.phase in (Phase.QUESTION, Phase.LOCKED)
    }
    keyring = keys.answer_keys([question for _item, question in items.values()])
    outcomes: list[GameAnswer | GameRefused] = []
    for submission in submissions:
        try:
            game = open_games.get(submission.game_id)
            if game is None or players.get(submission.player_id) != submission.game_id:
                raise GameRefused(_("Bạn không còn trong trò chơi này."), "removed")
            item, question = items.get(game.pk, (None, None))
            outcomes.append(_scored(game, submission, item, keyring.get(question)))
        except GameRefused as refusal:
            outcomes.append(refusal)
    return outcomes


def _acknowledged(submissions, outcomes: list, stored: dict, fresh: dict) -> None:
    """Replace each scored answer in `outcomes` by the stored one and whether it is new (or
    a refusal, if another answer was stored first), and count the new ones."""
    added: dict[tuple[int, int], int] = {}
    for n, (submission, answer) in enumerate(zip(submissions, outcomes, strict=True)):
        if isinstance(answer, GameRefused):
            continue
        key = (answer.player_id, answer.game_question_id)
        first = stored[key]
        if first.chosen != answer.chosen:  # answered before (a second tap): the first stands
            outcomes[n] = GameRefused(_("Bạn đã trả lời câu này; không đổi được nữa."), "answered")
            continue
        new = fresh[key] == n and first.received_at == submission.received_at
        outcomes[n] = (first, new)
        if new:
            counter = (submission.game_id, submission.index)
            added[counter] = added.get(counter, 0) + 1
    for (game_id, index), count in added.items():
        try:
            counts.count_answered(game_id, index, by=count)
        except (RedisError, OSError):  # the counter is advisory; the answers are stored
            log.warning("answer counter of game %s not updated", game_id)


def _scored(game: Game, submission: Submission, item: int, key: tuple) -> GameAnswer:
    """The answer to the game's current question `item` (answer key `key`) to store,
    scored; GameRefused if it is late, early or not a choice of the question."""
    index = submission.index
    if game.phase not in (Phase.QUESTION, Phase.LOCKED) or game.current != index:
        if index <= game.current:
            raise GameRefused(_("Câu hỏi đã khoá; câu trả lời không được tính."), "late")
        raise GameRefused(_("Câu hỏi này chưa mở."), "question")
    # Under load an answer can wait behind the lock: what counts is when the server
    # received it, before the deadline (+ grace) and before the lock.
    open_until = game.deadline + LATE_GRACE
    if game.phase == Phase.LOCKED and game.locked_at:
        open_until = min(open_until, game.locked_at)
    if submission.received_at > open_until:
        raise GameRefused(_("Hết giờ; câu trả lời đến sau khi câu hỏi khoá."), "late")
    valid, correct_ids, multiple = key
    chosen = sorted(set(submission.choice_ids))
    if not chosen or not set(chosen) <= valid or (not multiple and len(chosen) != 1):
        raise GameRefused(_("Hãy chọn một phương án của câu hỏi này."), "choice")
    elapsed = max(0, int((submission.received_at - game.opened_at).total_seconds() * 1000))
    right = set(chosen) == correct_ids
    streak = _streak(submission.player_id, before=index) if game.streak_bonus and right else 0
    return GameAnswer(
        player_id=submission.player_id,
        game_question_id=item,
        chosen=chosen,
        received_at=submission.received_at,
        elapsed_ms=elapsed,
        correct=right,
        points=points_for(game, correct=right, elapsed_ms=elapsed, streak=streak),
    )


def _streak(player_id: int, *, before: int) -> int:
    """Correct answers in a row just before question `before`."""
    results = dict(
        GameAnswer.objects.filter(player_id=player_id, game_question__order__lt=before).values_list(
            "game_question__order", "correct"
        )
    )
    streak = 0
    for order in range(before - 1, 0, -1):
        if not results.get(order):
            break
        streak += 1
    return streak
