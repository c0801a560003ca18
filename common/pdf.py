"""What every printable PDF shares: Noto Sans (Vietnamese glyphs; SIL Open Font License,
fonts/OFL.txt), registered as "Noto" regular and bold."""

from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"


def with_fonts(pdf: FPDF) -> FPDF:
    pdf.add_font("Noto", "", str(FONTS / "NotoSans-Regular.ttf"))
    pdf.add_font("Noto", "B", str(FONTS / "NotoSans-Bold.ttf"))
    return pdf
