"""Account slips: A4 sheets of 8 cut-out slips, one page group per organization, each with
the person's name, phone, a one-time sign-in QR code and three steps — or, for an account
its owner has already claimed, no code and the words "đã kích hoạt". Pure: rows in, bytes out.
"""

from collections.abc import Callable

from fpdf import FPDF

from common.pdf import with_fonts
from common.qr import draw_qr

COLUMNS, ROWS = 2, 4
SLIP_W, SLIP_H = 95, 68
LEFT, TOP = 10, 12
QR_SIZE = 32


PROGRESS_EVERY = 200  # slips


def slips_pdf(
    groups: list[tuple[str, list[dict]]],
    *,
    expires_on: str,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """`groups`: (organization name, [{"full_name", "phone", "url"}]) in print order; a url
    of None is a claimed account. `progress(n)` is told every PROGRESS_EVERY slips."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    drawn = 0
    pdf.set_auto_page_break(False)
    with_fonts(pdf)
    pdf.set_title("Phiếu tài khoản Học Số")
    for organization, people in groups:
        for start in range(0, len(people), COLUMNS * ROWS):
            pdf.add_page()
            pdf.set_font("Noto", "B", 10)
            pdf.set_xy(LEFT, 4)
            pdf.cell(190, 6, f"{organization} — phiếu tài khoản Học Số")
            for index, person in enumerate(people[start : start + COLUMNS * ROWS]):
                column, row = index % COLUMNS, index // COLUMNS
                _slip(pdf, LEFT + column * SLIP_W, TOP + row * SLIP_H, person, expires_on)
                drawn += 1
                if progress and drawn % PROGRESS_EVERY == 0:
                    progress(drawn)
    return bytes(pdf.output())


def _slip(pdf: FPDF, x: float, y: float, person: dict, expires_on: str) -> None:
    pdf.set_draw_color(160, 160, 160)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=2, gap=1)  # a cutting line
    pdf.rect(x, y, SLIP_W, SLIP_H)
    pdf.set_dash_pattern()
    text_w = SLIP_W - QR_SIZE - 8
    pdf.set_font("Noto", "B", 12)
    pdf.set_xy(x + 3, y + 3)
    pdf.multi_cell(text_w, 6, person["full_name"], align="L")
    pdf.set_font("Noto", "", 10)
    pdf.set_x(x + 3)
    pdf.cell(text_w, 6, f"Số điện thoại: {person['phone']}")
    pdf.set_font("Noto", "", 8.5)
    pdf.set_xy(x + 3, y + 24)
    if person["url"] is None:
        pdf.set_font("Noto", "B", 10)
        pdf.multi_cell(SLIP_W - 6, 5, "Tài khoản đã kích hoạt.", align="L")
        pdf.set_font("Noto", "", 8.5)
        pdf.set_x(x + 3)
        pdf.multi_cell(
            SLIP_W - 6,
            4.2,
            "Người dùng đăng nhập bằng số điện thoại và mật khẩu của mình. "
            "Quên mật khẩu: chọn “Quên mật khẩu” ở trang đăng nhập.",
            align="L",
        )
        return
    steps = (
        "1. Mở camera điện thoại, quét mã QR bên phải.\n"
        "2. Đặt mật khẩu của bạn.\n"
        "3. Vào “Học của tôi” để học các khoá bắt buộc.\n"
        f"Mã dùng một lần, hết hạn ngày {expires_on}. Cần giúp: hỏi người điều phối của đơn vị."
    )
    pdf.multi_cell(text_w, 4.2, steps, align="L")
    draw_qr(pdf, person["url"], x=x + SLIP_W - QR_SIZE - 3, y=y + 6, size=QR_SIZE)
