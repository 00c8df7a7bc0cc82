"""The session's documents as Word files in the official layout of the reply letter (``responses.docx_layout``).

- ``proposal_form_docx``: the proposal form (提案单), a ruled table as the committee files it;
- ``compilation_docx``: 提案汇编, a cover, the contents (a line per proposal, linked to it) and each
  proposal from a new page, its heading in Word's heading styles (the navigation pane's outline);
- ``reply_compilation_docx``: 答复汇编, a cover, the contents and each reply letter from a new page,
  written by the letter's own writer (``responses.letters.write_letter``).

The long documents call ``progress(done)`` after each proposal or letter, for the build's progress.
Paragraphs are appended through ``Body`` and styled by style id: python-docx's own ``add_paragraph``
and style lookup by name take minutes over a thousand proposals.
"""

from __future__ import annotations

from collections.abc import Callable

from documents.compilation import Compilation, ReplyCompilation
from documents.content import IDEOGRAPHIC_SPACE, ProposalForm
from responses.docx_layout import (
    BODY_FONT,
    HEADING_FONT,
    TITLE_FONT,
    Body,
    _set_font,
    finish,
    official_document,
    xml_text,
)
from responses.letters import write_letter

Progress = Callable[[int], None]

# Paragraph styles of these documents (style ids), made once per document by ``_styles``.
TITLE = "DocTitle"  # 小标宋 二号, centred: the cover's and the form's title
SUBTITLE = "DocSubtitle"  # 仿宋 三号, centred
PART = "Heading1"  # a category of the compilation (Word's Heading 1: the outline)
ITEM = "Heading2"  # a proposal's title (Heading 2)
ITEM_NUMBER = "DocItemNumber"  # 第2023160号 above a proposal's title
LABEL = "DocLabel"  # 黑体 三号: 情况分析, 具体建议, the contents' category lines
TEXT = "DocText"  # 仿宋 三号, first line indented two characters
META = "DocMeta"  # 仿宋 三号, no indent: 提案人：… 承办单位：…
ENTRY = "DocEntry"  # a line of the contents, 仿宋 四号, hanging indent
CELL_LABEL = "DocCellLabel"  # the form's labels: 黑体 四号, centred
CELL_TEXT = "DocCellText"  # the form's values: 仿宋 四号
CELL_PROSE = "DocCellProse"  # the form's analysis and suggestions: 仿宋 四号, indented, justified

# The form's table: label, value, label, value on a 15.6 cm line (A4 less the official margins).
FORM_COLUMNS_CM = (2.6, 5.0, 2.6, 5.4)


def _styles(document) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    styles = document.styles

    def style(style_id: str, font: str, size: float, *, align=None, line: float = 28, bold: bool = False):
        if style_id in (PART, ITEM):
            made = styles["Heading 1" if style_id == PART else "Heading 2"]
            rpr = made.element.get_or_add_rPr()
            # The template's theme fonts and colour would win over the official fonts.
            for tag in ("w:rFonts", "w:color", "w:b", "w:bCs", "w:i", "w:iCs", "w:sz", "w:szCs"):
                for child in rpr.findall(qn(tag)):
                    rpr.remove(child)
            made.font.color.rgb = RGBColor(0, 0, 0)
        else:
            made = styles.add_style(style_id, WD_STYLE_TYPE.PARAGRAPH)
            made.base_style = styles["Normal"]
        _set_font(made, font, size, bold=bold)
        paragraph = made.paragraph_format
        paragraph.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        paragraph.line_spacing = Pt(line)
        paragraph.space_before = Pt(0)
        paragraph.space_after = Pt(0)
        if align is not None:
            paragraph.alignment = align
        return made

    centre, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
    style(TITLE, TITLE_FONT, 22, align=centre, line=36)
    style(SUBTITLE, BODY_FONT, 16, align=centre)
    part = style(PART, TITLE_FONT, 22, align=centre, line=36)
    part.paragraph_format.space_after = Pt(14)
    item = style(ITEM, TITLE_FONT, 18, align=centre, line=32)
    item.paragraph_format.space_after = Pt(14)
    item.paragraph_format.keep_with_next = True
    number = style(ITEM_NUMBER, HEADING_FONT, 16, align=centre)
    number.paragraph_format.keep_with_next = True
    label = style(LABEL, HEADING_FONT, 16)
    label.paragraph_format.keep_with_next = True
    text = style(TEXT, BODY_FONT, 16, align=justify)
    text.paragraph_format.first_line_indent = Pt(32)  # two characters
    style(META, BODY_FONT, 16, align=justify)
    entry = style(ENTRY, BODY_FONT, 14, line=24)
    entry.paragraph_format.left_indent = Pt(28)
    entry.paragraph_format.first_line_indent = Pt(-28)
    style(CELL_LABEL, HEADING_FONT, 14, align=centre, line=22)
    style(CELL_TEXT, BODY_FONT, 14, align=WD_ALIGN_PARAGRAPH.LEFT, line=22)
    prose = style(CELL_PROSE, BODY_FONT, 14, align=justify, line=22)
    prose.paragraph_format.first_line_indent = Pt(28)  # two characters


