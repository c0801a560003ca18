"""QR codes for paper: the module matrix, inline SVG, and vector drawing on an fpdf2 page.

Pure functions, text in, matrix or markup out; every printable (certificates, account slips,
festival posters and cards) draws its codes here.

Error correction is level Q (about 25 % of the symbol can be lost): a code on paper gets
folded, taped over at a corner, rained on and photographed under glare in a commune hall.
For the festival's short links (`HTTPS://HOST/Q/AB12C`, alphanumeric mode) Q costs nothing:
a ~40-character link needs version 3 (29 × 29 modules) at M and at Q alike.

Speed: a sheet of 1,000 cards must build in a few seconds. The `qrcode` library spends most
of its time trying the eight masks (placing every bit eight times, then scoring each grid in
pure Python) and in its polynomial Reed-Solomon. Here the data bits are placed once into a
symbol packed as one integer, each mask is one XOR with a template cached per version, the
penalty is a dozen big-integer operations, and Reed-Solomon is table-driven. The symbol is
the one `qrcode` builds with the same mask (its internals draw the function patterns);
tests/learning/test_printables.py holds the two side by side. Drawing merges runs of dark
modules into rectangles, so a code is ~170 rectangles, not ~410 squares.
"""

import re
from functools import lru_cache

import qrcode
from django.utils.html import escape
from qrcode import base, util

LEVEL = qrcode.constants.ERROR_CORRECT_Q
_FINDER_LIKE = ("10111010000", "00001011101")
_DARK_RUN = re.compile("1+")


@lru_cache(maxsize=16)
def _layout(version: int, level: int):
    """For one version and level: the size, and the symbol packed into one integer (below)
    with every data bit zero under each of the 8 masks, and the weight of each data bit in
    placement order."""
    codewords = len(util.create_data(version, level, []))
    grids = {}
    for mask in range(8):
        for fill in (0, 255):
            code = qrcode.QRCode(version=version, error_correction=level, border=0)
            code.data_cache = [fill] * codewords
            code.makeImpl(False, mask)
            grids[mask, fill] = code.modules
    n = len(grids[0, 0])
    # A data module is one whose colour follows the data; remainder bits never do.
    data = {(r, c) for r in range(n) for c in range(n) if grids[0, 0][r][c] != grids[0, 255][r][c]}
    order = [position for position in _placement_order(n) if position in data]
    assert len(order) == codewords * 8
    templates = tuple(
        sum(_bit(n, r, c) for r in range(n) for c in range(n) if grids[mask, 0][r][c])
        for mask in range(8)
    )
    return n, templates, tuple(_bit(n, r, c) for r, c in order)


def _bit(n: int, r: int, c: int) -> int:
    """A module in the packed form: every row, then every column, each n bits followed by
    one separator bit that is neither dark nor light, so one integer operation scores all
    rows and columns at once."""
    stride = n + 1
    return 1 << (r * stride + c) | 1 << (n * stride + c * stride + r)


def _placement_order(n: int):
    """Every module in the QR placement zig-zag: two-column strips from the right, up and
    down in turn, skipping the vertical timing pattern."""
    upward = True
    column = n - 1
    while column > 0:
        if column == 6:
            column -= 1
        for row in range(n - 1, -1, -1) if upward else range(n):
            yield row, column
            yield row, column - 1
        upward = not upward
        column -= 2


@lru_cache(maxsize=16)
def _masks(n: int) -> tuple[int, int]:
    """Every module bit (rows and columns), and the row bits only."""
    stride = n + 1
    line = (1 << n) - 1
    rows = sum(line << r * stride for r in range(n))
    return rows | rows << n * stride, rows


