"""A live game on four screens through daphne: the host's page on the projector and three
phones (two accounts, one guest) play three questions to the podium; one phone reloads in
the middle of a question and carries on with its score."""

import datetime
import re

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.utils import timezone

from accounts.models import Role
from quiz import frames, games
from quiz.models import Contest, Game, Round
from tests import factories
from tests.browser.pages import fits_the_screen
from tests.factories import make_question

pytestmark = [pytest.mark.browser]


def new_phone(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def sign_in(page, url: str, phone: str) -> None:
    page.goto(url + "/tai-khoan/login/")
    page.get_by_label("Số điện thoại di động").fill(phone)
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/ho-so/$"))


def open_a_game(host, url: str) -> str:
    """The host signs in, makes a game of three questions and opens its screen: its PIN."""
    sign_in(host, url, "0911000555")
    host.goto(url + "/dieu-phoi/choi/")
    host.get_by_label("Tên trò chơi").fill("Đố vui ngày hội số")
    host.get_by_label("Số câu hỏi").fill("3")
    host.get_by_role("button", name="Tạo và mở màn hình người dẫn").click()
    host.wait_for_url(re.compile(r"/dieu-phoi/choi/\d+/$"))
    pin = Game.objects.get().pin
    assert host.locator(".pin").inner_text() == pin
    host.get_by_text("Đã kết nối").wait_for()
    return pin


def join(phones: list, url: str, pin: str) -> None:
    """Two phones join with their accounts (the PIN typed), the third as a guest (the QR
    code's link)."""
    for page, phone in zip(phones[:2], ("0911000556", "0911000557"), strict=True):
        sign_in(page, url, phone)
        page.goto(f"{url}/choi/")
        page.get_by_label("Mã PIN trên màn hình").fill(f"{pin[:3]} {pin[3:]}")
        page.get_by_role("button", name="Vào", exact=True).click()
        page.get_by_role("button", name="Vào chơi").click()
    guest = phones[2]
    guest.goto(f"{url}/choi/{pin}/")
    guest.get_by_label("Biệt danh").fill("Hoa Ban Trắng")
    guest.get_by_label("Xã, phường của bạn").fill("Giáp Trung")
    guest.get_by_role("button", name="Vào chơi").click()
    for page in phones:
        page.get_by_text("Bạn đã vào phòng. Chờ người dẫn chương trình bắt đầu…").wait_for()


def answer(host, phones: list, index: int) -> None:
    """Everyone answers question `index` (right, but the guest on question 2); phone 2
    reloads in the middle of question 2. The last answer locks the question."""
    host.get_by_role("button", name="Câu tiếp theo").click()
    for n, page in enumerate(phones):
        page.get_by_text(f"Câu {index}/3").wait_for()
        if index == 2 and n == 1:  # a reload in the middle of the question
            page.reload()
            page.get_by_text(f"Câu {index}/3").wait_for()
            assert page.locator("#you").inner_text().startswith("Tổng điểm: ")
        text = "Sai" if (index == 2 and n == 2) else "Đúng"
        page.get_by_role("button", name=text, exact=True).click()
        acked = page.get_by_text("Đã nhận câu trả lời của bạn. Chờ hết giờ…")
        if n < len(phones) - 1:
            acked.wait_for()
        else:  # the last answer locks the question: "locked" may replace the ack at once
            acked.or_(page.get_by_text("Hết giờ! Chờ công bố đáp án…")).wait_for()
            host.get_by_text(f"{len(phones)} đã trả lời").wait_for()
    for page in phones:  # all answered: the question locks by itself
        page.get_by_text("Hết giờ! Chờ công bố đáp án…").wait_for()


def reveal(host, phones: list, index: int, artifacts) -> None:
    if index == 2:
        phones[1].screenshot(path=artifacts / "game-phone-locked-360.png")
    host.get_by_role("button", name="Công bố đáp án").click()
    for n, page in enumerate(phones):
        expected = "Chưa đúng." if (index == 2 and n == 2) else "Đúng rồi!"
        page.get_by_role("heading", name=expected).wait_for()
    if index == 2:
        assert fits_the_screen(phones[1])
        phones[1].screenshot(path=artifacts / "game-phone-reveal-360.png")
        host.get_by_role("button", name="Bảng xếp hạng").click()
        phones[0].get_by_role("cell", name="Hoa Ban Trắng").wait_for()


def test_a_host_and_three_phones_play_to_the_podium(asgi_server, tuyen_quang, browser, artifacts):
    for n in range(3):
        make_question(n, difficulty=1)
    commune = factories.commune("00985")
    factories.with_role(
        factories.person(commune=commune, full_name="Người Dẫn", phone="0911000555"),
        Role.CONTEST_HOST,
    )
    factories.person(commune=commune, full_name="Hoàng Văn Một", phone="0911000556")
    factories.person(commune=factories.commune("02554"), full_name="Lý Thị Hai", phone="0911000557")
    written_before = frames.written

    host = browser.new_page(viewport={"width": 1280, "height": 800})
    host.set_default_timeout(15_000)
    pin = open_a_game(host, asgi_server)
    phones = [new_phone(browser) for _ in range(3)]
    join(phones, asgi_server, pin)
    host.locator("#players").filter(has_text=re.compile(r"^3$")).wait_for()
    for index in (1, 2, 3):
        answer(host, phones, index)
        reveal(host, phones, index, artifacts)

    host.get_by_role("button", name="Câu tiếp theo").click()  # after the last: the podium
    for page in phones:
        page.get_by_role("heading", name="Trò chơi kết thúc. Cảm ơn bạn đã tham gia!").wait_for()
    host.get_by_text("Kết thúc! Xin chúc mừng:").wait_for()
    host.screenshot(path=artifacts / "game-host-podium.png")
    reloaded = phones[1].locator("#you").inner_text()
    assert reloaded.startswith("Tổng điểm: ") and "Hạng" in reloaded
    total = int(re.search(r"Tổng điểm: (\d+)", reloaded).group(1))
    assert total >= 1500  # three right answers, each worth 500 to 1,000
    # daphne's sockets got broadcasts framed once (quiz/frames.py), unless that is off
    # (scripts/test runs these tests once with HOCSO_DIRECT_FRAMES=0)
    assert (frames.written > written_before) == frames.enabled()
    for page in phones:
        page.context.close()
    host.close()


BUSY = (
    "Quá nhiều kết nối hoặc tin nhắn từ thiết bị hay mạng của bạn. "
    "Tải lại trang sau ít phút để thử lại."
)


def refused_without_retrying(page, sockets: list, text: str) -> None:
    """The page says why, and no other socket opens in the seconds its backoff (0.5–1 s,
    then 1–2 s) would have taken to try again."""
    page.get_by_text(text).wait_for()
    opened = len(sockets)
    page.wait_for_timeout(3_000)
    assert len(sockets) == opened


def test_a_refused_phone_says_why_and_does_not_reconnect(
    asgi_server, tuyen_quang, browser, settings
):
    host = factories.person(commune=factories.commune("00985"), full_name="Người Dẫn")
    game = games.create_game(host=host, title="Đố vui", questions=[make_question(1, difficulty=1)])
    phone = new_phone(browser)
    sockets: list[str] = []
    phone.on("websocket", lambda socket: sockets.append(socket.url))
    phone.goto(f"{asgi_server}/choi/{game.pin}/")
    phone.get_by_label("Biệt danh").fill("Hoa Ban Trắng")
    phone.get_by_label("Xã, phường của bạn").fill("Giáp Trung")
    phone.get_by_role("button", name="Vào chơi").click()
    phone.get_by_text("Bạn đã vào phòng. Chờ người dẫn chương trình bắt đầu…").wait_for()

    # Its address already holds every socket the game allows it (a cap of none here).
    settings.SOCKETS_PER_ADDRESS = 0
    phone.reload()
    refused_without_retrying(phone, sockets, BUSY)
    del settings.SOCKETS_PER_ADDRESS

    # The player's token in the session no longer opens the game (4401).
    cookie = next(c for c in phone.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=cookie["value"])
    session["quiz_players"] = {str(game.pk): "hong"}
    session.save()
    phone.reload()
    refused_without_retrying(
        phone,
        sockets,
        "Lượt vào chơi này không còn hợp lệ. Hãy quét lại mã QR hoặc nhập lại mã PIN.",
    )
    phone.context.close()


def test_a_refused_leaderboard_says_why_and_does_not_reconnect(
    asgi_server, tuyen_quang, browser, settings
):
    make_question(1, difficulty=1)
    contest = Contest.objects.create(title="Tìm hiểu chuyển đổi số", slug="cds", is_published=True)
    now = timezone.now()
    Round.objects.create(
        contest=contest,
        number=1,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(hours=1),
        questions_per_attempt=1,
    )
    settings.SOCKETS_PER_ADDRESS = 0
    page = new_phone(browser)
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.goto(f"{asgi_server}/thi/cds/vong/1/bang-xep-hang/")
    refused_without_retrying(page, sockets, BUSY)
    # One socket, refused with 4429. Twice under heavy load (CI's second, direct-frames-off
    # pass; a helper's PostgreSQL run) a second socket opened before the page said why:
    # most likely the first close reached the browser without its code and the backoff tried
    # once more, was refused again and stopped. Unexplained yet (see the closing note of
    # issue 15); what must hold is that the refusal ends the retrying.
    assert len(sockets) in (1, 2)
    page.context.close()
