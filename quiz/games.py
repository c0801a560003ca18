"""State changes of live games: create, join, open a question, lock, reveal, the
leaderboard, the end (answers: quiz/scoring.py; ranks: quiz/podium.py; who may host:
quiz/hosting.py). The server's
clock decides: a question's deadline is set here, and the correct choice leaves the server
only in the reveal. Every change is committed before it is broadcast (`_broadcast`,
quiz/events.py)."""

import datetime
import logging
import random
import secrets

from django.conf import settings as django_settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from accounts.models import User
from common.counters import increment
from quiz import counts, events, podium, shuffle
from quiz.models import Choice, Game, GameQuestion, Phase, Player, Question

log = logging.getLogger(__name__)

# An answer sent just before the deadline still counts if it arrives within this.
LATE_GRACE = datetime.timedelta(milliseconds=500)
TOKEN_SALT = "quiz.player"
TOKEN_MAX_AGE = 12 * 3600


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
    counts.forget_players(game.pk)
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


def _payload(game: Game, type: str, **fields) -> dict:
    """A message about the game: the protocol's version, and the game's version as `seq`
    (a phone ignores what is older than what it has shown)."""
    return {"v": 1, "type": type, **fields, "seq": game.version}


def _broadcast(game: Game, type: str, *, table: list | None = None, **fields) -> dict:
    """Send every socket of the game a message once this transaction commits; the payload."""
    payload = _payload(game, type, **fields)
    events.game_broadcast(game.pk, payload, table=table)
    return payload


def _question(game: Game, item: GameQuestion) -> dict:
    """What every phone and the projector show of a question, choices in the game's order:
    never which choice is right."""
    question = item.question
    return {
        "index": item.order,
        "total": game.questions.count(),
        "text": question.text,
        "multiple": question.multiple,
        "choices": [
            [c.pk, c.text] for c in shuffle.in_order(question.choices.all(), item.choice_order)
        ],
        "seconds": game.seconds_per_question,
        "deadline": int(game.deadline.timestamp() * 1000),
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
    _broadcast(game, "question", **_question(game, item))
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
    _broadcast(game, "locked", index=index)
    return True


def lock_if_due(game_id: int, *, index: int, now: datetime.datetime) -> bool:
    """Lock question `index` once every player has answered or its deadline (+ grace) has
    passed; the host's connection asks this twice a second while a question is open."""
    players = counts.active_players(game_id)
    if players and counts.answered(game_id, index) >= players:
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
    distribution, answered, table = podium.question_results(game, item)
    game.phase = Phase.REVEAL
    _moved(game, "phase")
    return _broadcast(
        game,
        "reveal",
        table=table,
        index=item.order,
        correct=correct,
        distribution=distribution,
        explanation=item.question.explanation,
        answered=answered,
    )


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
    return _broadcast(game, "leaderboard", index=game.current, **podium.leaderboard(game))


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
    board = podium.leaderboard(game)
    table = [[player, total, rank, False, 0] for player, total, rank in podium.standings(game)]
    _broadcast(game, "finished", table=table, podium=board["top"][:3], **board)
    return game


@transaction.atomic
def set_lobby_locked(game_id: int, *, locked: bool) -> None:
    Game.objects.filter(pk=game_id).update(lobby_locked=locked)


@transaction.atomic
def remove_player(game_id: int, *, player_id: int) -> None:
    """The host removes a player (an offensive nickname): their phone is told and closed."""
    if Player.objects.filter(game_id=game_id, pk=player_id).update(removed=True):
        counts.forget_players(game_id)
        events.game_player_removed(game_id, player_id)


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
    state = _payload(
        game,
        "state",
        phase=phase,
        title=game.title,
        index=game.current,
        total=game.questions.count(),
    )
    if phase == Phase.QUESTION:
        item = GameQuestion.objects.select_related("question").get(game=game, order=game.current)
        state["question"] = _payload(game, "question", **_question(game, item))
    return state
