"""The 抄送 line of the reply letter (issue 21, item 5) and the closing line printed once, with a warning at
sign-off when the body repeats what the letter adds itself.

The 抄送 line is GB/T 9704's 版记: 抄送：<names>。 after the signature and contact, between two rules as wide
as the text block (the first and the last rule of a 版记 are the thick ones), 仿宋 四号. It comes from the
session's setting (``Session.letter_cc``); an empty setting prints no line.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from responses.letters import build_letter
from tests.responses.helpers_units import admin_url, reference_body
from tests.responses.test_letters import Case2023160, expected_lines, letter_lines

CC_SETTING = "区政协提案委员会、区政府督查室"
CC_LINE = "抄送：区政协提案委员会、区政府督查室。"


def docx_blocks(content: bytes) -> list[tuple[str, str]]:
    """The .docx body in reading order: ("p", text) for each non-empty paragraph, ("table", text) for each table."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(io.BytesIO(content))
    blocks = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph) and item.text.strip():
            blocks.append(("p", item.text.strip()))
        elif isinstance(item, Table):
            blocks.append(("table", "\n".join(cell.text for row in item.rows for cell in row.cells)))
    return blocks


class WithCc(Case2023160):
    def setUp(self) -> None:
        super().setUp()
        session = self.assignment.proposal.session
        session.letter_cc = CC_SETTING
        session.save(update_fields=["letter_cc"])
        self.reply.refresh_from_db()

    def docx(self) -> bytes:
        self.client.force_login(self.handler)
        return self.client.get(reverse("letters:docx", args=[self.reply.pk])).content


class CcLineTests(WithCc):
    def test_the_letter_ends_with_the_cc_line_after_the_contact(self):
        letter = build_letter(self.reply)

        self.assertEqual(letter.cc, CC_LINE)
        self.assertEqual(letter.lines, [*expected_lines(), CC_LINE])

    def test_a_setting_that_ends_with_a_full_stop_gets_one(self):
        session = self.assignment.proposal.session
        for typed in (CC_SETTING + "。", f"  {CC_SETTING}  ", CC_SETTING + "."):
            with self.subTest(typed=typed):
                session.letter_cc = typed
                self.assertEqual(build_letter(self.reply).cc, CC_LINE)

    def test_the_print_view_and_the_proposal_page_show_it_last_between_rules(self):
        self.client.force_login(self.chencheng)
        printed = self.client.get(reverse("letters:print", args=[self.reply.pk])).content.decode()
        detail = reverse("portal:proposal_detail", args=[self.assignment.proposal_id])
        on_page = self.client.get(detail).content.decode()

        for html in (printed, on_page):
            self.assertEqual(letter_lines(html), [*expected_lines(), CC_LINE])
            self.assertInHTML(f'<div class="letter-cc" data-testid="letter-cc"><p>{CC_LINE}</p></div>', html)
            self.assertLess(html.index('data-testid="letter-contact"'), html.index('data-testid="letter-cc"'))

    def test_the_stylesheets_draw_the_rules_and_the_hanging_line(self):
        from django.conf import settings

        css = (Path(settings.BASE_DIR) / "static/css/letter.css").read_text(encoding="utf-8")
        rule = css[css.index(".official-letter .letter-cc {") :]
        self.assertIn("border-top: 0.35mm solid", rule)
        self.assertIn("border-bottom: 0.35mm solid", rule)
        self.assertIn("text-indent: -3em", rule)
        self.assertIn(".letter-cc {", (Path(settings.BASE_DIR) / "static/css/site.css").read_text(encoding="utf-8"))

    def test_the_docx_has_it_last_in_a_ruled_block_of_the_text_width(self):
        from docx import Document
        from docx.oxml.ns import qn
        from docx.shared import Pt

        content = self.docx()
        blocks = docx_blocks(content)

        self.assertEqual(blocks[-1], ("table", CC_LINE))
        self.assertEqual(blocks[-2], ("p", expected_lines()[-1]))  # the contact line just before
        document = Document(io.BytesIO(content))
        table = document.tables[-1]
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        edges = {child.tag.split("}")[1]: (child.get(qn("w:val")), child.get(qn("w:sz"))) for child in borders}
        self.assertEqual(edges["top"], ("single", "8"))  # 1 pt: GB/T 9704's thick rule (0.35 mm)
        self.assertEqual(edges["bottom"], ("single", "8"))
        self.assertEqual({edges[side][0] for side in ("left", "right", "insideH", "insideV")}, {"nil"})
        section = document.sections[0]
        self.assertEqual(table.rows[0].cells[0].width, section.page_width - section.left_margin - section.right_margin)
        paragraph = table.rows[0].cells[0].paragraphs[0]
        self.assertEqual(paragraph.runs[0].font.size, Pt(14))  # 四号
        self.assertEqual(paragraph.paragraph_format.left_indent, Pt(14 * 4))  # one character, then 抄送：
        self.assertEqual(paragraph.paragraph_format.first_line_indent, Pt(-14 * 3))
        self.assertIn('w:eastAsia="仿宋_GB2312"', paragraph._p.xml)


