"""An uploaded sheet's XML read as it streams out of the zip, for what python-calamine does
not say: how many rows the sheet has and how far its cells reach (calamine holds a sheet
as one grid, so a single cell in column XFD would cost gigabytes), and which cells hold a
formula or an error (calamine gives a formula's last value, an error as an empty cell).

Most sheets (Excel, LibreOffice, Google Sheets, openpyxl) are "plain": every row and cell
says where it is (`<row r="7">`, `<c r="B7">`). One pass of byte counts and regular
expressions reads those. A sheet that is not plain, or holds a formula or an error, is
read once more by expat, element by element, numbering rows and cells as openpyxl and
calamine both do (a row or cell without `r` follows the one before it).

Either way expat checks every byte: what a strict XML parser refuses (a character XML
forbids, a broken tag, an entity declaration) is refused here, as openpyxl refused it.
"""

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

from defusedxml import ElementTree
from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import column_index_from_string, get_column_letter

CHUNK = 1 << 20
RELATIONSHIP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# A <row> start tag, with any namespace prefix; not <rowBreaks> or <rows>.
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?row[\s/>]")
# A prefixed row, cell, formula or value, which only the exact pass reads. (Each pattern
# here starts with literal bytes, which re finds about ten times faster than a pattern
# that starts with a choice: this pass costs a few tens of milliseconds a megabyte.)
PREFIXED = re.compile(rb":(?:c|row|f|v)[\s/>]")
UNPREFIXED_ROW_TAG = re.compile(rb"<row[\s/>]")
CELL_TAG = re.compile(rb"<c[\s/>]")
# A plain sheet's row and cell references, as Excel writes them.
ROW_REF = re.compile(rb'<row r="(\d{1,7})"')
CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}(\d{1,7})"')
WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})\d')  # past column Z: rare, so looked at apart
# Seen anywhere, the sheet may hold a formula (<f>) or an error (t="e"): the exact pass
# says where. Text that merely looks like one costs that pass, nothing else.
FORMULA_TAG = re.compile(rb"<f[\s/>]")
ERROR_TYPE = re.compile(rb"t=[\"']e[\"']")


class DamagedXml(ValueError):
    """Sheet XML that a strict parser refuses, or a sheet the workbook does not lead to."""


class Formula(str):
    """A cell that holds a formula: its text, "=…", as openpyxl reads it with formulas kept."""


@dataclass
class SheetScan:
    rows: int = 0  # <row> elements, however written
    last_row: int = 0  # the number of the last row a <row> or a cell reaches
    width: int = 0  # the number of the last column a cell reaches
    plain: bool = True  # every row and cell says where it is, as Excel writes them
    marked: bool = False  # a formula or an error may be in it
    exact: bool = False  # read by the exact pass: marks hold every formula and error
    complete: bool = True  # False: only rows counted, past a caller's cap
    # (row, column) → Formula("=…") or an error's text ("#N/A"); from the exact pass only.
    marks: dict[tuple[int, int], str] = field(default_factory=dict)


