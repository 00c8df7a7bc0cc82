"""Excel (.xlsx) files streamed while the rows are read, with openpyxl's write-only mode.

openpyxl's write-only worksheet normally goes to a temporary file that is
copied into the zip archive at the end. Here the worksheet's XML is written
straight into the archive's entry, and the archive into a sink whose bytes are
handed to the response as they come: the first bytes leave after the first
rows, memory stays flat, and a million rows never sit on disk or in memory.
zipfile writes entries with data descriptors when its output cannot seek,
which every spreadsheet program reads.

Cells are written so that nothing in the data can become a formula (CSV/formula
injection): a text starting with = + - @ (or a tab or carriage return) is
stored as a plain string with Excel's quote prefix, the same thing Excel
does when someone types a leading apostrophe.

Characters XML 1.0 cannot hold (control characters, U+FFFE and U+FFFF, lone
surrogates) are left out of every cell: typed or pasted into a title or a
unit's name they are invisible on the pages, but openpyxl or lxml would refuse
them halfway through the stream, leaving a cut-off download.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

from responses.letters import xml_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FLUSH_BYTES = 64 * 1024


class _Sink:
    """A write-only, non-seekable file for zipfile: collects bytes until they are drained."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._size = 0
        self._position = 0

    def write(self, data) -> int:
        data = bytes(data)
        self._chunks.append(data)
        self._size += len(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    @property
    def pending(self) -> int:
        return self._size

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks, self._size = [], 0
        return data


class _StreamedExcelWriter(ExcelWriter):
    """openpyxl's writer, except that the worksheet is already in the archive."""

    def write_worksheet(self, ws) -> None:
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        ws._rels = ws._writer._rels
        self.manifest.append(ws)


def safe_value(value):
    """A cell value that Excel will show as data, never run as a formula."""
    if isinstance(value, str):
        # Dropped before the formula check, so "\x01=..." is caught as a formula too (responses.letters.xml_text:
        # openpyxl's own ILLEGAL_CHARACTERS_RE misses U+FFFE, U+FFFF and surrogates).
        value = xml_text(value)
        if value.startswith(FORMULA_STARTS):
            return ("text", value)
    elif isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # Excel has no time zones; callers pass local times
    return value


def stream_xlsx(
    title: str, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int] = ()
) -> Iterator[bytes]:
    """The bytes of an .xlsx file with one sheet: a bold header row, then ``rows``."""
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet._id = 1
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    entry = archive.open(sheet.path[1:], "w")
    sheet._writer = WorksheetWriter(sheet, out=entry)
    sheet._writer.write_top()

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F3F4F6")
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=xml_text(str(text)))
        cell.font, cell.fill, cell.alignment = bold, fill, Alignment(vertical="center")
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
        if sink.pending >= FLUSH_BYTES:
            yield sink.drain()
    sheet.close()
    entry.close()
    _StreamedExcelWriter(workbook, archive).write_data()
    archive.close()
    yield sink.drain()


def _cell(sheet, value):
    value = safe_value(value)
    if isinstance(value, tuple):
        cell = WriteOnlyCell(sheet, value=value[1])
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value