def _penalty(symbol: int, n: int) -> int:
    """The standard mask penalty (runs of 5+, 2×2 blocks, finder look-alikes, dark balance)
    of a packed symbol."""
    every, rows = _masks(n)
    light = ~symbol & every
    score = 0
    for same in (symbol, light):
        five = same & same >> 1 & same >> 2 & same >> 3 & same >> 4
        score += five.bit_count() + 2 * (five & ~(five << 1)).bit_count()  # a run of L: L - 2
        pairs = same & rows & (same & rows) >> (n + 1)
        score += 3 * (pairs & pairs >> 1).bit_count()
    for pattern in _FINDER_LIKE:
        found = every
        for offset, dark in enumerate(pattern):
            found &= (symbol if dark == "1" else light) >> offset
        score += 40 * found.bit_count()
    dark = (symbol & rows).bit_count()
    return score + 10 * (abs(dark * 100 // (n * n) - 50) // 5)


class _Bits:
    """The bit stream as text: what QRData.write needs (`put`), without a call per bit."""

    def __init__(self):
        self.parts: list[str] = []

    def put(self, number: int, length: int) -> None:
        self.parts.append(format(number, f"0{length}b"))


_EXP = [1] * 512
for _i in range(1, 255):
    _EXP[_i] = _EXP[_i - 1] << 1 ^ (0x11D if _EXP[_i - 1] & 0x80 else 0)
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]
_LOG = [0] * 256
for _i in range(255):
    _LOG[_EXP[_i]] = _i


@lru_cache(maxsize=32)
def _generator(degree: int) -> tuple[int, ...]:
    """The Reed-Solomon generator polynomial's coefficients after the leading 1, as logs."""
    poly = [1]
    for i in range(degree):
        poly = [
            (poly[j] if j < len(poly) else 0) ^ (_EXP[_LOG[poly[j - 1]] + i] if j else 0)
            for j in range(len(poly) + 1)
        ]
    return tuple(_LOG[c] for c in poly[1:])


def _error_correction(data: list[int], degree: int) -> list[int]:
    generator = _generator(degree)
    remainder = [*data, *([0] * degree)]
    for i in range(len(data)):
        if remainder[i]:
            log = _LOG[remainder[i]]
            for j, g in enumerate(generator, start=i + 1):
                remainder[j] ^= _EXP[log + g]
    return remainder[len(data) :]


def _codewords(version: int, level: int, chunks) -> str:
    """The final bit stream (data and error correction, interleaved), as qrcode's
    util.create_data builds it, with a table-driven Reed-Solomon."""
    bits = _Bits()
    for chunk in chunks:
        bits.put(chunk.mode, 4)
        bits.put(len(chunk), util.length_in_bits(chunk.mode, version))
        chunk.write(bits)
    blocks = base.rs_blocks(version, level)
    limit = sum(block.data_count * 8 for block in blocks)
    stream = "".join(bits.parts)
    stream += "0" * min(limit - len(stream), 4)  # terminator
    stream += "0" * (-len(stream) % 8)
    padding = f"{util.PAD0:08b}{util.PAD1:08b}"
    stream += padding * ((limit - len(stream)) // 16 + 1)
    stream = stream[:limit]
    data = [int(stream[i : i + 8], 2) for i in range(0, limit, 8)]
    data_blocks, ec_blocks, offset = [], [], 0
    for block in blocks:
        data_blocks.append(data[offset : offset + block.data_count])
        offset += block.data_count
        ec_blocks.append(_error_correction(data_blocks[-1], block.total_count - block.data_count))
    interleaved = [
        block[i]
        for group in (data_blocks, ec_blocks)
        for i in range(max(map(len, group)))
        for block in group
        if i < len(block)
    ]
    return "".join(format(byte, "08b") for byte in interleaved)


@lru_cache(maxsize=1024)
def _rows(text: str) -> tuple[int, tuple[int, ...]]:
    code = qrcode.QRCode(error_correction=LEVEL, border=0)
    code.add_data(text)
    version = code.best_fit()
    n, templates, weights = _layout(version, LEVEL)
    data = 0
    for index, bit in enumerate(_codewords(version, LEVEL, code.data_list)):
        if bit == "1":
            data |= weights[index]
    symbol = min((template ^ data for template in templates), key=lambda s: _penalty(s, n))
    line, stride = (1 << n) - 1, n + 1
    return n, tuple(symbol >> r * stride & line for r in range(n))


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR modules of `text` (level Q, no quiet zone), row by row, True for dark."""
    n, rows = _rows(text)
    return [[bool(row >> c & 1) for c in range(n)] for row in rows]


def rectangles(text: str) -> tuple[int, list[tuple[int, int, int, int]]]:
    """The symbol's size in modules, and its dark modules as (x, y, width, height)
    rectangles: runs along each row, stacked while the same run repeats on the next row."""
    n, rows = _rows(text)
    done: list[tuple[int, int, int, int]] = []
    open_runs: dict[tuple[int, int], int] = {}  # (x, width) → first row
    for y, row in enumerate(rows):
        bits = format(row, f"0{n}b")[::-1]  # column 0 first
        runs = {(m.start(), m.end() - m.start()) for m in _DARK_RUN.finditer(bits)}
        for run in [run for run in open_runs if run not in runs]:
            top = open_runs.pop(run)
            done.append((run[0], top, run[1], y - top))
        for run in runs:
            open_runs.setdefault(run, y)
    done.extend((x, top, width, n - top) for (x, width), top in open_runs.items())
    return n, done


def qr_svg(text: str, *, size_mm: int = 40, label: str = "QR") -> str:
    """The QR code as inline SVG (with its quiet zone) for a printable page."""
    n, boxes = rectangles(text)
    path = "".join(f"M{x},{y}h{w}v{h}h-{w}z" for x, y, w, h in boxes)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 {n + 8} {n + 8}" '
        f'width="{size_mm}mm" height="{size_mm}mm" shape-rendering="crispEdges" role="img" '
        f'aria-label="{escape(label)}">'
        f'<rect x="-4" y="-4" width="{n + 8}" height="{n + 8}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )


def draw_qr(pdf, text: str, *, x: float, y: float, size: float) -> None:
    """A vector QR code, `size` mm square without its quiet zone, at (x, y) on the current
    page of an fpdf2 document (the caller leaves 4 modules of white around it)."""
    n, boxes = rectangles(text)
    module = size / n
    pdf.set_fill_color(0, 0, 0)
    # fpdf2's public call, one per rectangle (~150 a code): measured about +0.4 s per
    # 1,000 cards against one hand-written path through the private FPDF._out, well
    # inside the 5 s target, and safe across fpdf2 upgrades.
    for left, top, w, h in boxes:
        pdf.rect(x + left * module, y + top * module, w * module, h * module, style="F")
