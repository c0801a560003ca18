"""Certificate PDF: one A4 landscape page, Noto Sans (Vietnamese), a vector QR code."""

from pathlib import Path

import qrcode
from django.utils.html import escape
from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"


def qr_matrix(text: str) -> list[list[bool]]:
    """QR modules for `text`, level M: enough redundancy for a printed, folded paper."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def qr_svg(text: str, *, size_mm: int = 40, label: str = "QR") -> str:
    """The same QR code as inline SVG for the printable page."""
    matrix = qr_matrix(text)
    n = len(matrix)
    cells = "".join(
        f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 {n + 8} {n + 8}" '
        f'width="{size_mm}mm" height="{size_mm}mm" shape-rendering="crispEdges" role="img" '
        f'aria-label="{escape(label)}">'
        f'<rect x="-4" y="-4" width="{n + 8}" height="{n + 8}" fill="#fff"/>'
        f'<path d="{cells}" fill="#000"/></svg>'
    )


def draw_qr(pdf: FPDF, text: str, *, x: float, y: float, size: float) -> None:
    """A vector QR code, `size` mm square, at (x, y) on the current PDF page."""
    matrix = qr_matrix(text)
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if dark:
                pdf.rect(x + column * module, y + row * module, module, module, style="F")


def certificate_pdf(
    *, full_name: str, course_title: str, issued_on: str, code: str, verify_url: str
) -> bytes:
    """The certificate as PDF bytes."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"Giấy chứng nhận {code}")
    pdf.set_auto_page_break(False)
    pdf.add_font("Noto", "", str(FONTS / "NotoSans-Regular.ttf"))
    pdf.add_font("Noto", "B", str(FONTS / "NotoSans-Bold.ttf"))
    pdf.add_page()
    green = (11, 93, 59)
    pdf.set_draw_color(*green)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_text_color(*green)
    pdf.set_font("Noto", "B", 14)
    pdf.set_xy(20, 22)
    pdf.cell(257, 8, "BÌNH DÂN HỌC VỤ SỐ — TỈNH TUYÊN QUANG", align="C")
    pdf.set_font("Noto", "B", 30)
    pdf.set_xy(20, 40)
    pdf.cell(257, 14, "GIẤY CHỨNG NHẬN", align="C")
    pdf.set_text_color(26, 26, 26)
    pdf.set_font("Noto", "", 14)
    pdf.set_xy(20, 62)
    pdf.cell(257, 8, "Chứng nhận", align="C")
    pdf.set_font("Noto", "B", 26)
    pdf.set_xy(20, 74)
    pdf.cell(257, 14, full_name, align="C")
    pdf.set_font("Noto", "", 14)
    pdf.set_xy(20, 94)
    pdf.cell(257, 8, "đã hoàn thành khoá học", align="C")
    pdf.set_font("Noto", "B", 18)
    pdf.set_xy(30, 106)
    pdf.multi_cell(237, 10, course_title, align="C")
    pdf.set_font("Noto", "", 12)
    pdf.set_xy(20, 150)
    pdf.cell(150, 7, f"Ngày cấp: {issued_on}")
    pdf.set_xy(20, 158)
    pdf.cell(150, 7, f"Mã xác minh: {code}")
    pdf.set_xy(20, 166)
    pdf.set_font("Noto", "", 10)
    pdf.cell(150, 6, f"Kiểm tra tại: {verify_url}")
    draw_qr(pdf, verify_url, x=227, y=145, size=40)
    return bytes(pdf.output())
