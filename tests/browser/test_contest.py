"""The contest on two phones, through daphne (pages and websockets): a participant takes an
attempt, reloads in the middle without losing an answer, finishes and sees the score; a
second phone on the leaderboard sees the new participant arrive without reloading."""

import datetime
import re

import pytest
from django.db.models import F

from quiz.models import Attempt
from tests import factories
from tests.browser.pages import fits_the_screen

pytestmark = [pytest.mark.browser]


def test_an_attempt_survives_a_reload_and_the_leaderboard_updates_live(
    asgi_server, contest_round, phone, second_phone, artifacts
):
    factories.person(
        commune=factories.commune("00985"), full_name="Hoàng Thị Dự Thi", phone="0911000333"
    )
    board = second_phone
    board.goto(asgi_server + "/thi/cds-2025/vong/1/bang-xep-hang/")
    board.get_by_text("Đang cập nhật trực tiếp").wait_for()
    assert board.locator("[data-field=participants]").inner_text() == "0"
    assert board.get_by_text("Chưa có ai nộp bài. Bảng tự cập nhật khi có bài nộp.").is_visible()

    page = phone
    page.goto(asgi_server + "/tai-khoan/login/?next=/thi/cds-2025/")
    page.get_by_label("Số điện thoại di động").fill("0911000333")
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name="Vào thi").click()
    page.wait_for_url(re.compile(r"/thi/bai/\d+/$"))
    assert fits_the_screen(page)

    questions = page.locator("form.quiz-question")
    assert questions.count() == 4
    for n in range(2):  # two answers, each saved on the tap
        questions.nth(n).get_by_text(re.compile(r"^Đáp án đúng")).click()
        questions.nth(n).get_by_text("Đã lưu").wait_for()
    page.reload()
    questions = page.locator("form.quiz-question")
    for n in range(2):  # nothing lost
        assert questions.nth(n).locator("input:checked").count() == 1
    assert page.locator("#answered").inner_text() == "2"
    page.screenshot(path=artifacts / "contest-attempt-360.png", full_page=True)
    for n in range(2, 4):
        questions.nth(n).get_by_text(re.compile(r"^Đáp án đúng")).click()
        questions.nth(n).get_by_text("Đã lưu").wait_for()
    # Five minutes on it, as a person takes: an instant submission is held for review.
    Attempt.objects.update(started_at=F("started_at") - datetime.timedelta(minutes=5))
    page.locator("#prediction").fill("1200")
    page.get_by_role("button", name="Nộp bài").click()
    page.get_by_role("heading", name="Bạn đã nộp bài").wait_for()
    assert page.get_by_text("4/4").is_visible()

    # The other phone never reloaded: the push brings the participant in.
    board.locator("[data-field=participants]").filter(has_text=re.compile(r"^1$")).wait_for()
    row = board.locator("[data-rows=top] tr").first
    assert "Hoàng T. D. T." in row.inner_text() and "4/4" in row.inner_text()
    assert "Hoàng Thị Dự Thi" not in board.content()
    assert board.get_by_text("Chưa có ai nộp bài.").is_hidden()
    assert fits_the_screen(board)
    board.screenshot(path=artifacts / "contest-leaderboard-360.png", full_page=True)
