"""A round's results as .xlsx for the organiser: the ranking with every tie-breaker column,
the prizes, the unit statistics, every attempt and the suspicious ones. Formula-safe like
every export (common.exports)."""

from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from common.exports import Sheet, xlsx_sheets_bytes
from quiz import leaderboard
from quiz.models import (
    Attempt,
    AttemptReview,
    Game,
    GameAnswer,
    GameQuestion,
    Player,
    Review,
    Round,
)
from quiz.ranking import shared_ranks


def _seconds(ms: int | None):
    return None if ms is None else round(ms / 1000, 1)


def round_workbook(
    round_: Round, *, standings: QuerySet, attempts: QuerySet, answers: QuerySet
) -> bytes:
    """`standings`, `attempts` and the live games' `answers` are already narrowed to the
    reader's scope."""
    ranked = round_.ranked_at is not None
    headers = _ranking_headers(ranked=ranked)
    widths = (8, 28, 13, 22, 28, 7, 7, 10, 10, 10, 17, 18)
    prize_rows = [row for row in _ranking_rows(round_, standings) if row[-1]] if ranked else []
    units = {
        unit: leaderboard.unit_table(round_, unit, standings=standings, answers=answers)
        for unit in ("commune", "organization")
    }
    return xlsx_sheets_bytes(
        [
            Sheet(_("Xếp hạng"), headers, _ranking_rows(round_, standings), widths),
            Sheet(_("Giải thưởng"), headers, prize_rows, widths),
            _unit_sheet(
                _("Theo xã, phường"), units["commune"], first=_("Xã, phường"),
                expected=_("Số người trưởng thành dự kiến"),
                basis=_("số người trưởng thành dự kiến"), width=28,
            ),
            _unit_sheet(
                _("Theo cơ quan"), units["organization"], first=_("Cơ quan, đơn vị"),
                expected=_("Số cán bộ, nhân viên dự kiến"),
                basis=_("số cán bộ, nhân viên dự kiến"), width=36,
            ),
            _attempts_sheet(attempts),
            _suspicious_sheet(attempts),
        ]
    )  # fmt: skip


def _ranking_headers(*, ranked: bool) -> list[str]:
    return [
        _("Hạng") if ranked else _("Hạng tạm tính"),
        _("Họ và tên"),
        _("Số điện thoại"),
        _("Xã, phường"),
        _("Cơ quan, đơn vị"),
        _("Điểm"),
        _("Số câu"),
        _("Dự đoán"),
        _("Sai lệch dự đoán"),
        _("Thời gian (giây)"),
        _("Nộp lúc"),
        _("Giải"),
    ]


def _ranking_rows(round_: Round, standings: QuerySet):
    """The final ranking once the round is ranked, else the live order with its positions."""
    actual = round_.prediction_actual
    ranked = round_.ranked_at is not None
    ordered = standings.final_order() if ranked else standings.live_order()
    rows = ordered.values_list(
        "rank", "user__full_name", "user__phone", "commune__name", "organization__name",
        "score", "total", "prediction", "duration_ms", "submitted_at", "prize",
    )  # fmt: skip
    for position, row in enumerate(rows.iterator(chunk_size=5000), start=1):
        rank, name, phone, commune, org, score, total, guess, ms, at, prize = row
        distance = abs(guess - actual) if guess is not None and actual is not None else None
        yield [
            rank if ranked else position, name, phone, commune or "", org or "", score, total,
            guess, distance, _seconds(ms), at, prize,
        ]  # fmt: skip


def _unit_sheet(title, table, *, first, expected, basis, width) -> Sheet:
    """A unit table; `basis` names the rate's base where the expected headcount is set."""
    return Sheet(
        title,
        [
            first,
            _("Số người dự thi"),
            _("Số tài khoản đã đăng ký"),
            expected,
            _("Tỉ lệ dự thi (%)"),
            _("Tỉ lệ tính trên"),
            _("Điểm trung bình"),
            _("Số người đúng hết"),
            _("Điểm trò chơi trực tiếp"),
        ],
        _unit_rows(table, basis=basis),
        (width, 12, 14, 16, 12, 30, 12, 12, 14),
    )


def _unit_rows(table: list[list], *, basis: str):
    """The unit table's rows with the rate's base named: the expected headcount where the
    Department set one, else registered accounts (and no rate-based prize)."""
    registered = _("số tài khoản đã đăng ký (chưa có số dự kiến)")
    for name, n, head, rate, average, perfect, game, base in table:
        yield [name, n, head, base, rate, basis if base else registered, average, perfect, game]


ATTEMPT_FIELDS = (
    "user__full_name",
    "user__phone",
    "user__commune__name",
    "number",
    "started_at",
    "submitted_at",
    "score",
    "total",
    "duration_ms",
    "prediction",
    "review",
)


def _status(review: str, submitted) -> str:
    """Whether the attempt ranks: held ones wait for an organiser, disqualified never do."""
    if submitted is None:
        return _("Chưa nộp")
    return Review(review).label if review else _("Được tính")


