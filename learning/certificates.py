"""Certificate PDF: one A4 landscape page, Noto Sans (Vietnamese), a vector QR code."""

from fpdf import FPDF

from common.pdf import with_fonts
from common.qr import draw_qr


def certificate_pdf(
    *, full_name: str, course_title: str, issued_on: str, code: str, verify_url: str
) -> bytes:
    """The certificate as PDF bytes."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"Giấy chứng nhận {code}")
    pdf.set_auto_page_break(False)
    with_fonts(pdf)
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
