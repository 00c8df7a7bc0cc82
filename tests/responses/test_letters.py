"""The reply letter (答复函): its content in the reference layout, the print view, the .docx, who may open them.

The real case 第2023160号 is rebuilt through the services with the reference letter's body
(proposals/fixtures/futian-2023160-reply.txt), sent on 2023-05-19 like the original.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from proposals.choices import ProposalStatus
from responses.letters import build_letter, paragraphs, xml_text
from responses.services import send_reply
from tests.responses.helpers_units import (
    REFERENCE_TITLE,
    SEPARATE,
    SH,
    UnitPagesTestCase,
    reference_body,
)

SENT = dt.datetime(2023, 5, 19, 10, 0, tzinfo=SH)
LETTER_NUMBER = "福工信函〔2023〕160号"
TITLE_LINE = f"关于深圳市福田区政协第六届第三次会议提案《{REFERENCE_TITLE}》第2023160号的回复"
CONTACT_LINE = "联系人：刘洋\u3000\u3000联系电话：0755-82978326"
MARKS_LINE = "答复类别：B类\u3000\u3000签发人：赵局长"


def expected_lines() -> list[str]:
    return [
        LETTER_NUMBER,
        MARKS_LINE,
        TITLE_LINE,
        "尊敬的陈澄委员：",
        *reference_body().splitlines(),
        "特此回复。",
        "深圳市福田区工业和信息化局",
        "2023年5月19日",
        CONTACT_LINE,
    ]


class BlockText(HTMLParser):
    """The text of each paragraph and heading inside the letter <article>, in order."""

    BLOCKS = {"p", "h1", "h2", "h3"}

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.depth = 0  # inside the article
        self.current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "article" and dict(attrs).get("data-testid") == "letter":
            self.depth += 1
        elif self.depth and tag in self.BLOCKS:
            self.current = []

    def handle_endtag(self, tag):
        if tag == "article" and self.depth:
            self.depth -= 1
        elif self.current is not None and tag in self.BLOCKS:
            text = "".join(self.current).strip()
            if text:
                self.lines.append(text)
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)


def letter_lines(html: str) -> list[str]:
    parser = BlockText()
    parser.feed(html)
    return parser.lines


class Case2023160(UnitPagesTestCase):
    """第2023160号 as it really was: 陈澄's own proposal, 区工信局 as 分办单位, the reference reply, signed off
    by the unit's leader and sent 2023-05-19."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.handler.full_name = "刘洋"
        cls.handler.save(update_fields=["full_name"])

    def setUp(self) -> None:
        self.assignment = self.handling([(self.unit, SEPARATE)], title=REFERENCE_TITLE, serial=160, number="2023160")[0]
        self.contact(self.assignment)
        self.reply = self.signed(
            self.assignment,
            category=self.reply_categories["B"],
            letter_number=LETTER_NUMBER,
            body=reference_body(),
            contact_person="刘洋",
            contact_phone="0755-82978326",
            commitment_date=dt.date(2023, 12, 29),
        )
        with time_machine.travel(SENT, tick=False):
            self.reply = send_reply(self.reply, actor=self.handler)