def _attempts_sheet(attempts: QuerySet) -> Sheet:
    headers = [
        _("Họ và tên"),
        _("Số điện thoại"),
        _("Xã, phường"),
        _("Lượt"),
        _("Bắt đầu"),
        _("Nộp lúc"),
        _("Điểm"),
        _("Số câu"),
        _("Thời gian (giây)"),
        _("Dự đoán"),
        _("Trạng thái"),
        _("Lý do xét duyệt"),
    ]
    decided = AttemptReview.objects.filter(attempt=OuterRef("pk")).order_by("-at", "-pk")
    rows = (
        attempts.order_by("started_at", "pk")
        .annotate(reason=Subquery(decided.values("reason")[:1]))
        .values_list(*ATTEMPT_FIELDS, "reason")
    )

    def lines():
        for row in rows.iterator(chunk_size=5000):
            name, phone, commune, number, started, submitted, score, total, ms, guess = row[:10]
            review, reason = row[10:]
            yield [
                name, phone, commune or "", number, started, submitted, score, total,
                _seconds(ms), guess, str(_status(review, submitted)), reason or "",
            ]  # fmt: skip

    return Sheet(
        _("Tất cả lượt thi"), headers, lines(), (28, 13, 22, 6, 17, 17, 7, 7, 10, 10, 16, 40)
    )


def _suspicious_sheet(attempts: QuerySet) -> Sheet:
    headers = [
        _("Họ và tên"),
        _("Số điện thoại"),
        _("Xã, phường"),
        _("Lượt"),
        _("Nộp lúc"),
        _("Điểm"),
        _("Số câu"),
        _("Thời gian (giây)"),
        _("Lý do"),
    ]
    rows = attempts.suspicious().values_list(*ATTEMPT_FIELDS)

    def lines():
        for row in rows.iterator(chunk_size=5000):
            name, phone, commune, number, _started, submitted, score, total, ms = row[:9]
            yield [
                name, phone, commune or "", number, submitted, score, total, _seconds(ms),
                Attempt.suspicion(score=score, total=total, duration_ms=ms),
            ]  # fmt: skip

    return Sheet(_("Nghi vấn"), headers, lines(), (28, 13, 22, 6, 17, 7, 7, 10, 40))


def round_filename(round_: Round) -> str:
    return f"ket-qua-{round_.contest.slug}-vong-{round_.number}.xlsx"


def game_workbook(game: Game) -> bytes:
    """A live game's results: players ranked, each question, every answer."""
    return xlsx_sheets_bytes([_players_sheet(game), _questions_sheet(game), _answers_sheet(game)])


def _players_sheet(game: Game) -> Sheet:
    """Players by points; those the host removed last, unranked."""
    players = list(
        Player.objects.filter(game=game)
        .annotate(
            total=Sum("answers__points", default=0),
            right=Count("answers", filter=Q(answers__correct=True)),
        )
        .order_by("removed", "-total", "joined_at", "pk")
        .values_list(
            "nickname", "user__full_name", "commune__name", "organization__name", "total",
            "right", "removed",
        )
    )  # fmt: skip
    ranks = shared_ranks(row[4] for row in players)  # equal points, equal rank
    rows = [
        [None if removed else rank, name or nick, commune or "", org or "", total, right,
         _("Đã bị mời ra") if removed else ""]
        for rank, (nick, name, commune, org, total, right, removed) in zip(
            ranks, players, strict=True
        )
    ]  # fmt: skip
    headers = [_("Hạng"), _("Tên"), _("Xã, phường"), _("Cơ quan, đơn vị"), _("Điểm"),
               _("Số câu đúng"), _("Ghi chú")]  # fmt: skip
    return Sheet(_("Người chơi"), headers, rows, (7, 28, 22, 28, 9, 10, 14))


def _questions_sheet(game: Game) -> Sheet:
    questions = (
        GameQuestion.objects.filter(game=game)
        .annotate(
            answered=Count("answers"),
            right=Count("answers", filter=Q(answers__correct=True)),
            seconds=Avg("answers__elapsed_ms"),
        )
        .values_list("order", "question__text", "answered", "right", "seconds")
    )
    headers = [_("Câu"), _("Nội dung"), _("Số người trả lời"), _("Số người đúng"),
               _("Thời gian trung bình (giây)")]  # fmt: skip
    rows = (
        [order, text, n, right, None if ms is None else round(ms / 1000, 1)]
        for order, text, n, right, ms in questions
    )
    return Sheet(_("Theo câu hỏi"), headers, rows, (6, 60, 12, 12, 14))


def _answers_sheet(game: Game) -> Sheet:
    answers = (
        GameAnswer.objects.filter(game_question__game=game)
        .order_by("game_question__order", "received_at")
        .values_list(
            "game_question__order", "player__nickname", "player__user__full_name",
            "player__commune__name", "correct", "points", "elapsed_ms", "received_at",
        )
    )  # fmt: skip
    headers = [_("Câu"), _("Tên"), _("Xã, phường"), _("Đúng"), _("Điểm"),
               _("Thời gian (giây)"), _("Nhận lúc")]  # fmt: skip
    rows = (
        [order, name or nick, commune or "", _("Đúng") if right else _("Sai"), points,
         round(ms / 1000, 2), at]
        for order, nick, name, commune, right, points, ms, at in answers.iterator(chunk_size=5000)
    )  # fmt: skip
    return Sheet(_("Câu trả lời"), headers, rows, (6, 28, 22, 8, 8, 10, 17))
