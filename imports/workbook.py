"""The import workbook: its sheets and columns, the template to download, and reading rows from a file.

Column headers are the workbook's format (the Chinese names in the template); a header may also be
given as the column's key (``number``, ``session`` …). Explanations are translated text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    explanation: object  # a lazy translation


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str
    columns: tuple[Column, ...]


def _key_columns(unit: bool = False) -> tuple[Column, ...]:
    columns = (
        Column("number", "提案号", True, gettext_lazy("The proposal's number, unique in its session (e.g. 2023160)")),
        Column("session", "届次", True, gettext_lazy("The session's name as in the system (e.g. 六届三次会议)")),
    )
    if unit:
        columns += (Column("unit", "承办单位", True, gettext_lazy("The unit's full or short name as in the system")),)
    return columns


DATE_HELP = gettext_lazy("A date, YYYY-MM-DD")

SHEETS = (
    Sheet(
        "proposals",
        "提案",
        (
            *_key_columns(),
            Column("title", "案由", True, gettext_lazy("The title (关于……的建议), at most 200 characters")),
            Column("lead", "第一提案人", True, gettext_lazy("The lead proposer's member number or user name")),
            Column(
                "cosigners",
                "联名人",
                False,
                gettext_lazy("Co-signers' member numbers or user names, separated by commas or 、"),
            ),
            Column("category", "类别", False, gettext_lazy("A proposal category as in the system")),
            Column("background", "情况分析", False, gettext_lazy("The situation analysis")),
            Column("suggestions", "具体建议", True, gettext_lazy("The concrete suggestions")),
            Column("submitted", "提交日期", True, DATE_HELP),
            Column("accepted", "立案日期", False, gettext_lazy("A date, YYYY-MM-DD; the submission date when empty")),
        ),
    ),
    Sheet(
        "assignments",
        "交办",
        (
            *_key_columns(unit=True),
            Column("role", "办理类型", True, gettext_lazy("主办, 会办 or 分办")),
            Column("assigned", "交办日期", True, DATE_HELP),
            Column(
                "due",
                "答复期限",
                False,
                gettext_lazy("A date, YYYY-MM-DD; computed from the session's rules when empty"),
            ),
        ),
    ),
    Sheet(
        "replies",
        "答复",
        (
            *_key_columns(unit=True),
            Column("category", "答复类别", True, gettext_lazy("The reply category's code (A, B, C or D)")),
            Column("letter_number", "发文字号", False, gettext_lazy("e.g. 福工信函〔2023〕160号")),
            Column("sent", "发送日期", True, DATE_HELP),
            Column(
                "body",
                "答复正文",
                False,
                gettext_lazy("The letter's text; may be left empty when 答复函文件 names a .docx"),
            ),
            Column(
                "letter_file",
                "答复函文件",
                False,
                gettext_lazy("The name of the letter's .docx file, given to the import with the workbook"),
            ),
            Column("contact_person", "联系人", False, gettext_lazy("The unit's contact person")),
            Column("contact_phone", "联系电话", False, gettext_lazy("The contact person's phone")),
        ),
    ),
    Sheet(
        "feedback",
        "测评",
        (
            *_key_columns(unit=True),
            Column("member", "委员", True, gettext_lazy("The rating proposer's member number or user name")),
            Column("attitude", "办理态度", True, gettext_lazy("满意, 基本满意 or 不满意")),
            Column("result", "办理结果", True, gettext_lazy("满意, 基本满意 or 不满意")),
            Column("comment", "意见", False, gettext_lazy("Required when either rating is 不满意")),
            Column("given", "测评日期", False, gettext_lazy("A date, YYYY-MM-DD; the reply's date when empty")),
        ),
    ),
)
SHEETS_BY_KEY = {sheet.key: sheet for sheet in SHEETS}


def template() -> bytes:
    """The empty workbook: one sheet per kind of row with its headers (required ones bold, each with its
    explanation as a comment) and a 说明 sheet explaining every column."""
    book = Workbook()
    guide = book.active
    guide.title = "说明"
    guide.append([_("Sheet"), _("Column"), _("Required"), _("Explanation")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for sheet in SHEETS:
        rows = book.create_sheet(sheet.title)
        rows.append([column.header for column in sheet.columns])
        for cell, column in zip(rows[1], sheet.columns, strict=True):
            cell.font = Font(bold=column.required)
            cell.comment = Comment(str(column.explanation), "提案办理系统")
            guide.append(
                [sheet.title, column.header, _("yes") if column.required else _("no"), str(column.explanation)]
            )
    guide.column_dimensions["D"].width = 70
    out = BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class Row:
    sheet: Sheet
    number: int  # the row's number in the sheet, as Excel shows it
    values: dict[str, object]


class WorkbookError(Exception):
    """The file is no workbook this import can read."""


def read(content: bytes) -> tuple[dict[str, list[Row]], list[tuple[str, str]]]:
    """The rows of each known sheet (blank rows left out), and ``(sheet, message)`` for missing sheets
    or columns. Raises ``WorkbookError`` when the file is no .xlsx workbook."""
    try:
        book = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookError(_("The file is not an Excel workbook (.xlsx).")) from exc
    rows: dict[str, list[Row]] = {sheet.key: [] for sheet in SHEETS}
    problems: list[tuple[str, str]] = []
    try:
        for sheet in SHEETS:
            if sheet.title not in book.sheetnames:
                if sheet.key == "proposals":
                    problems.append(
                        (sheet.title, _("The workbook has no sheet named “%(name)s”.") % {"name": sheet.title})
                    )
                continue
            rows[sheet.key], missing = _sheet_rows(book[sheet.title], sheet)
            for header in missing:
                problems.append((sheet.title, _("The sheet has no column “%(name)s”.") % {"name": header}))
    finally:
        book.close()
    return rows, problems


def _sheet_rows(worksheet, sheet: Sheet) -> tuple[list[Row], list[str]]:
    lines = worksheet.iter_rows(values_only=True)
    headers = next(lines, ()) or ()
    names = {}
    for column in sheet.columns:
        names[column.header] = column.key
        names[column.key] = column.key
    positions = {names[str(h).strip()]: i for i, h in enumerate(headers) if h is not None and str(h).strip() in names}
    missing = [column.header for column in sheet.columns if column.required and column.key not in positions]
    if missing:
        return [], missing
    result = []
    for number, line in enumerate(lines, start=2):
        values = {key: line[i] if i < len(line) else None for key, i in positions.items()}
        if all(_blank(value) for value in values.values()):
            continue
        result.append(Row(sheet, number, values))
    return result, []


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value) -> str:
    """A cell as text: numbers without a trailing .0 (a proposal number typed as a number), stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


def day(value) -> dt.date | None:
    """A cell as a date (a date cell, or text as 2023-03-01, 2023/3/1 or 2023.3.1); None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value).replace("/", "-").replace(".", "-")
    try:
        year, month, date = (int(part) for part in raw.split("-"))
        return dt.date(year, month, date)
    except ValueError:
        return None


def rows_iter(rows: dict[str, list[Row]], key: str) -> Iterator[Row]:
    yield from rows.get(key, [])
