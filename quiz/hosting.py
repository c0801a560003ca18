"""Who may host a live game, and what the host's commands do (docs/protocol.md). The
host's pages (quiz/views/games.py) and the host's socket (quiz/consumers.py) ask the same
`access_game`, as Zulip's `access_*` helpers are asked by every view of a stream."""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import User
from quiz import games
from quiz.models import Game


def check_host(user: User | None) -> None:
    """Refuse (PermissionDenied) anyone who may not host live games: signed in, consent
    given, and the permission to add games (the contest hosts' role, or a superuser)."""
    if (
        user is None
        or not user.is_authenticated
        or user.consent_at is None  # every page but the consent page is closed to them too
        or not user.has_perm("quiz.add_game")
    ):
        raise PermissionDenied(_("Trang này dành cho người tổ chức cuộc thi."))


def access_game(user: User | None, game_id: int) -> Game:
    """The game `user` may host: one of their own, or any for a superuser. PermissionDenied
    for who may not host games; Game.DoesNotExist for a game that is not theirs or is gone
    (the page answers 404, the host's socket 4404)."""
    check_host(user)
    hosted = Game.objects.all() if user.is_superuser else Game.objects.filter(host=user)
    return hosted.get(pk=game_id)


def command(game_id: int, message: dict, *, index: int, now: datetime.datetime) -> None:
    """Carry out a host's command (a checked message of the host's socket); `index` is the
    question the host's screen shows. GameRefused when the game's phase does not allow it."""
    kind = message["type"]
    if kind == "next":
        games.open_next_question(game_id, now=now)
    elif kind == "lock":
        games.lock_question(game_id, index=index)
    elif kind == "reveal":
        games.reveal(game_id, now=now)
    elif kind == "leaderboard":
        games.show_leaderboard(game_id)
    elif kind == "finish":
        games.finish_game(game_id, now=now)
    elif kind == "lock_lobby":
        games.set_lobby_locked(game_id, locked=bool(message.get("locked", True)))
    elif kind == "remove":
        games.remove_player(game_id, player_id=message["player"])