def _paragraph(body: Body, style: str, text: str = ""):
    paragraph = body.paragraph()
    paragraph._p.get_or_add_pPr().style = style
    if text:
        _text(paragraph, xml_text(text))
    return paragraph


def _text(paragraph, text: str) -> None:
    """A run of ``text`` in the paragraph's style: what ``add_run`` writes, without its character-by-character
    pass (which turns tabs and line breaks into elements: such text still goes through it)."""
    from docx.oxml.ns import qn

    if any(char in text for char in "\t\r\n"):
        paragraph.add_run(text)
        return
    run = paragraph._p.makeelement(qn("w:r"), {})
    value = run.makeelement(qn("w:t"), {})
    value.text = text
    if len(text.strip()) < len(text):
        value.set(qn("xml:space"), "preserve")
    run.append(value)
    paragraph._p.append(run)


def _new_page(paragraph) -> None:
    paragraph.paragraph_format.page_break_before = True


def _bookmark(paragraph, name: str, number: int) -> None:
    """A bookmark around the paragraph's text, which the contents' links point at."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    ppr = paragraph._p.pPr
    if ppr is not None:
        ppr.addnext(start)
    else:
        paragraph._p.insert(0, start)
    paragraph._p.append(end)


def _link(paragraph, text: str, anchor: str) -> None:
    """``text`` as a link to the bookmark ``anchor`` inside the document (Ctrl+click in Word)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    value = OxmlElement("w:t")
    value.set(qn("xml:space"), "preserve")
    value.text = xml_text(text)
    run.append(value)
    link.append(run)
    paragraph._p.append(link)


def _bookmark_name(anchor: str) -> str:
    # Word's bookmark names: a letter first, letters, digits and underscores, at most 40 characters.
    return anchor.replace("-", "_")[:40]


def _cover(body: Body, lines: list[tuple[str, str]]) -> None:
    for _ in range(4):
        _paragraph(body, SUBTITLE)
    for style, text in lines:
        _paragraph(body, style, text)


# The proposal form (提案单) --------------------------------------------------------------------


def proposal_form_docx(form: ProposalForm) -> bytes:
    document = official_document()
    _styles(document)
    body = Body(document)
    w = form.words
    _paragraph(body, SUBTITLE, form.session)
    title = _paragraph(body, TITLE, w.heading)
    title.paragraph_format.space_after = _points(14)
    _form_table(document, form)
    return finish(document, title=f"{w.heading} {form.number_text} {form.title}", author=form.session)


def _points(value: float):
    from docx.shared import Pt

    return Pt(value)


def _form_table(document, form: ProposalForm) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.shared import Cm

    w = form.words
    rows: list[tuple] = [
        ("pair", w.number, form.number_text or w.none, w.category, form.category or w.none),
        ("wide", w.session, [form.session]),
        ("pair", w.kind, form.kind, w.submitted, form.submitted or w.none),
        ("wide", w.title, [form.title]),
        ("people", w.proposers, None),
        ("prose", w.background, form.background or [w.none]),
        ("prose", w.suggestions, form.suggestions or [w.none]),
        ("wide", w.suggested_units, ["、".join(form.suggested_units) or w.none]),
        ("wide", w.decision, _decision_lines(form)),
        ("wide", w.handling_units, [f"{g.role}：{'、'.join(g.names)}" for g in form.units] or [w.none]),
    ]
    people = form.proposers
    count = sum(1 + len(people) if kind == "people" else 1 for kind, *_ in rows)
    table = document.add_table(rows=count, cols=4)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, FORM_COLUMNS_CM, strict=True):
        column.width = Cm(width)

    def put(cell, lines: list[str], style: str) -> None:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        first = cell.paragraphs[0]
        for i, line in enumerate(lines):
            paragraph = first if i == 0 else cell.add_paragraph()
            paragraph._p.get_or_add_pPr().style = style
            paragraph.add_run(xml_text(line))

    index = 0
    for kind, label, *values in rows:
        cells = table.rows[index].cells
        for cell, width in zip(cells, FORM_COLUMNS_CM, strict=True):
            cell.width = Cm(width)
        if kind == "pair":
            put(cells[0], [label], CELL_LABEL)
            put(cells[1], [values[0]], CELL_TEXT)
            put(cells[2], [values[1]], CELL_LABEL)
            put(cells[3], [values[2]], CELL_TEXT)
            index += 1
        elif kind in ("wide", "prose"):
            put(cells[0], [label], CELL_LABEL)
            put(cells[1].merge(cells[3]), values[0], CELL_PROSE if kind == "prose" else CELL_TEXT)
            index += 1
        else:
            put(cells[1], [w.name], CELL_LABEL)
            put(cells[2], [w.sector], CELL_LABEL)
            put(cells[3], [w.work_unit], CELL_LABEL)
            for offset, person in enumerate(people, start=1):
                row = table.rows[index + offset].cells
                for cell, width in zip(row, FORM_COLUMNS_CM, strict=True):
                    cell.width = Cm(width)
                put(row[1], [f"{person.name}（{person.role}）"], CELL_TEXT)
                put(row[2], [person.sector or w.none], CELL_TEXT)
                put(row[3], [person.work_unit or w.none], CELL_TEXT)
            label_cell = cells[0].merge(table.rows[index + len(people)].cells[0]) if people else cells[0]
            put(label_cell, [label], CELL_LABEL)
            index += 1 + len(people)


