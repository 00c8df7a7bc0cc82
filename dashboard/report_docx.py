"""The annual report's draft as a Word document in the official layout of the reply letters.

A4 with GB/T 9704's margins, 仿宋 三号 on 28-point lines, the title in 小标宋 二号, section headings
in 黑体, page numbers — 1 — (``responses.docx_layout``); tables in 仿宋 小四; each chart an
image the width of the text with its caption under it.
"""

from __future__ import annotations

import io

from dashboard.annual_report import Chart, Report, Table, Text
from responses.docx_layout import (
    BODY_FONT,
    HEADING_FONT,
    TITLE_FONT,
    _page_numbers,
    _set_font,
    official_document,
    xml_text,
)

KAI_FONT = "楷体_GB2312"  # the subtitle, as GB/T 9704 sets the lines under a title
TABLE_SIZE = 12  # 小四
TABLE_LINE = 20  # points


def report_docx(report: Report) -> bytes:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Cm, Emu, Pt

    document = official_document()
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin

    def add(text: str, *, align=None, indent: bool = False, font: str = BODY_FONT, size: float = 16):
        paragraph = document.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(size * 2)  # two characters
        _set_font(paragraph.add_run(xml_text(text)), font, size)
        return paragraph

    def add_table(table: Table) -> None:
        rows = [table.header, *table.rows, *([table.total] if table.total else [])]
        grid = document.add_table(rows=len(rows), cols=len(table.header))
        grid.style = document.styles["Table Grid"]
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False
        weights = table.weights or (1,) * len(table.header)
        widths = [Emu(int(text_width * weight / sum(weights))) for weight in weights]
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = width  # the table's grid, which LibreOffice follows; Word reads the cells' widths
        for r, values in enumerate(rows):
            emphasis = r == 0 or (table.total and r == len(rows) - 1)
            for c, value in enumerate(values):
                cell = grid.cell(r, c)
                cell.width = widths[c]
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.line_spacing = Pt(TABLE_LINE)
                if r == 0 or c not in table.left:  # headings and figures centred, names and titles to the left
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _set_font(paragraph.add_run(xml_text(value)), HEADING_FONT if emphasis else BODY_FONT, TABLE_SIZE)
        add("")

    def add_chart(chart: Chart) -> None:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # An image on an exact 28-point line would be cut to that height.
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        paragraph.paragraph_format.keep_with_next = True  # the caption stays under its chart
        paragraph.add_run().add_picture(io.BytesIO(chart.png), width=min(text_width, Cm(15.5)))
        add(chart.caption, align=WD_ALIGN_PARAGRAPH.CENTER, font=HEADING_FONT, size=14)
        add("")

    title = add(report.title, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=22)
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_before = Pt(14)
    add(report.subtitle, align=WD_ALIGN_PARAGRAPH.CENTER, font=KAI_FONT)
    add("")
    if report.chart_note:
        add(report.chart_note, indent=True, font=KAI_FONT)
    add(report.opening, indent=True)
    for part in report.sections:
        add(part.heading, indent=True, font=HEADING_FONT).paragraph_format.keep_with_next = True
        for index, block in enumerate(part.blocks):
            if isinstance(block, Text):
                paragraph = add(block.text, indent=True)
                # A sentence that introduces a table ("按类别分：") stays on the table's page.
                following = part.blocks[index + 1] if index + 1 < len(part.blocks) else None
                paragraph.paragraph_format.keep_with_next = isinstance(following, Table)
            elif isinstance(block, Table):
                add_table(block)
            else:
                add_chart(block)
    add("")
    add(report.date, align=WD_ALIGN_PARAGRAPH.RIGHT)

    _page_numbers(section.footer.paragraphs[0])
    document.core_properties.title = xml_text(report.title)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