class LetterContentTests(Case2023160):
    def test_the_letter_reproduces_the_reference_layout_line_by_line(self):
        letter = build_letter(self.reply)

        self.assertEqual(letter.lines, expected_lines())
        self.assertTrue(letter.is_final)

    def test_a_body_that_ends_with_its_own_closing_line_gets_it_once(self):
        for closing in ("特此回复。", "特此答复。", "  特此回复。  "):
            with self.subTest(closing=closing):
                self.reply.body = reference_body() + "\n" + closing + "\n"
                lines = build_letter(self.reply).lines
                self.assertEqual(sum(line in ("特此回复。", "特此答复。") for line in lines), 1)
                self.assertEqual(lines[-4], "特此回复。")  # before the unit, the date and the contact line

    def test_the_marks_line_leaves_out_what_the_reply_does_not_have_yet(self):
        self.reply.category = None
        self.reply.signer = None
        self.assertNotIn(MARKS_LINE, build_letter(self.reply).lines)
        self.assertEqual(build_letter(self.reply).marks, [])

    def test_numbered_section_headings_are_marked_and_sentences_are_not(self):
        rows = {row.text: row.is_heading for row in paragraphs(reference_body())}

        self.assertTrue(rows["1、 构建差异化竞争优势的现代化产业体系，形成时尚产业的福田方案"])
        self.assertTrue(rows["四、下一步工作计划"])
        self.assertFalse(next(is_heading for text, is_heading in rows.items() if text.startswith("（一）持续性")))
        self.assertFalse(next(is_heading for text, is_heading in rows.items() if text.startswith("一是加强规划引领")))

    def test_the_letter_is_in_chinese_whatever_the_readers_language(self):
        from django.utils import translation

        with translation.override("en"):
            letter = build_letter(self.reply)

        self.assertEqual(
            (letter.title, letter.salutation, letter.closing), (TITLE_LINE, "尊敬的陈澄委员：", "特此回复。")
        )

    def test_a_draft_letter_is_marked_and_dated_today(self):
        assignment = self.handling()[0]
        draft = self.draft(assignment)

        letter = build_letter(draft)

        self.assertFalse(letter.is_final)
        self.assertEqual(letter.date, "2023年3月1日")


class PrintViewTests(Case2023160):
    def test_the_print_view_shows_the_letter_in_the_reference_layout(self):
        self.client.force_login(self.chencheng)

        response = self.client.get(reverse("letters:print", args=[self.reply.pk]))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(letter_lines(response.content.decode()), expected_lines())
        self.assertContains(response, "css/letter.css")
        self.assertContains(response, reverse("letters:docx", args=[self.reply.pk]))
        self.assertNotContains(response, "<script")

    def test_the_letter_stylesheet_lays_out_an_a4_page_for_print(self):
        from django.conf import settings

        css = (Path(settings.BASE_DIR) / "static/css/letter.css").read_text(encoding="utf-8")
        self.assertIn("size: A4", css)
        self.assertIn("@media print", css)


