"""The reply letter (答复函): its content in the official layout, and the .docx file built from it.

The layout follows the reference letter (DESIGN.md, reference/futian-2023160-reply.txt):
the title 关于<会议>提案《<案由>》第<N>号的回复, the salutation 尊敬的<name>委员：, the body
with its numbered sections, 特此回复。, then the unit, the date (2023年5月19日) and the
contact person and phone. ``build_letter(reply)`` makes these parts once; the one letter
template (templates/letters/_letter.html: the print view, the unit's review page and, through
``{% reply_letter %}``, the proposal pages) and the .docx writer (``letter_docx``) only lay them
out, so they cannot drift apart.

A letter is a document sent to the proposer, so its fixed words are in the site's
language (Chinese), whoever looks at it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from proposals.choices import ProposerRole, ProposerStatus
from proposals.models import Proposal, Proposer
from proposals.notifications import site_language
from responses.choices import AssignmentRole, ReplyStatus
from responses.docx_layout import (  # noqa: F401 - _page_numbers, XML_ILLEGAL and xml_text are imported from here too
    BODY_FONT,
    HEADING_FONT,
    TITLE_FONT,
    XML_ILLEGAL,
    Body,
    _page_numbers,
    _set_font,
    finish,
    official_document,
    xml_text,
)
from responses.models import Assignment, Reply

# The unit's role as the reference letter words it (由我局作为分办单位办理).
ROLE_WORDS = {
    AssignmentRole.LEAD: pgettext_lazy("unit role in a letter", "lead"),
    AssignmentRole.COHANDLING: pgettext_lazy("unit role in a letter", "co-handling"),
    AssignmentRole.SEPARATE: pgettext_lazy("unit role in a letter", "separate"),
}

# A section heading of the body: 一、…  1、…  2. …  （一）…, short and not a finished sentence.
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+\s*[、.．]|（[一二三四五六七八九十]+）)")
HEADING_MAX_CHARS = 40
SENTENCE_ENDS = ("。", "；", ";", "：", ":")

IDEOGRAPHIC_SPACE = "\u3000"

# A body that ends with its own closing line, as the reference letter's does: the letter's closing is
# not added a second time. Compared without the final punctuation (特此回复, 特此回复！ count too).
CLOSING_LINES = {"特此回复。", "特此答复。", "特此函复。", "此复。"}
CLOSING_WORDS = {line.rstrip("。") for line in CLOSING_LINES}
LINE_END_PUNCTUATION = "。．.！!；;，, \u3000"
# Lines of a body that the letter adds itself (a handler who typed the signature block too): a bare date
# (2023年5月19日), the contact line and the 抄送 line.
DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
ADDED_LINE_STARTS = ("联系人", "联系电话", "抄送")


@dataclass(frozen=True)
class Paragraph:
    text: str
    is_heading: bool = False


@dataclass(frozen=True)
class Letter:
    """Everything the letter shows, as text, in reading order."""

    title: str
    salutation: str
    paragraphs: list[Paragraph]
    closing: str
    unit: str
    date: str
    contact_line: str
    contact_parts: list[str] = field(default_factory=list)
    letter_number: str = ""
    marks: list[str] = field(default_factory=list)  # 答复类别 and 签发人, above the title
    is_final: bool = True
    status_label: str = ""
    filename: str = "reply.docx"
    lines: list[str] = field(default_factory=list)
    # The proposal's number as the title words it ("第2023160号"): kept on one line on a narrow screen.
    title_number: str = ""
    # The 抄送 line (抄送：区政协提案委员会、区政府督查室。) from the session's setting; empty: no line.
    cc: str = ""
    # Lines of the body that repeat what the letter adds itself (its closing before other lines, the unit,
    # a date, the contact or 抄送 line): they would be printed twice, so sign-off warns about them.
    repeated: list[str] = field(default_factory=list)

    @property
    def title_parts(self) -> tuple[str, str, str]:
        """The title around its number (before, number, after), for a page that keeps the number whole."""
        if self.title_number and self.title_number in self.title:
            return self.title.rpartition(self.title_number)
        return (self.title, "", "")


def paragraphs(body: str) -> list[Paragraph]:
    """One paragraph per non-empty line of the body, numbered section headings marked."""
    rows = []
    for line in body.splitlines():
        text = line.strip()
        if not text:
            continue
        is_heading = bool(HEADING.match(text)) and len(text) <= HEADING_MAX_CHARS and not text.endswith(SENTENCE_ENDS)
        rows.append(Paragraph(text, is_heading))
    return rows


def chinese_date(day: dt.date) -> str:
    """2023年5月19日 (the site language's date format)."""
    with site_language():
        return formats.date_format(day, "DATE_FORMAT")


def letter_date(reply: Reply) -> dt.date:
    """The date on the letter: when it was sent, else signed, else today (a draft shows today's date)."""
    moment = reply.sent_at or reply.signed_at
    return timezone.localdate(moment) if moment else timezone.localdate()


def _addressees(proposal: Proposal, lead: Proposer | None) -> str:
    """Whom the letter addresses: every confirmed proposer, the lead first (陈澄、王芳), or the collective
    author of a collective proposal. Reads the proposers through ``proposal.proposers.all()`` so that a
    page that prefetched them asks nothing more."""
    confirmed = [p for p in proposal.proposers.all() if p.status == ProposerStatus.CONFIRMED]
    confirmed.sort(key=lambda p: (p.role != ProposerRole.LEAD, p.order, p.pk))
    if not confirmed and lead is not None:
        confirmed = [lead]
    if not confirmed:
        return proposal.collective_author
    return "、".join(p.user.display_name for p in confirmed)


def _is_closing(text: str, closing: str) -> bool:
    core = text.rstrip(LINE_END_PUNCTUATION)
    return core in CLOSING_WORDS or core == closing.rstrip(LINE_END_PUNCTUATION)


def _without_closing(rows: list[Paragraph], closing: str) -> list[Paragraph]:
    """The body without a last line that is itself a closing (特此回复。), which the letter adds once."""
    if rows and _is_closing(rows[-1].text, closing):
        return rows[:-1]
    return rows


def _repeated(rows: list[Paragraph], closing: str, unit: str) -> list[str]:
    """The lines of the body (its own last closing line already left out) that the letter adds itself."""
    return [
        row.text
        for row in rows
        if _is_closing(row.text, closing)
        or row.text.rstrip(LINE_END_PUNCTUATION) == unit
        or DATE_LINE.match(row.text)
        or row.text.startswith(ADDED_LINE_STARTS)
    ]


def cc_line(names: str) -> str:
    """The 抄送 line of GB/T 9704 (抄送：区政协提案委员会、区政府督查室。), ending with a full stop; "" for no names."""
    names = names.strip().rstrip(LINE_END_PUNCTUATION)
    if not names:
        return ""
    with site_language():
        return _("Copy to: %(names)s.") % {"names": names}


def build_letter(
    reply: Reply, *, proposal: Proposal | None = None, lead: Proposer | None = None, public: bool = False
) -> Letter:
    """The letter of ``reply`` (its assignment, unit, proposal, session and proposers prefetched or not).

    ``proposal`` and ``lead`` may be given when the caller has them loaded already (a page showing
    several replies of one proposal). A ``public`` letter (提案公开) leaves out the contact person and phone.
    """
    assignment = reply.assignment
    proposal = proposal or assignment.proposal
    session = proposal.session
    with site_language():
        title = _("Reply to proposal “%(title)s” No. %(number)s of the %(session)s") % {
            "title": proposal.title,
            "number": proposal.number,
            "session": session.full_name or session.name,
        }
        title_number = pgettext("letter title", "No. %(number)s") % {"number": proposal.number}
        salutation = _("Dear Member %(name)s:") % {"name": _addressees(proposal, lead)}
        closing = _("We hereby reply.")
        marks = []
        if reply.category_id:
            marks.append(_("Reply category: %(code)s") % {"code": reply.category.code})
        if reply.signer_id:
            marks.append(_("Signed off by: %(name)s") % {"name": reply.signer.display_name})
        contact = []
        # The labels outside f-strings: makemessages does not find a gettext call inside one.
        if reply.contact_person and not public:
            contact.append(_("Contact person") + "：" + reply.contact_person)
        if reply.contact_phone and not public:
            contact.append(_("Contact phone") + "：" + reply.contact_phone)
        status_label = str(ReplyStatus(reply.status).label)
        kind = pgettext("file name", "follow-up reply") if reply.is_followup else pgettext("file name", "reply")
    number = proposal.number or str(proposal.pk)
    body = _without_closing(paragraphs(reply.body), closing)
    letter = Letter(
        title=title,
        salutation=salutation,
        paragraphs=body,
        closing=closing,
        unit=assignment.unit.name,
        date=chinese_date(letter_date(reply)),
        contact_line=(IDEOGRAPHIC_SPACE * 2).join(contact),
        contact_parts=contact,
        letter_number=reply.letter_number,
        marks=marks,
        is_final=reply.status in (ReplyStatus.SIGNED, ReplyStatus.SENT),
        status_label=status_label,
        filename=f"{number}-{assignment.unit.short_name or assignment.unit.name}-{kind}.docx",
        title_number=title_number,
        cc=cc_line(session.letter_cc),
        repeated=_repeated(body, closing, assignment.unit.name),
    )
    letter.lines.extend(
        [
            *([letter.letter_number] if letter.letter_number else []),
            *([(IDEOGRAPHIC_SPACE * 2).join(letter.marks)] if letter.marks else []),
            letter.title,
            letter.salutation,
            *(p.text for p in letter.paragraphs),
            letter.closing,
            letter.unit,
            letter.date,
            *([letter.contact_line] if letter.contact_line else []),
            *([letter.cc] if letter.cc else []),
        ]
    )
    return letter


def letter_html(
    reply: Reply,
    *,
    proposal: Proposal | None = None,
    lead: Proposer | None = None,
    public: bool = False,
    heading_level: int = 1,
) -> str:
    """The letter of ``reply`` drawn by its one template (``letters/_letter.html``, a Django template
    that the committee's admin shows too), for the portal's Jinja2 pages that show sent replies."""
    letter = build_letter(reply, proposal=proposal, lead=lead, public=public)
    return render_to_string("letters/_letter.html", {"letter": letter, "reply": reply, "heading_level": heading_level})


def draft_initial(assignment: Assignment, user, *, followup: bool = False) -> dict:
    """A new draft's starting values: the reference letter's opening and sections, and the contact."""
    proposal = assignment.proposal
    session = proposal.session
    with site_language():
        values = {
            "title": proposal.title,
            "number": proposal.number,
            "session": session.full_name or session.name,
            "role": ROLE_WORDS.get(assignment.role, ""),
        }
        if followup:
            lines = [
                _(
                    "Your proposal “%(title)s” (No. %(number)s) at the %(session)s was answered with a commitment. "
                    "We now report on its progress as follows:"
                )
                % values,
                _("1. Progress since our reply"),
                _("2. Next steps"),
            ]
        else:
            lines = [
                _(
                    "Your proposal “%(title)s” (No. %(number)s) at the %(session)s has been received. Thank you for "
                    "your concern. We attach great importance to it and, as the %(role)s unit, reply on its handling "
                    "as follows:"
                )
                % values,
                _("1. What has been done"),
                _("2. Next steps"),
            ]
    return {
        "body": "\n".join(lines),
        "contact_person": user.display_name,
        "contact_phone": user.phone or assignment.unit.phone,
    }


# The .docx file --------------------------------------------------------------------------
# The layout's helpers live in responses.docx_layout, which the session's documents use too.


def letter_docx(letter: Letter) -> bytes:
    """The letter as a Word document in the official A4 layout."""
    document = official_document()
    write_letter(Body(document), letter)
    return finish(document, title=letter.title, author=letter.unit)


# GB/T 9704's 版记 rules, as Word border widths (eighths of a point): the first and last rules are thick
# (0.35 mm, about 1 pt), the rules between its elements thin (0.25 mm). A letter's 版记 has one element,
# the 抄送 line, so it has the first and the last rule.
THICK_RULE = "8"
CC_SIZE = 14  # 四号


def _cc_block(body: Body, text: str) -> None:
    """The 抄送 line as GB/T 9704 sets it: between rules as wide as the text block, 仿宋 四号, one character
    in from each side, a wrapped line aligned after the colon. A one-cell table, because a paragraph's
    own borders would stop at its indents."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.oxml.table import CT_Tbl
    from docx.shared import Pt
    from docx.table import Table

    section = body.document.sections[-1]
    width = section.page_width - section.left_margin - section.right_margin
    element = CT_Tbl.new_tbl(1, 1, width)
    body.element(element)
    table = Table(element, body.document._body)
    properties = element.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        border = OxmlElement(f"w:{edge}")
        if edge in ("top", "bottom"):
            border.set(qn("w:val"), "single")
            border.set(qn("w:sz"), THICK_RULE)
            border.set(qn("w:space"), "0")
            border.set(qn("w:color"), "000000")
        else:
            border.set(qn("w:val"), "nil")
        borders.append(border)
    # In the schema's order of the table's properties: Word refuses a file with them out of order.
    properties.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption")
    margins = OxmlElement("w:tblCellMar")  # no cell padding: the rules run exactly the text block's width
    for edge in ("left", "right"):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
    table.autofit = False
    paragraph = table.rows[0].cells[0].paragraphs[0]
    label = text.index("：") + 1 if "：" in text else 0  # 抄送：
    paragraph.paragraph_format.left_indent = Pt(CC_SIZE * (1 + label))
    paragraph.paragraph_format.first_line_indent = Pt(-CC_SIZE * label)
    paragraph.paragraph_format.right_indent = Pt(CC_SIZE)
    body.run(paragraph, xml_text(text), BODY_FONT, CC_SIZE)
    # Word wants a paragraph after a table that ends the document: a tiny one, never a page of its own.
    after = body.paragraph()
    after.paragraph_format.line_spacing = Pt(1)
    body.run(after, "", BODY_FONT, 1)


def write_letter(body: Body, letter: Letter):
    """The letter's paragraphs at the end of ``body`` (a letter's own document, or a compilation of
    letters); returns the first, where a compilation starts the letter on a new page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    def add(text: str, *, align=None, indent: bool = False, font: str = BODY_FONT, size: float = 16, bold=False):
        paragraph = body.paragraph()
        if align is not None:
            paragraph.alignment = align
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(size * 2)  # two characters
        body.run(paragraph, xml_text(text), font, size, bold=bold)
        return paragraph

    above = []  # what stands above the title
    if not letter.is_final:
        above.append(add(f"【{letter.status_label}】", align=WD_ALIGN_PARAGRAPH.LEFT, font=HEADING_FONT, size=12))
    if letter.letter_number:
        above.append(add(letter.letter_number, align=WD_ALIGN_PARAGRAPH.RIGHT))
    if letter.marks:
        above.append(add((IDEOGRAPHIC_SPACE * 2).join(letter.marks), align=WD_ALIGN_PARAGRAPH.RIGHT))
    title = add(letter.title, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=22)
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_before = Pt(14)
    title.paragraph_format.space_after = Pt(14)
    add(letter.salutation)
    for paragraph in letter.paragraphs:
        add(paragraph.text, indent=True, font=HEADING_FONT if paragraph.is_heading else BODY_FONT)
    add(letter.closing, indent=True)
    add("")
    add(letter.unit, align=WD_ALIGN_PARAGRAPH.RIGHT)
    add(letter.date, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if letter.contact_line:
        add("")
        add(letter.contact_line)
    if letter.cc:
        add("")
        _cc_block(body, letter.cc)
    return above[0] if above else title
