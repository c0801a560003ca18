"""The review queue on a 360 px phone with JavaScript off: the participant of a one-second
attempt sees it under review, the organiser reads the evidence and disqualifies it (the
confirmation box asked for first), and the participant then sees the reason."""

import datetime
import random

import pytest
from django.utils import timezone

from accounts.models import Role
from quiz.models import AttemptReview
from quiz.services.attempts import save_answer, start_attempt, submit_attempt
from tests import factories
from tests.browser.pages import fits_the_screen, sign_in
from tests.factories import right

pytestmark = [pytest.mark.browser]


def test_a_held_attempt_is_reviewed_on_a_phone_without_javascript(
    asgi_server,
    contest_round,  # noqa: F811  (the fixture imported above)
    no_js_phone,
    artifacts,
):
    commune = factories.commune("00985")
    quick = factories.person(commune=commune, full_name="Nhanh Như Chớp", phone="0911000444")
    factories.with_role(
        factories.person(commune=commune, full_name="Ban Tổ Chức", phone="0911000555"),
        Role.CONTEST_HOST,
    )
    now = timezone.now()
    attempt = start_attempt(quick, round_=contest_round, now=now, rng=random.Random(1))
    for item in attempt.drawn.all():
        save_answer(attempt, question_id=item.question_id, choice_ids=right(item.question_id),
                    now=now)  # fmt: skip
    submit_attempt(attempt, prediction=None, now=now + datetime.timedelta(seconds=1))

    page = no_js_phone
    result = f"/thi/bai/{attempt.pk}/ket-qua/"
    sign_in(page, asgi_server, "0911000444", result)
    assert page.get_by_text("Bài của bạn đang xét duyệt.").is_visible()
    assert fits_the_screen(page)

    queue = "/thi/cds-2025/vong/1/xet-duyet/"
    sign_in(page, asgi_server, "0911000555", queue)
    assert page.get_by_text("4/4").is_visible() and page.get_by_text("Nộp quá nhanh").is_visible()
    assert fits_the_screen(page)
    page.screenshot(path=artifacts / "contest-review-queue-360.png", full_page=True)
    page.get_by_role("link", name="Xem bằng chứng và quyết định").click()
    # 4 questions of 8 words with two 4-word choices: 4 × (16 ÷ 5 + 1) = 16.8 s.
    page.get_by_text("Nộp sau 1,0 giây, nhanh hơn thời gian tối thiểu 16,8 giây.").wait_for()
    assert fits_the_screen(page)
    page.get_by_label("Loại: lượt thi không bao giờ được xếp hạng").check()
    page.get_by_label("Lý do").fill("Nộp bài sau 1 giây.")
    page.get_by_role("button", name="Ghi quyết định").click()
    page.get_by_text("Hãy đánh dấu xác nhận trước khi loại lượt thi.").wait_for()
    assert fits_the_screen(page)
    page.screenshot(path=artifacts / "contest-review-attempt-360.png", full_page=True)
    assert not AttemptReview.objects.exists()
    page.get_by_label("Tôi xác nhận loại lượt thi này").check()
    page.get_by_role("button", name="Ghi quyết định").click()
    page.get_by_text("Không có lượt thi nào chờ xét duyệt").wait_for()
    page.screenshot(path=artifacts / "contest-review-empty-360.png", full_page=True)
    assert AttemptReview.objects.get().reason == "Nộp bài sau 1 giây."

    sign_in(page, asgi_server, "0911000444", result)
    assert page.get_by_text("Lý do: Nộp bài sau 1 giây.").is_visible()