class OneLetterEverywhereTests(Case2023160):
    """The print view, the .docx and the proposal page lay out the same parts of build_letter."""

    def docx_lines(self, content: bytes) -> list[str]:
        from docx import Document

        return [p.text.strip() for p in Document(io.BytesIO(content)).paragraphs if p.text.strip()]

    def test_the_print_view_the_docx_and_the_proposal_page_carry_the_same_parts(self):
        self.client.force_login(self.chencheng)

        printed = letter_lines(self.client.get(reverse("letters:print", args=[self.reply.pk])).content.decode())
        docx = self.docx_lines(self.client.get(reverse("letters:docx", args=[self.reply.pk])).content)
        detail = reverse("portal:proposal_detail", args=[self.assignment.proposal_id])
        on_page = letter_lines(self.client.get(detail).content.decode())

        self.assertEqual(printed, build_letter(self.reply).lines)
        self.assertEqual(docx, printed)
        self.assertEqual(on_page, printed)

    def test_the_proposal_page_shows_the_letter_in_chinese_whatever_the_readers_language(self):
        self.client.force_login(self.chencheng)
        detail = reverse("portal:proposal_detail", args=[self.assignment.proposal_id])

        on_page = letter_lines(self.client.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode())

        self.assertEqual(on_page, expected_lines())

    def test_a_published_letter_leaves_out_the_contact_person_and_phone(self):
        letter = build_letter(self.reply, public=True)

        self.assertEqual(letter.contact_parts, [])
        self.assertEqual(letter.lines, expected_lines()[:-1])


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (apt-get install libreoffice-writer)")
class DocxTests(Case2023160):
    def docx_text(self, content: bytes) -> list[str]:
        """The .docx converted to plain text by LibreOffice headless, as its non-empty lines."""
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "letter.docx"
            source.write_bytes(content)
            profile = Path(tmp) / "profile"  # a private profile: parallel runs must not share LibreOffice's lock
            subprocess.run(  # noqa: S603 - fixed arguments
                [
                    "soffice",
                    f"-env:UserInstallation={profile.as_uri()}",
                    "--headless",
                    "--convert-to",
                    "txt:Text",
                    "--outdir",
                    tmp,
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=120,
                env={**os.environ, "HOME": tmp},
            )
            text = (Path(tmp) / "letter.txt").read_text(encoding="utf-8-sig")
        return [line.strip() for line in text.splitlines() if line.strip()]

    def test_the_docx_download_has_the_reference_layout(self):
        self.client.force_login(self.handler)

        response = self.client.get(reverse("letters:docx", args=[self.reply.pk]))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn("2023160", response["Content-Disposition"])
        self.assertEqual(self.docx_text(response.content), expected_lines())

    def test_the_docx_is_an_a4_page_with_chinese_official_fonts(self):
        import io

        from docx import Document
        from docx.shared import Cm

        self.client.force_login(self.handler)
        document = Document(io.BytesIO(self.client.get(reverse("letters:docx", args=[self.reply.pk])).content))

        section = document.sections[0]
        self.assertEqual((round(section.page_width.cm, 1), round(section.page_height.cm, 1)), (21.0, 29.7))
        self.assertAlmostEqual(section.left_margin.cm, Cm(2.8).cm, places=2)
        xml = document.element.xml
        self.assertIn("仿宋_GB2312", xml)
        self.assertIn("方正小标宋简体", xml)

    def test_the_docx_pages_are_numbered_in_the_official_style(self):
        import io

        from docx import Document

        self.client.force_login(self.handler)
        document = Document(io.BytesIO(self.client.get(reverse("letters:docx", args=[self.reply.pk])).content))

        footer = document.sections[0].footer.paragraphs[0]
        self.assertEqual(footer.text, "— 1 —")  # the PAGE field's cached value between the dashes
        self.assertIn("PAGE", document.sections[0].footer.part.element.xml)


class LetterPermissionTests(Case2023160):
    """Who may open a letter: the unit, the committee and leaders, and the proposers once it is sent."""

    def urls(self, reply) -> list[str]:
        return [reverse("letters:print", args=[reply.pk]), reverse("letters:docx", args=[reply.pk])]

    def assert_status(self, user, reply, status: int) -> None:
        self.client.force_login(user)
        for url in self.urls(reply):
            with self.subTest(user=user.username, url=url):
                self.assertEqual(self.client.get(url).status_code, status)

    def test_proposers_open_the_sent_letter_of_their_proposal(self):
        for member in (self.chencheng,):
            self.assert_status(member, self.reply, 200)

    def test_other_members_get_404(self):
        self.assert_status(self.lihua, self.reply, 404)

    def test_proposers_cannot_open_a_letter_before_it_is_sent(self):
        assignment = self.handling()[0]
        draft = self.signed(assignment)
        self.assertEqual(draft.assignment.proposal.status, ProposalStatus.ASSIGNED)
        self.assert_status(self.chencheng, draft, 404)
        self.assert_status(self.handler, draft, 200)

    def test_another_units_staff_get_404_for_drafts_and_sent_letters(self):
        assignment = self.handling()[0]
        draft = self.draft(assignment)
        for reply in (self.reply, draft):
            self.assert_status(self.other_handler, reply, 404)
            self.assert_status(self.otherlead, reply, 404)

    def test_committee_staff_and_leaders_open_any_letter(self):
        for user in (self.committee, self.leader, self.unitlead):
            self.assert_status(user, self.reply, 200)

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        self.client.logout()
        for url in self.urls(self.reply):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertTrue(re.search(r"/accounts/login/", response["Location"]))

    def test_an_unknown_letter_is_404(self):
        self.client.force_login(self.committee)
        self.assertEqual(self.client.get(reverse("letters:print", args=[999999])).status_code, 404)


def test_text_drops_what_xml_cannot_hold_for_the_docx_and_the_excel_exports():
    """One definition for both downloads: control characters, U+FFFE/U+FFFF and lone surrogates go, the rest stays."""
    assert xml_text("关于\x01福田\x1b时尚\ufffe产业\uffff的\ud800建议\t\n") == "关于福田时尚产业的建议\t\n"
