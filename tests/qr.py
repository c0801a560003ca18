"""Read the QR codes printed on a PDF, as a phone camera would."""

import pypdfium2
import zxingcpp


def qr_in_pdf(content: bytes) -> list[str]:
    """Every QR code's text, page by page."""
    document = pypdfium2.PdfDocument(content)
    try:
        images = [page.render(scale=3).to_pil() for page in document]
    finally:
        document.close()
    return [barcode.text for image in images for barcode in zxingcpp.read_barcodes(image)]
