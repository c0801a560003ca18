"""Read the QR codes printed on a PDF, as a phone camera would."""

import pypdfium2
import zxingcpp


def qr_in_pdf(content: bytes) -> list[str]:
    """Every QR code's text, page by page, in reading order (top to bottom, then left to
    right): zxing's own order depends on how each symbol happens to be found."""
    document = pypdfium2.PdfDocument(content)
    try:
        images = [page.render(scale=3).to_pil() for page in document]
    finally:
        document.close()
    return [barcode.text for image in images for barcode in _reading_order(image)]


def _reading_order(image) -> list:
    """Rows by their top edge (codes in one row of cards sit within a few pixels), then
    left to right within the row."""
    barcodes = sorted(zxingcpp.read_barcodes(image), key=lambda b: b.position.top_left.y)
    rows: list[list] = []
    for barcode in barcodes:
        if rows and barcode.position.top_left.y - rows[-1][0].position.top_left.y < 20:
            rows[-1].append(barcode)
        else:
            rows.append([barcode])
    return [b for row in rows for b in sorted(row, key=lambda b: b.position.top_left.x)]