def _decision_lines(form: ProposalForm) -> list[str]:
    decision = form.decision
    first = decision.label + (f"{IDEOGRAPHIC_SPACE}（{decision.date}）" if decision.date else "")
    return [first, *([decision.note] if decision.note else [])]


# 提案汇编 -------------------------------------------------------------------------------------


def compilation_docx(compilation: Compilation, progress: Progress | None = None) -> bytes:
    document = official_document()
    _styles(document)
    body = Body(document)
    _cover(
        body,
        [
            (TITLE, compilation.session),
            (TITLE, compilation.title),
            (SUBTITLE, compilation.order_note),
            (SUBTITLE, ""),
            (SUBTITLE, compilation.count_line),
            (SUBTITLE, compilation.date),
        ],
    )
    contents = _paragraph(body, TITLE, compilation.contents_title)
    _new_page(contents)
    for section in compilation.sections:
        if section.title:
            _paragraph(body, LABEL, section.title)
        for form in section.forms:
            entry = _paragraph(body, ENTRY)
            _link(
                entry,
                f"{form.number_text}{IDEOGRAPHIC_SPACE}{form.title}（{form.proposer_names}）",
                _bookmark_name(form.anchor),
            )
    labels = compilation.labels
    done = 0
    for section in compilation.sections:
        first_of_section = bool(section.title)
        if section.title:
            _new_page(_paragraph(body, PART, section.title))
        for form in section.forms:
            number = _paragraph(body, ITEM_NUMBER, form.number_text)
            if not first_of_section:
                _new_page(number)
            first_of_section = False
            done += 1
            _bookmark(number, _bookmark_name(form.anchor), done)
            _paragraph(body, ITEM, form.title)
            people = "、".join(_person_text(person) for person in form.proposers)
            _paragraph(body, META, f"{labels['proposers']}：{people}")
            if form.category:
                _paragraph(body, META, f"{labels['category']}：{form.category}")
            if form.units:
                _paragraph(body, META, f"{labels['units']}：{form.unit_line}")
            _paragraph(body, LABEL, labels["background"]).paragraph_format.space_before = _points(14)
            for text in form.background:
                _paragraph(body, TEXT, text)
            _paragraph(body, LABEL, labels["suggestions"])
            for text in form.suggestions:
                _paragraph(body, TEXT, text)
            if progress is not None:
                progress(done)
    return finish(document, title=f"{compilation.session}{compilation.title}", author=compilation.session)


def _person_text(person) -> str:
    details = "，".join(part for part in (person.sector, person.work_unit) if part)
    return f"{person.name}（{details}）" if details else person.name


# 答复汇编 -------------------------------------------------------------------------------------


def reply_compilation_docx(compilation: ReplyCompilation, progress: Progress | None = None) -> bytes:
    document = official_document()
    _styles(document)
    body = Body(document)
    _cover(
        body,
        [
            (TITLE, compilation.session),
            (TITLE, compilation.title),
            (SUBTITLE, ""),
            (SUBTITLE, compilation.count_line),
            (SUBTITLE, compilation.date),
        ],
    )
    contents = _paragraph(body, TITLE, compilation.contents_title)
    _new_page(contents)
    for entry in compilation.entries:
        line = _paragraph(body, ENTRY)
        text = f"{entry.number_text}{IDEOGRAPHIC_SPACE}{entry.proposal_title}（{entry.unit}）"
        _link(line, text, _bookmark_name(entry.anchor))
    for done, entry in enumerate(compilation.entries, start=1):
        first = write_letter(body, entry.letter)
        _new_page(first)
        _bookmark(first, _bookmark_name(entry.anchor), done)
        if progress is not None:
            progress(done)
    return finish(document, title=f"{compilation.session}{compilation.title}", author=compilation.session)
