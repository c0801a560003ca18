"""Live games over HTTP: enter the PIN, join (an account, or a guest with a nickname and a
commune), the player's page; the host's list, set-up and screen; the results workbook.
The game itself runs over websockets (quiz/consumers.py, docs/protocol.md)."""

import random
import re
from functools import wraps

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.exports import XLSX_CONTENT_TYPE
from common.qr import qr_svg
from quiz import exports, games, hosting
from quiz.forms import GameForm, GuestForm, PinForm
from quiz.models import Game, Phase

SESSION_KEY = "quiz_players"  # {game id: player token}: a reload finds the player again
PIN = re.compile(r"[0-9]{6}")  # anything else is no game's PIN: a 404 before any query


def enter_pin(request):
    form = PinForm(request.GET or None)
    if form.is_valid():
        return redirect("quiz:join", pin=form.cleaned_data["pin"])
    return render(request, "quiz/game_pin.html", {"form": form})


def _open_game(pin: str) -> Game | None:
    return Game.objects.filter(pin=pin).exclude(phase=Phase.FINISHED).first()


def _valid_pin(pin: str) -> str:
    if not PIN.fullmatch(pin):
        raise Http404(_("Mã PIN gồm 6 chữ số."))
    return pin


def join(request, pin: str):
    _valid_pin(pin)
    address = get_adapter(request).get_client_ip(request)  # as allauth's own limits see it
    session = request.session.session_key
    if games.join_refused(address=address, session=session):
        messages.error(
            request,
            _(
                "Có quá nhiều lượt vào trò chơi hoặc mã PIN sai từ mạng của bạn. "
                "Hãy chờ một phút rồi thử lại."
            ),
        )
        response = render(request, "quiz/game_pin.html", {"form": PinForm()}, status=429)
        response["Retry-After"] = "60"
        return response
    game = _open_game(pin)
    if game is None:
        games.count_missed_pin(address=address, session=session)
        messages.error(
            request, _("Không có trò chơi nào đang mở với mã PIN %(pin)s.") % {"pin": pin}
        )
        return redirect("quiz:enter_pin")
    if str(game.pk) in request.session.get(SESSION_KEY, {}):
        return redirect("quiz:play", pin=pin)
    user = request.user if request.user.is_authenticated else None
    form = GuestForm(request.POST if request.method == "POST" else None) if user is None else None
    if request.method == "POST" and (user is not None or form.is_valid()):
        try:
            player = games.join_game(
                game,
                user=user,
                nickname=user.get_short_name() if user else form.cleaned_data["nickname"],
                commune=None if user else form.cleaned_data["commune"],
                now=timezone.now(),
            )
        except games.GameRefused as refusal:
            messages.error(request, str(refusal))
        else:
            tokens = request.session.get(SESSION_KEY, {})
            tokens[str(game.pk)] = games.player_token(player)
            request.session[SESSION_KEY] = tokens
            return redirect("quiz:play", pin=pin)
    return render(request, "quiz/game_join.html", {"game": game, "form": form})


def play(request, pin: str):
    game = Game.objects.filter(pin=_valid_pin(pin)).order_by("-created_at").first()
    token = request.session.get(SESSION_KEY, {}).get(str(game.pk)) if game else None
    if token is None:
        return redirect("quiz:join", pin=pin)
    return render(request, "quiz/game_play.html", {"game": game, "token": token})


# --- The host ---------------------------------------------------------------------------------


def host_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        hosting.check_host(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _my_game(request, pk: int) -> Game:
    try:
        return hosting.access_game(request.user, pk)
    except Game.DoesNotExist:
        raise Http404 from None


@host_required
def host_list(request):
    data = request.POST if request.method == "POST" else None
    form = GameForm(data, initial={"title": _("Đố vui chuyển đổi số")})
    if request.method == "POST" and form.is_valid():
        settings = {k: v for k, v in form.cleaned_data.items() if k not in ("topics", "count")}
        questions = games.pick_questions(
            topic_ids=[t.pk for t in form.cleaned_data["topics"]],
            count=form.cleaned_data["count"],
            rng=random.SystemRandom(),
        )
        try:
            game = games.create_game(host=request.user, questions=questions, **settings)
        except games.GameRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("quiz:host", pk=game.pk)
    mine = Game.objects.filter(host=request.user)
    page = Paginator(mine, 20).get_page(request.GET.get("page"))
    return render(request, "quiz/game_host_list.html", {"form": form, "page": page})


def _join_url(request, game: Game) -> str:
    return request.build_absolute_uri(reverse("quiz:join", args=[game.pin]))


@host_required
def host_screen(request, pk: int):
    game = _my_game(request, pk)
    return render(
        request,
        "quiz/game_host.html",
        {"game": game, "join_url": _join_url(request, game), "total": game.questions.count()},
    )


@host_required
def join_qr(request, pk: int):
    game = _my_game(request, pk)
    svg = qr_svg(_join_url(request, game), size_mm=80, label=_("Mã QR để vào chơi"))
    return HttpResponse(svg, content_type="image/svg+xml")


@host_required
def results_export(request, pk: int):
    game = _my_game(request, pk)
    response = HttpResponse(exports.game_workbook(game), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="tro-choi-{game.pin}.xlsx"'
    return response