class NoCcTests(Case2023160):
    def test_an_empty_setting_prints_no_line_anywhere(self):
        self.assertEqual(self.assignment.proposal.session.letter_cc, "")
        self.client.force_login(self.handler)

        printed = self.client.get(reverse("letters:print", args=[self.reply.pk]))
        content = self.client.get(reverse("letters:docx", args=[self.reply.pk])).content

        self.assertEqual(build_letter(self.reply).cc, "")
        self.assertNotContains(printed, "letter-cc")
        self.assertNotContains(printed, "抄送")
        self.assertEqual([kind for kind, _text in docx_blocks(content)].count("table"), 0)


class ClosingOnceTests(Case2023160):
    """A handler who types 特此回复。 as in the model letter gets it once; sign-off warns about what would
    still be printed twice."""

    def review(self, reply, user=None):
        self.client.force_login(user or self.unitlead)
        return self.client.get(admin_url("reply_review", reply.pk))

    def test_the_closing_typed_without_its_full_stop_is_printed_once(self):
        for typed in ("特此回复", "特此回复！", "特此答复。"):
            with self.subTest(typed=typed):
                self.reply.body = reference_body() + "\n" + typed
                lines = build_letter(self.reply).lines
                self.assertEqual(lines[-4:-3], ["特此回复。"])
                self.assertFalse(any(line.startswith(typed.rstrip("。！")) for line in lines[:-4]))
                self.assertEqual(build_letter(self.reply).repeated, [])

    def test_the_model_letters_own_closing_line_gives_no_warning_at_sign_off(self):
        assignment = self.handling()[0]
        self.contact(assignment)
        reply = self.submitted(assignment, body=reference_body() + "\n特此回复。")

        response = self.review(reply)

        self.assertContains(response, 'data-action="sign"')
        self.assertNotContains(response, 'data-testid="repeated-lines"')
        self.assertEqual(letter_lines(response.content.decode()).count("特此回复。"), 1)

    def test_sign_off_warns_when_the_body_repeats_the_closing_and_the_signature(self):
        assignment = self.handling()[0]
        self.contact(assignment)
        typed = ["特此回复。", "深圳市福田区工业和信息化局", "2023年3月1日", "联系人：刘洋"]
        reply = self.submitted(assignment, body=reference_body() + "\n" + "\n".join(typed))

        response = self.review(reply)

        self.assertContains(response, 'data-action="sign"')
        self.assertContains(response, 'data-testid="repeated-lines"')
        self.assertContains(response, "正文中有答复函自动加上的内容")
        for line in typed:
            self.assertContains(response, f"<li>{line}</li>", html=True)
        self.assertEqual(build_letter(reply).repeated, typed)

    def test_the_warning_is_not_shown_once_the_letter_is_sent(self):
        self.reply.body = reference_body() + "\n特此回复。\n深圳市福田区工业和信息化局"
        self.reply.save(update_fields=["body"])

        self.assertNotContains(self.review(self.reply, self.committee), 'data-testid="repeated-lines"')


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (apt-get install libreoffice-writer)")
class CcThroughLibreOfficeTests(WithCc):
    def test_libreoffice_reads_the_cc_line_last(self):
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "letter.docx"
            source.write_bytes(self.docx())
            profile = Path(tmp) / "profile"  # a private profile: parallel runs must not share LibreOffice's lock
            subprocess.run(  # noqa: S603 - fixed arguments
                ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "txt:Text"]
                + ["--outdir", tmp, str(source)],
                check=True,
                capture_output=True,
                timeout=120,
                env={**os.environ, "HOME": tmp},
            )
            text = (Path(tmp) / "letter.txt").read_text(encoding="utf-8-sig")

        self.assertEqual([line.strip() for line in text.splitlines() if line.strip()], [*expected_lines(), CC_LINE])
