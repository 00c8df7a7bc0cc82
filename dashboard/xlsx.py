"""Excel (.xlsx) files built with openpyxl's documented write-only mode, then streamed in chunks.

``Workbook(write_only=True)`` writes each appended row straight to a temporary file of
openpyxl's own, so the rows are never all in memory; ``Workbook.save`` then zips the sheet
into a spooled temporary file (in memory while small, on disk past ``SPOOL_BYTES``), and the
response reads that file back in ``CHUNK_BYTES`` pieces. Memory stays bounded whatever the
number of rows; the download starts once the sheet is complete.

Cells are written so that nothing in the data can become a formula (CSV/formula
injection): a text starting with = + - @ (or a tab or carriage return) is
stored as a plain string with Excel's quote prefix, the same thing Excel
does when someone types a leading apostrophe.

Characters XML 1.0 cannot hold (control characters, U+FFFE and U+FFFF, lone
surrogates) are left out of every cell: typed or pasted into a title or a
unit's name they are invisible on the pages, but openpyxl or lxml would refuse
them while writing, leaving a broken download.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from responses.letters import xml_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_BYTES = 64 * 1024
SPOOL_BYTES = 1024 * 1024


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
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F3F4F6")
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=xml_text(str(text)))
        cell.font, cell.fill, cell.alignment = bold, fill, Alignment(vertical="center")
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])

    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as archive:
        workbook.save(archive)
        archive.seek(0)
        while chunk := archive.read(CHUNK_BYTES):
            yield chunk


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
