"""Printable QR kits for the learning festival: posters, sheets of cards, booth table tents.

Pure functions: `Printable` items in, A4 PDF bytes out (fpdf2, Noto Sans for Vietnamese,
vector QR codes). Each item carries the short link exactly as the QR code holds it, upper
case (`HTTPS://HOST/Q/AB12C`) so the code uses the QR alphanumeric mode and stays small.
The HTML print views use `with_svg` and the templates under templates/learning/print/.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from fpdf import FPDF

from common.pdf import with_fonts
from common.qr import draw_qr, qr_svg

PAGE_W, PAGE_H = 210, 297
GREEN = (11, 93, 59)
INK = (26, 26, 26)
MUTED = (85, 85, 85)
QUIET = 4  # modules of white a reader needs around the code


@dataclass(frozen=True)
class Printable:
    """One code to print: what it is for, the short link, and what happens after a scan."""

    title: str
    link: str  # "HTTPS://HOST/Q/AB12C", as encoded in the QR code
    context: str = ""  # the event, commune or course it belongs to
    action: str = ""  # the poster's third step, e.g. "you are checked in"

    @property
    def shown_link(self) -> str:
        """The link as printed under the code for typing: no scheme."""
        return self.link.split("://", 1)[-1]


def short_url(base_url: str, code: str) -> str:
    """The URL a printed code holds: `base_url` (e.g. "https://hocso.vn/") + "Q/" + code,
    all upper case (scheme and host are case-blind; /Q/ is routed like /q/)."""
    return f"{base_url.rstrip('/')}/Q/{code}".upper()


def _document(title: str) -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    with_fonts(pdf)
    pdf.set_title(title)
    pdf.set_creator("Học Số")
    return pdf


def _fit_line(pdf: FPDF, text: str, width: float, size: float, minimum: float) -> float:
    """The largest font size ≤ `size` at which `text` fits on one line of `width`."""
    pdf.set_font_size(size)
    fitted = size * width / max(pdf.get_string_width(text), 0.01)
    return max(minimum, min(size, fitted))


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """`text` broken into lines of at most `width` at the current font (fpdf2's own
    multi_cell line breaking costs ~1 ms a call, too slow for a thousand cards)."""
    space = pdf.get_string_width(" ")
    lines, words, used = [], [], 0.0
    for word in text.split():
        word_w = pdf.get_string_width(word)
        if words and used + space + word_w > width:
            lines.append(" ".join(words))
            words, used = [], 0.0
        used += (space if words else 0) + word_w
        words.append(word)
    if words:
        lines.append(" ".join(words))
    return lines


def _text_block(
    pdf: FPDF, text: str, *, x: float, y: float, w: float, size: float, lines: int
) -> float:
    """`text` centred in at most `lines` lines, shrinking the font (down to 60 %) and then
    cutting with an ellipsis; returns the height used."""
    current = size
    while True:
        pdf.set_font_size(current)
        wrapped = _wrap(pdf, text, w)
        if len(wrapped) <= lines or current <= size * 0.6:
            break
        current = round(current * 0.9, 1)
    if len(wrapped) > lines:
        last = wrapped[lines - 1]
        while last and pdf.get_string_width(last + "…") > w:
            last = last[:-1].rstrip()
        wrapped = [*wrapped[: lines - 1], last + "…"]
    height = current * 0.45
    for number, line in enumerate(wrapped):
        pdf.set_xy(x, y + number * height)
        pdf.cell(w, height, line, align="C")
    return len(wrapped) * height


def _centred_line(
    pdf: FPDF, text: str, *, x: float, y: float, w: float, size: float, minimum: float
):
    pdf.set_font_size(_fit_line(pdf, text, w, size, minimum))
    pdf.set_xy(x, y)
    pdf.cell(w, size * 0.45, text, align="C")


def _steps(item: Printable) -> list[str]:
    return [
        _("Mở camera điện thoại, hoặc Zalo (chọn Quét mã QR)."),
        _("Hướng vào mã QR, chạm vào đường link hiện ra."),
        item.action or _("Làm theo hướng dẫn trên màn hình. Không cần cài ứng dụng."),
    ]


# --- (a) Poster: one code per A4 page ---------------------------------------------------------


def poster_pdf(items: list[Printable]) -> bytes:
    """One A4 poster per item: title, one big code, the short link, three steps."""
    pdf = _document(_("Áp phích mã QR Học Số"))
    for item in items:
        pdf.add_page()
        pdf.set_fill_color(*GREEN)
        pdf.rect(0, 0, PAGE_W, 8, style="F")
        pdf.set_text_color(*GREEN)
        pdf.set_font("Noto", "B", 14)
        _centred_line(pdf, item.context or _("Bình dân học vụ số — tỉnh Tuyên Quang"),
                      x=15, y=14, w=180, size=14, minimum=9)  # fmt: skip
        pdf.set_text_color(*INK)
        pdf.set_font("Noto", "B")
        _text_block(pdf, item.title, x=15, y=24, w=180, size=30, lines=3)
        # 100 mm: 3.4 mm modules, read from 2–3 m; 4 modules of white under the title.
        draw_qr(pdf, item.link, x=55, y=80, size=100)
        pdf.set_font("Noto", "B")
        _centred_line(pdf, item.shown_link, x=15, y=196, w=180, size=22, minimum=12)
        pdf.set_text_color(*MUTED)
        pdf.set_font("Noto", "")
        _centred_line(pdf, _("Không quét được? Gõ địa chỉ trên vào trình duyệt."),
                      x=15, y=208, w=180, size=13, minimum=9)  # fmt: skip
        pdf.set_text_color(*INK)
        y = 224
        for number, step in enumerate(_steps(item), start=1):
            pdf.set_fill_color(*GREEN)
            pdf.ellipse(20, y, 11, 11, style="F")
            pdf.set_text_color(255, 255, 255)
            pdf.set_font("Noto", "B", 16)
            pdf.set_xy(20, y + 0.5)
            pdf.cell(11, 10, str(number), align="C")
            pdf.set_text_color(*INK)
            pdf.set_font("Noto", "", 15)
            pdf.set_xy(36, y)
            pdf.multi_cell(160, 6.5, step, align="L")
            y += 18
    return bytes(pdf.output())


# --- (b) Cards: 8 or 12 per A4 page, cut along the dashed lines ------------------------------

CARD_GRIDS = {8: (2, 4), 12: (3, 4)}


def cards_pdf(items: list[Printable], *, per_page: int = 8) -> bytes:
    """Sheets of cut-out cards, each with a title, its code and the short link."""
    columns, rows = CARD_GRIDS[per_page]
    card_w, card_h = PAGE_W / columns, PAGE_H / rows
    qr_size = 38 if per_page == 8 else 36
    title_size = 12 if per_page == 8 else 10
    pdf = _document(_("Thẻ mã QR Học Số"))
    for start in range(0, len(items), per_page):
        pdf.add_page()
        _cut_lines(pdf, columns, rows)
        for index, item in enumerate(items[start : start + per_page]):
            column, row = index % columns, index // columns
            x, y = column * card_w, row * card_h
            pdf.set_text_color(*INK)
            pdf.set_font("Noto", "B")
            _text_block(pdf, item.title, x=x + 4, y=y + 3, w=card_w - 8, size=title_size, lines=2)
            if item.context:
                pdf.set_text_color(*MUTED)
                pdf.set_font("Noto", "")
                _centred_line(pdf, item.context, x=x + 4, y=y + 3 + title_size * 0.9,
                              w=card_w - 8, size=title_size * 0.75, minimum=6)  # fmt: skip
            qr_y = y + card_h - qr_size - 13
            draw_qr(pdf, item.link, x=x + (card_w - qr_size) / 2, y=qr_y, size=qr_size)
            pdf.set_text_color(*INK)
            pdf.set_font("Noto", "B")
            _centred_line(pdf, item.shown_link, x=x + 3, y=y + card_h - 7.5, w=card_w - 6,
                          size=10, minimum=6)  # fmt: skip
    return bytes(pdf.output())


def _cut_lines(pdf: FPDF, columns: int, rows: int) -> None:
    pdf.set_draw_color(170, 170, 170)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    for column in range(1, columns):
        x = column * PAGE_W / columns
        pdf.line(x, 0, x, PAGE_H)
    for row in range(1, rows):
        y = row * PAGE_H / rows
        pdf.line(0, y, PAGE_W, y)
    pdf.set_dash_pattern()


# --- (c) Table tents: A4 folded across the middle, the same face on both sides ---------------


def tents_pdf(items: list[Printable]) -> bytes:
    """One folded A4 per item (a booth): the face on the lower half, and again upside down
    on the upper half, so it reads upright from both sides of the table."""
    pdf = _document(_("Biển để bàn mã QR Học Số"))
    half = PAGE_H / 2
    for item in items:
        pdf.add_page()
        _tent_face(pdf, item, top=half)
        with pdf.rotation(180, x=PAGE_W / 2, y=half / 2):
            _tent_face(pdf, item, top=0)
        pdf.set_draw_color(150, 150, 150)
        pdf.set_line_width(0.3)
        pdf.set_dash_pattern(dash=3, gap=2)
        pdf.line(0, half, PAGE_W, half)
        pdf.set_dash_pattern()
        pdf.set_text_color(*MUTED)
        pdf.set_font("Noto", "", 7)
        pdf.set_xy(4, half + 1)
        pdf.cell(120, 3, _("Gấp đôi theo đường nét đứt rồi dựng trên bàn."))
    return bytes(pdf.output())


def _tent_face(pdf: FPDF, item: Printable, *, top: float) -> None:
    pdf.set_text_color(*GREEN)
    pdf.set_font("Noto", "B")
    _centred_line(pdf, item.context or _("Ngày hội Bình dân học vụ số"),
                  x=12, y=top + 10, w=186, size=13, minimum=8)  # fmt: skip
    pdf.set_text_color(*INK)
    pdf.set_font("Noto", "B")
    _text_block(pdf, item.title, x=12, y=top + 19, w=186, size=26, lines=2)
    qr_size = 66  # 2.3 mm modules: read from across the table
    draw_qr(pdf, item.link, x=22, y=top + 52, size=qr_size)
    pdf.set_font("Noto", "B")
    _centred_line(pdf, item.shown_link, x=8, y=top + 52 + qr_size + 10, w=98, size=11, minimum=6)
    y = top + 56
    for number, step in enumerate(_steps(item), start=1):
        pdf.set_font("Noto", "B", 13)
        pdf.set_text_color(*GREEN)
        pdf.set_xy(108, y)
        pdf.cell(8, 6.5, f"{number}.")
        pdf.set_font("Noto", "", 13)
        pdf.set_text_color(*INK)
        pdf.set_xy(116, y)
        pdf.multi_cell(84, 6, step, align="L")
        y = pdf.get_y() + 5


LAYOUTS = {
    "poster": poster_pdf,
    "cards8": lambda items: cards_pdf(items, per_page=8),
    "cards12": lambda items: cards_pdf(items, per_page=12),
    "tents": tents_pdf,
}


def printable_pdf(layout: str, items: list[Printable]) -> bytes:
    """`items` in one of LAYOUTS ("poster", "cards8", "cards12", "tents")."""
    return LAYOUTS[layout](items)


def with_svg(items: list[Printable], *, size_mm: int) -> list[dict]:
    """The items with their code as inline SVG, for the HTML print views."""
    return [
        {"item": item, "svg": qr_svg(item.link, size_mm=size_mm, label=_("Mã QR: %s") % item.title)}
        for item in items
    ]