def sheet_paths(archive: zipfile.ZipFile) -> dict[str, tuple[str | None, bool]]:
    """Each sheet's name → (its XML's path in the archive, None if it leads nowhere; whether
    it is a worksheet rather than a chart sheet), in the workbook's order."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, ValueError) as error:
        raise DamagedXml("workbook") from error
    targets = {e.get("Id"): (e.get("Target"), e.get("Type", "")) for e in relations.iter()}
    names = set(archive.namelist())
    paths = {}
    for sheet in workbook.iter():
        if sheet.tag.rsplit("}", 1)[-1] != "sheet" or sheet.get("name") is None:
            continue
        target, kind = targets.get(sheet.get(f"{{{RELATIONSHIP_NS}}}id"), (None, ""))
        path = None
        if target:
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            path = posixpath.normpath(path)
        paths[sheet.get("name")] = (path if path in names else None, kind.endswith("/worksheet"))
    return paths


def scan_rows(archive: zipfile.ZipFile, path: str, *, count_past: int | None = None) -> SheetScan:
    """The fast pass: rows counted as <row> tags while the XML streams by (a million rows in
    about a second, in a megabyte of memory), and, for a plain sheet, where its rows and
    cells reach. A sheet's <dimension> is not trusted: a hostile file can declare two rows
    and hold a million. Past `count_past` rows only the count goes on (`complete` False):
    the caller refuses the sheet with it."""
    scan = SheetScan()
    parser = _strict_parser()
    carry = b""
    with archive.open(path) as sheet:
        while chunk := sheet.read(CHUNK):
            if scan.complete and count_past is not None and scan.rows > count_past:
                scan.complete = False
                scan.rows += len(ROW_TAG.findall(carry))  # what the last cut held back
                carry = carry[-32:]
            if not scan.complete:
                # A tag in the last 32 bytes was counted with them: once, not twice.
                scan.rows += len(ROW_TAG.findall(carry + chunk)) - len(ROW_TAG.findall(carry))
                carry = chunk[-32:]
                continue
            _feed(parser, chunk, final=False)
            # Everything before the buffer's last "<" is whole tags: nothing looked for
            # here straddles the cut, and the rest is looked at with the next chunk.
            buffer = carry + chunk
            cut = buffer.rfind(b"<")
            if cut < 0:
                cut = len(buffer)
            _count(scan, buffer[:cut])
            carry = buffer[cut:]
    if scan.complete:
        _feed(parser, b"", final=True)
        _count(scan, carry)
    return scan


def _count(scan: SheetScan, part: bytes) -> None:
    prefixed = PREFIXED.search(part) is not None
    rows = len((ROW_TAG if prefixed else UNPREFIXED_ROW_TAG).findall(part))
    scan.rows += rows
    scan.marked = scan.marked or bool(FORMULA_TAG.search(part) or ERROR_TYPE.search(part))
    if not scan.plain:
        return
    row_refs = ROW_REF.findall(part)
    cell_rows = CELL_ROW.findall(part)
    scan.plain = (
        not prefixed and rows == len(row_refs) and len(CELL_TAG.findall(part)) == len(cell_rows)
    )
    if not scan.plain:
        return
    numbers = set(row_refs)
    numbers.update(cell_rows)  # a few thousand distinct numbers, not one per cell
    scan.last_row = max(scan.last_row, max(map(int, numbers), default=0))
    wide = [column_index_from_string(c.decode()) for c in set(WIDE_CELL.findall(part))]
    scan.width = max(scan.width, *wide, 26 if cell_rows else 0)


def scan_cells(archive: zipfile.ZipFile, path: str, *, formulas: bool) -> SheetScan:
    """The exact pass: every row and cell numbered, with the formulas (when `formulas`) and
    errors marked where they are."""
    cells = _Cells(formulas=formulas)
    parser = _strict_parser()
    cells.parser = parser
    parser.StartElementHandler = cells.start
    parser.EndElementHandler = cells.end
    with archive.open(path) as sheet:
        while chunk := sheet.read(CHUNK):
            _feed(parser, chunk, final=False)
        _feed(parser, b"", final=True)
    return cells.scan


class _Cells:
    """expat's handlers for the exact pass."""

    def __init__(self, *, formulas: bool):
        self.scan = SheetScan(plain=False, exact=True)
        self.formulas = formulas
        self.parser = None
        self.row = self.column = 0
        self.cell = (0, 0)
        self.error = False
        self.collecting = None  # "f" or "v" while their text is read
        self.text: list[str] = []
        self.formula_attrs: dict = {}
        self.shared: dict[str, Translator] = {}
        self.locals: dict[str, str] = {}

    def start(self, name, attrs):
        local = self.locals.get(name) or self.locals.setdefault(name, name.rpartition(":")[2])
        if local == "row":
            number = attrs.get("r")
            self.row = int(number) if number else self.row + 1
            self.column = 0
            self.scan.rows += 1
            self.scan.last_row = max(self.scan.last_row, self.row)
        elif local == "c":
            self._cell(attrs)
        elif local == "f" and self.formulas or local == "v" and self.error:
            self.collecting, self.text, self.formula_attrs = local, [], attrs
            self.parser.CharacterDataHandler = self.text.append

    def _cell(self, attrs):
        reference = attrs.get("r")
        row = self.row
        if reference:
            letters = reference.rstrip("0123456789")
            self.column = column_index_from_string(letters)
            row = int(reference[len(letters) :])
        else:
            self.column += 1
        self.cell = (row, self.column)
        self.error = attrs.get("t") == "e"
        self.scan.last_row = max(self.scan.last_row, row)
        self.scan.width = max(self.scan.width, self.column)

    def end(self, name):
        local = self.locals[name]
        if local != self.collecting:
            return
        self.parser.CharacterDataHandler = None
        self.collecting = None
        text = "".join(self.text)
        if local == "v":
            self.scan.marks.setdefault(self.cell, text)  # a formula, marked first, wins
        else:
            self.scan.marks[self.cell] = Formula(self._formula(text))

    def _formula(self, text: str) -> str:
        # As openpyxl reads it: a shared formula's other cells hold only its id, and read
        # as the first one's text moved to where they are.
        value = "=" + text
        if self.formula_attrs.get("t") != "shared":
            return value
        where = f"{get_column_letter(self.cell[1])}{self.cell[0]}"
        index = self.formula_attrs.get("si")
        if index in self.shared:
            return self.shared[index].translate_formula(where)
        if value != "=":
            self.shared[index] = Translator(value, where)
        return value


def _strict_parser():
    parser = expat.ParserCreate()

    def refuse(*args):
        raise DamagedXml("entity")

    # As defusedxml: no entity may be declared, so none can expand.
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def _feed(parser, data: bytes, *, final: bool) -> None:
    try:
        parser.Parse(data, final)
    except (expat.ExpatError, ValueError) as error:  # ValueError: a reference like "1A"
        raise DamagedXml(str(error)) from error
