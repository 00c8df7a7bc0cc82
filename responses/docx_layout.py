"""The official layout of the Word documents the system writes: the reply letter (``responses.letters``) and
the session's documents (the ``documents`` app: the proposal form, the compilations).

GB/T 9704 (党政机关公文格式): A4, 仿宋 三号 body, 小标宋 二号 title, 黑体 headings, 28-point lines, the page
number — 1 — centred in the footer. ``official_document()`` sets the page and the Normal style up once;
``Body`` appends paragraphs to a long document in constant time.
"""

from __future__ import annotations

import io
import re

# GB/T 9704 (党政机关公文格式): A4, 仿宋 三号 body, 小标宋 二号 title, 28-point lines.
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
# Characters XML 1.0 cannot hold (control characters, U+FFFE and U+FFFF, lone surrogates). Typed or
# pasted into a title or a letter they are invisible in the print view, but python-docx and openpyxl (through
# lxml) refuse them and the download fails, so the .docx and the Excel exports (dashboard/xlsx.py) leave them out.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML cannot hold."""
    return XML_ILLEGAL.sub("", text)


def _set_font(run_or_style, east_asian: str, size_pt: float, *, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = LATIN_FONT
    font.size = Pt(size_pt)
    font.bold = bold
    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), east_asian)


def _page_numbers(paragraph) -> None:
    """The footer's page number in the official style, — 1 —, centred, from Word's PAGE field."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def text(value: str) -> None:
        _set_font(paragraph.add_run(value), BODY_FONT, 14)

    def field_char(kind: str) -> None:
        run = paragraph.add_run()
        _set_font(run, BODY_FONT, 14)
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run.element.append(element)

    text("— ")
    field_char("begin")
    run = paragraph.add_run()
    _set_font(run, BODY_FONT, 14)
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run.element.append(instruction)
    field_char("separate")
    text("1")
    field_char("end")
    text(" —")


def official_document():
    """A new Word document: A4 with the official margins, the Normal style in 仿宋 三号 on 28-point lines."""
    from docx import Document
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    normal = document.styles["Normal"]
    _set_font(normal, BODY_FONT, 16)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    return document


def finish(document, *, title: str, author: str) -> bytes:
    """The footer's page numbers, the file's title and author, and the document as bytes."""
    _page_numbers(document.sections[0].footer.paragraphs[0])
    document.core_properties.title = xml_text(title)
    document.core_properties.author = xml_text(author)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class Body:
    """Appends paragraphs at the end of a document's body, and runs in the official fonts to them.

    python-docx's ``add_paragraph`` looks for the section properties among all the body's paragraphs
    each time, which makes a compilation of a thousand proposals quadratic (minutes); this inserts
    before the one it found at the start. ``run`` writes what ``add_run`` and ``_set_font`` write, but
    builds the run's properties once per font, size and weight and copies them to the later runs:
    setting them anew on each of the forty thousand runs of a compilation of replies took most of its time.
    """

    def __init__(self, document) -> None:
        self.document = document
        self._end = document.element.body.get_or_add_sectPr()
        self._runs: dict[tuple[str, float, bool], object] = {}

    def run(self, paragraph, text: str, east_asian: str, size_pt: float, *, bold: bool = False) -> None:
        """``text`` (free of XML-illegal characters) as a run of ``paragraph`` in the font given."""
        from copy import deepcopy

        from docx.oxml.ns import qn

        key = (east_asian, size_pt, bold)
        template = self._runs.get(key)
        if template is None or any(char in text for char in "\t\r\n"):
            # The first run of a font, and text with tabs or line breaks (python-docx writes those as
            # <w:tab/> and <w:br/>), through python-docx itself.
            run = paragraph.add_run(text)
            _set_font(run, east_asian, size_pt, bold=bold)
            if template is None:
                template = deepcopy(run.element)
                for child in template.findall(qn("w:t")):
                    template.remove(child)
                self._runs[key] = template
            return
        element = deepcopy(template)
        if text:
            value = element.makeelement(qn("w:t"), {})
            value.text = text
            if len(text.strip()) < len(text):
                value.set(qn("xml:space"), "preserve")
            element.append(value)
        paragraph._p.append(element)

    def paragraph(self):
        from docx.oxml import OxmlElement
        from docx.text.paragraph import Paragraph

        element = OxmlElement("w:p")
        self._end.addprevious(element)
        return Paragraph(element, self.document)

    def element(self, element) -> None:
        """Appends a ready element (a table) at the end of the body."""
        self._end.addprevious(element)
