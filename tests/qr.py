"""Read the QR code printed on a PDF page, as a phone camera would."""

import pypdfium2
import zxingcpp


def qr_in_pdf(content: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(content)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]
