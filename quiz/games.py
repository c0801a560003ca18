"""State changes of live games: create, join, open a question, answer, lock, reveal, the
leaderboard, the end. The server's clock decides: a question's deadline is set here, an
answer is scored with its receive time, and the correct choice leaves the server only in
the reveal. Every change is committed before it is broadcast (quiz/events.py)."""

import datetime
import logging
import random
import secrets
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from accounts.models import User
from common.counters import increment
from common.text import mask_name
from quiz import events, keys, shuffle
from quiz.models import Choice, Game, GameAnswer, GameQuestion, Phase, Player, Question, Scoring

log = logging.getLogger(__name__)

POINTS = 1000
STREAK_STEP, STREAK_MAX = 100, 500
# An answer sent just before the deadline still counts if it arrives within this.
LATE_GRACE = datetime.timedelta(milliseconds=500)
TOKEN_SALT = "quiz.player"
TOKEN_MAX_AGE = 12 * 3600
TOP = 10


class GameRefused(Exception):
    """A refused join, answer or host action; `code` for the client, the message for
    the person."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.code = code


# --- Setting up and joining -------------------------------------------------------------------


@transaction.atomic
def create_game(
    *,
    host: User,
    title: str,
    questions: list[Question],
    rng: random.Random | None = None,
    **settings,
) -> Game:
    """A new game in its lobby, with a PIN no unfinished game uses, and each question's
    choices in an order drawn now that the projector and every phone show."""
    if not questions:
        raise GameRefused(_("Hãy chọn ít nhất một câu hỏi."))
    taken = set(Game.objects.exclude(phase=Phase.FINISHED).values_list("pin", flat=True))
    pin = next(
        pin
        for pin in (f"{secrets.randbelow(900000) + 100000}" for _ in range(1000))
        if pin not in taken
    )
    game = Game.objects.create(host=host, title=title, pin=pin, **settings)
    orders = shuffle.draw_orders([q.pk for q in questions], rng=rng or random.SystemRandom())
    GameQuestion.objects.bulk_create(
        GameQuestion(game=game, question=q, order=n, choice_order=order)
        for n, (q, order) in enumerate(zip(questions, orders, strict=True), start=1)
    )
    return game


def pick_questions(*, topic_ids: list[int], count: int, rng: random.Random) -> list[Question]:
    """`count` questions from the bank (from the topics, if any), in a random order."""
    bank = Question.objects.all()
    if topic_ids:
        bank = bank.filter(topics__in=topic_ids).distinct()
    ids = list(bank.values_list("pk", flat=True))
    chosen = rng.sample(ids, min(count, len(ids)))
    by_id = Question.objects.in_bulk(chosen)
    return [by_id[pk] for pk in chosen]


def join_game(
    game: Game,
    *,
    user: User | None,
    nickname: str,
    commune=None,
    organization=None,
    now: datetime.datetime,
) -> Player:
    """A person joins (or, with their account, rejoins) a game."""
    if game.phase == Phase.FINISHED:
        raise GameRefused(_("Trò chơi đã kết thúc."), "finished")
    if user is not None:
        existing = Player.objects.filter(game=game, user=user).first()
        if existing:
            if existing.removed:
                raise GameRefused(_("Người dẫn chương trình đã mời bạn rời trò chơi."), "removed")
            return existing
    elif not game.guests_allowed:
        raise GameRefused(_("Trò chơi này cần đăng nhập để tham gia."), "login")
    if game.lobby_locked:
        raise GameRefused(_("Phòng chơi đã khoá; không vào thêm được."), "locked")
    if game.phase != Phase.LOBBY and not game.late_join:
        raise GameRefused(_("Trò chơi đã bắt đầu; không vào muộn được."), "started")
    try:
        with transaction.atomic():
            player = Player.objects.create(
                game=game,
                user=user,
                nickname=nickname,
                commune=commune if user is None else user.commune,
                organization=organization if user is None else user.organization,
                joined_at=now,
            )
    except IntegrityError:  # the same account joined twice at once
        return Player.objects.get(game=game, user=user)
    _forget(_players_key(game.pk))
    return player


def player_token(player: Player) -> str:
    """What the phone keeps to reconnect: signed, so a websocket connect checks it
    without a database query."""
    return signing.dumps([player.game_id, player.pk], salt=TOKEN_SALT, compress=True)


def read_player_token(token: str) -> tuple[int, int] | None:
    """(game id, player id) from a valid token, else None."""
    try:
        game_id, player_id = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return int(game_id), int(player_id)


# Guessing PINs (issue 13: one client tried 139 a second over the 900,000 PINs): the join
# page is counted per address and per browser session, per window. Generous per address:
# a festival hall of hundreds of phones shares one Wi-Fi address, and nearly all of them
# scan the QR code, so the PINs of no game are what a guesser shows and a hall does not.
# settings.GAME_JOIN_LIMITS overrides any of them.
JOIN_LIMITS = {  # what is counted: (how many, per seconds)
    "visits": (3000, 60),  # join-page requests from one address (two per phone)
    "misses": (60, 60),  # PINs of no open game from one address
    "session_misses": (10, 60),  # PINs of no open game from one browser session
}


def _over(kind: str, who: str, *, count: bool) -> bool:
    limit, seconds = {**JOIN_LIMITS, **getattr(django_settings, "GAME_JOIN_LIMITS", {})}[kind]
    key = f"quiz:join:{kind}:{who}"
    try:
        n = increment(key, timeout=seconds) if count else (cache.get(key) or 0)
    except (RedisError, OSError):  # the cache is away for a moment: people still join
        return False
    if count and n == limit + 1:  # once a window: a burst, not a log line per request
        log.warning("join page: %s from %s over %s in %s s", kind, who, limit, seconds)
    return n > limit


def join_refused(*, address: str, session: str | None) -> bool:
    """Count one visit to a join page; True if its address or browser session is over a
    limit: too many visits, or too many PINs of no game."""
    refused = _over("visits", address, count=True)
    refused = _over("misses", address, count=False) or refused
    return (session is not None and _over("session_misses", session, count=False)) or refused


def count_missed_pin(*, address: str, session: str | None) -> None:
    """Count a PIN of no open game against its address and browser session."""
    _over("misses", address, count=True)
    if session is not None:
        _over("session_misses", session, count=True)


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
    return _cached(
        _players_key(game_id),
        lambda: Player.objects.filter(game_id=game_id, removed=False).count(),
        60,
    )


def _forget(key: str) -> None:
    try:
        cache.delete(key)
    except (RedisError, OSError):
        log.warning("cache unavailable; %s not forgotten", key)


def _answered_key(game_id: int, index: int) -> str:
    return f"quiz:game:{game_id}:answered:{index}"


def answered(game_id: int, index: int) -> int:
    """How many answered question `index` (a counter: the host's display and auto-lock)."""
    try:
        return cache.get(_answered_key(game_id, index), 0)
    except (RedisError, OSError):
        return GameAnswer.objects.filter(
            game_question__game_id=game_id, game_question__order=index
        ).count()


# --- The host drives the game ----------------------------------------------------------------


def _locked_game(game_id: int) -> Game:
    return Game.objects.select_for_update().get(pk=game_id)


def _moved(game: Game, *fields: str) -> None:
    """Save a change of the game's state with its next version: every broadcast carries it,
    so a process that missed one (Redis restarting) notices and catches up."""
    game.version += 1
    game.save(update_fields=[*fields, "version"])


def versions(game_ids: list[int]) -> dict[int, int]:
    return dict(Game.objects.filter(pk__in=game_ids).values_list("pk", "version"))


def question_payload(game: Game, item: GameQuestion) -> dict:
    """What every phone and the projector show for a question, choices in the game's
    order: never which choice is right."""
    question = item.question
    return {
        "v": 1,
        "type": "question",
        "index": item.order,
        "total": game.questions.count(),
        "text": question.text,
        "multiple": question.multiple,
        "choices": [
            [c.pk, c.text] for c in shuffle.in_order(question.choices.all(), item.choice_order)
        ],
        "seconds": game.seconds_per_question,
        "deadline": int(game.deadline.timestamp() * 1000),
        "seq": game.version,
    }


@transaction.atomic
def open_next_question(game_id: int, *, now: datetime.datetime) -> Game:
    """The host's "next": the following question opens with the server's deadline, or the
    game ends after the last one."""
    game = _locked_game(game_id)
    if game.phase == Phase.FINISHED:
        raise GameRefused(_("Trò chơi đã kết thúc."), "finished")
    if game.phase == Phase.QUESTION:
        raise GameRefused(_("Câu hỏi đang mở; hãy chờ hết giờ hoặc khoá câu."), "phase")
    item = (
        GameQuestion.objects.filter(game=game, order=game.current + 1)
        .select_related("question")
        .first()
    )
    if item is None:
        return finish_game(game.pk, now=now)
    game.current = item.order
    game.phase = Phase.QUESTION
    game.opened_at = now
    game.deadline = now + datetime.timedelta(seconds=game.seconds_per_question)
    _moved(game, "current", "phase", "opened_at", "deadline")
    events.game_broadcast(game.pk, question_payload(game, item))
    return game


@transaction.atomic
def lock_question(game_id: int, *, index: int, now: datetime.datetime | None = None) -> bool:
    """Stop taking answers (the deadline passed, everyone answered, or the host said so);
    nothing happens if that question is no longer open. Answers the server received
    before this moment still count, even if they are stored after it."""
    game = _locked_game(game_id)
    if game.phase != Phase.QUESTION or game.current != index:
        return False
    game.phase = Phase.LOCKED
    game.locked_at = now or timezone.now()
    _moved(game, "phase", "locked_at")
    events.game_broadcast(game.pk, {"v": 1, "type": "locked", "index": index, "seq": game.version})
    return True


def lock_if_due(game_id: int, *, index: int, now: datetime.datetime) -> bool:
    """Lock question `index` once every player has answered or its deadline (+ grace) has
    passed; the host's connection asks this twice a second while a question is open."""
    players = active_players(game_id)
    if players and answered(game_id, index) >= players:
        return lock_question(game_id, index=index, now=now)
    deadline = Game.objects.filter(pk=game_id).values_list("deadline", flat=True).first()
    if deadline and now >= deadline + LATE_GRACE:
        return lock_question(game_id, index=index, now=deadline + LATE_GRACE)
    return False


@transaction.atomic
def reveal(game_id: int, *, now: datetime.datetime) -> dict:
    """The correct answer, how the room answered, and each player's result and rank."""
    game = _locked_game(game_id)
    if game.phase == Phase.QUESTION and now >= game.deadline:
        game.phase = Phase.LOCKED
    if game.phase != Phase.LOCKED:
        raise GameRefused(_("Hãy khoá câu hỏi trước khi công bố đáp án."), "phase")
    item = GameQuestion.objects.select_related("question").get(game=game, order=game.current)
    correct = sorted(
        Choice.objects.filter(question=item.question, is_correct=True).values_list("pk", flat=True)
    )
    answers = GameAnswer.objects.filter(game_question=item)
    distribution: dict[int, int] = {}
    for chosen in answers.values_list("chosen", flat=True).iterator(chunk_size=5000):
        for choice_id in chosen:
            distribution[choice_id] = distribution.get(choice_id, 0) + 1
    this_question = {
        player: (is_right, points)
        for player, is_right, points in answers.values_list("player", "correct", "points")
    }
    table = [
        [player, total, rank, *this_question.get(player, (False, 0))]
        for player, total, rank in standings(game)
    ]
    game.phase = Phase.REVEAL
    _moved(game, "phase")
    common = {
        "seq": game.version,
        "v": 1,
        "type": "reveal",
        "index": item.order,
        "correct": correct,
        "distribution": sorted(distribution.items()),
        "explanation": item.question.explanation,
        "answered": len(this_question),
    }
    events.game_broadcast(game.pk, common, table=table)
    return common


def standings(game: Game) -> list[tuple[int, int, int]]:
    """(player id, total points, rank) for every player still in the game, best first;
    equal totals share a rank."""
    rows = (
        Player.objects.filter(game=game, removed=False)
        .annotate(total=Sum("answers__points", default=0))
        .order_by("-total", "joined_at", "pk")
        .values_list("pk", "total")
    )
    result, previous, rank = [], None, 0
    for position, (player, total) in enumerate(rows, start=1):
        if total != previous:
            rank, previous = position, total
        result.append((player, total, rank))
    return result


@transaction.atomic
def show_leaderboard(game_id: int) -> dict:
    """Top players, and which communes and organizations are ahead (average points per
    player, so a big commune does not win by size alone)."""
    game = _locked_game(game_id)
    if game.phase not in (Phase.REVEAL, Phase.LOCKED):
        raise GameRefused(_("Bảng xếp hạng hiện sau khi công bố đáp án."), "phase")
    if not game.leaderboard_each_question:
        raise GameRefused(
            _("Trò chơi này chỉ hiện bảng xếp hạng khi kết thúc (xem cài đặt của trò chơi)."),
            "setting",
        )
    game.phase = Phase.LEADERBOARD
    _moved(game, "phase")
    payload = {
        "v": 1,
        "type": "leaderboard",
        "index": game.current,
        "seq": game.version,
        **leaderboard(game),
    }
    events.game_broadcast(game.pk, payload)
    return payload


def leaderboard(game: Game) -> dict:
    players = (
        Player.objects.filter(game=game, removed=False)
        .annotate(total=Sum("answers__points", default=0))
        .order_by("-total", "joined_at", "pk")
        .values_list("nickname", "user__full_name", "commune__name", "total")[:TOP]
    )
    top = [
        [rank, mask_name(full_name) if full_name else nickname, commune or "", total]
        for rank, (nickname, full_name, commune, total) in enumerate(players, start=1)
    ]
    return {
        "top": top,
        "communes": _units(game, "commune"),
        "organizations": _units(game, "organization"),
    }


def _units(game: Game, unit: str) -> list[list]:
    totals = (
        Player.objects.filter(game=game, removed=False, **{f"{unit}__isnull": False})
        .values(f"{unit}__name")
        .annotate(
            players=Count("pk", distinct=True),
            points=Sum("answers__points", default=0),
        )
        .order_by()
    )
    rows = [
        [row[f"{unit}__name"], row["players"], round(row["points"] / row["players"])]
        for row in totals
    ]
    rows.sort(key=lambda r: (-r[2], -r[1], r[0]))
    return rows[:TOP]


@transaction.atomic
def finish_game(game_id: int, *, now: datetime.datetime) -> Game:
    """The end: the podium, and each player's final total and rank."""
    game = _locked_game(game_id)
    if game.phase == Phase.FINISHED:
        return game
    game.phase = Phase.FINISHED
    game.finished_at = now
    _moved(game, "phase", "finished_at")
    if game.round_id:  # its points now count on the round's commune and organization tables
        events.round_changed(game.round_id)
    board = leaderboard(game)
    table = [[player, total, rank, False, 0] for player, total, rank in standings(game)]
    events.game_broadcast(
        game.pk,
        {"v": 1, "type": "finished", "seq": game.version, "podium": board["top"][:3], **board},
        table=table,
    )
    return game


@transaction.atomic
def set_lobby_locked(game_id: int, *, locked: bool) -> None:
    Game.objects.filter(pk=game_id).update(lobby_locked=locked)


@transaction.atomic
def remove_player(game_id: int, *, player_id: int) -> None:
    """The host removes a player (an offensive nickname): their phone is told and closed."""
    if Player.objects.filter(game_id=game_id, pk=player_id).update(removed=True):
        _forget(_players_key(game_id))
        events.game_player_removed(game_id, player_id)


# --- Answering --------------------------------------------------------------------------------


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


_questions: dict[tuple[int, int], tuple[int, int]] = {}  # (game, index) → (item, question)


def _game_question(game_id: int, index: int) -> tuple[int, int] | None:
    """(GameQuestion id, Question id) of a game's question `index`; a game's questions
    never change once it is made, so each process keeps them."""
    found = _questions.get((game_id, index))
    if found is None:
        found = (
            GameQuestion.objects.filter(game_id=game_id, order=index)
            .values_list("pk", "question_id")
            .first()
        )
        if found is not None:
            _questions[game_id, index] = found
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
    game_ids = sorted({s.game_id for s in submissions})
    outcomes: list = [None] * len(submissions)
    fresh: dict[tuple[int, int], int] = {}  # (player, game question) → submission inserted
    with transaction.atomic():
        open_games = {
            game.pk: game
            for game in Game.objects.select_for_update(no_key=True)
            .filter(pk__in=game_ids)
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
        # Only each game's current question takes answers: its answer key is read once.
        items = {g.pk: _game_question(g.pk, g.current) for g in open_games.values() if g.current}
        keyring = keys.answer_keys([question for _item, question in items.values()])
        rows = []
        for n, submission in enumerate(submissions):
            try:
                game = open_games.get(submission.game_id)
                if game is None or players.get(submission.player_id) != submission.game_id:
                    raise GameRefused(_("Bạn không còn trong trò chơi này."), "removed")
                item, question = items.get(game.pk, (None, None))
                answer = _scored(game, submission, item, keyring.get(question))
            except GameRefused as refusal:
                outcomes[n] = refusal
                continue
            key = (answer.player_id, answer.game_question_id)
            if key not in fresh:
                fresh[key] = n
                rows.append(answer)
            outcomes[n] = answer
        GameAnswer.objects.bulk_create(rows, ignore_conflicts=True)
        pairs = list(fresh)
        stored = {
            (a.player_id, a.game_question_id): a
            for a in GameAnswer.objects.filter(
                player_id__in={p for p, _q in pairs}, game_question_id__in={q for _p, q in pairs}
            )
        }
    counts: dict[tuple[int, int], int] = {}
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
            counts[counter] = counts.get(counter, 0) + 1
    for (game_id, index), count in counts.items():
        try:
            increment(_answered_key(game_id, index), timeout=3600, by=count)
        except (RedisError, OSError):  # the counter is advisory; the answers are stored
            log.warning("answer counter of game %s not updated", game_id)
    return outcomes


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


# --- What a (re)connecting phone is told ------------------------------------------------------


def game_state(game_id: int, *, now: datetime.datetime) -> dict | None:
    """The public state of a game for a phone that (re)connects: phase, the open
    question with the time left, the last reveal's common part."""
    game = Game.objects.filter(pk=game_id).first()
    if game is None:
        return None
    phase = game.phase
    if phase == Phase.QUESTION and now >= game.deadline + LATE_GRACE:
        phase = Phase.LOCKED
    state = {
        "v": 1,
        "type": "state",
        "phase": phase,
        "title": game.title,
        "index": game.current,
        "total": game.questions.count(),
        "seq": game.version,
    }
    if phase == Phase.QUESTION:
        item = GameQuestion.objects.select_related("question").get(game=game, order=game.current)
        state["question"] = question_payload(game, item)
    return state


def player_results(game_id: int) -> dict[int, list]:
    """{player id: [total, rank]} now, for phones reconnecting to a process that has not
    seen a reveal of this game yet (computed once per process and game)."""
    game = Game.objects.get(pk=game_id)
    return {player: [total, rank] for player, total, rank in standings(game)}


def has_answered(player_id: int, *, game_id: int, index: int) -> list[int] | None:
    """The choices the player already gave to question `index`, or None."""
    return (
        GameAnswer.objects.filter(
            player_id=player_id, game_question__game_id=game_id, game_question__order=index
        )
        .values_list("chosen", flat=True)
        .first()
    )
