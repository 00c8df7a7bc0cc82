"""The session's compilations (提案汇编, 答复汇编): every accepted proposal and every sent reply present, nothing
else, in number or category order, with a table of contents linked to each; the .docx (python-docx) and the
print view; a fixed number of queries whatever the session's size; committee staff and leaders only."""

from __future__ import annotations

import io
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.compilation import compilation, reply_compilation
from documents.word import ITEM, PART, compilation_docx, reply_compilation_docx
from proposals.services import accept_proposal
from responses.letters import build_letter
from tests.base import make_proposal
from tests.documents.helpers import (
    FASHION_TITLE,
    LEFT_OUT,
    PARKING_TITLE,
    SCHOOLS_TITLE,
    DocumentScene,
    docx_text,
)
from tests.responses.helpers_units import REFERENCE_TITLE

BY_NUMBER = [REFERENCE_TITLE, SCHOOLS_TITLE, FASHION_TITLE, PARKING_TITLE]
BY_CATEGORY = [REFERENCE_TITLE, FASHION_TITLE, SCHOOLS_TITLE, PARKING_TITLE]


def styled(content: bytes, style_id: str) -> list[str]:
    """The text of the paragraphs in the style ``style_id`` (Heading1: categories, Heading2: proposals)."""
    from docx import Document

    document = Document(io.BytesIO(content))
    return [p.text for p in document.paragraphs if p.style.style_id == style_id]


def links_and_bookmarks(content: bytes) -> tuple[list[str], set[str]]:
    from docx import Document
    from docx.oxml.ns import qn

    body = Document(io.BytesIO(content)).element.body
    anchors = [link.get(qn("w:anchor")) for link in body.iter(qn("w:hyperlink"))]
    marks = {mark.get(qn("w:name")) for mark in body.iter(qn("w:bookmarkStart"))}
    return anchors, marks


class CompilationDocxTests(DocumentScene):
    def test_by_number_every_accepted_proposal_is_there_in_number_order_and_nothing_else(self):
        content = compilation_docx(compilation(self.session, self.committee, "number"))
        text = "\n".join(docx_text(content))

        self.assertEqual(styled(content, ITEM), BY_NUMBER)
        self.assertEqual(styled(content, PART), [])
        for title in LEFT_OUT:
            self.assertNotIn(title, text)
        for number in ("第2023160号", "第2023161号", "第2023162号", "第2023163号"):
            self.assertIn(number, text)
        self.assertIn("提案汇编", text)
        self.assertIn("（按提案号排列）", text)
        self.assertIn("共收录提案4件", text)

    def test_by_category_the_proposals_come_under_their_categories_in_the_categories_order(self):
        content = compilation_docx(compilation(self.session, self.committee, "category"))

        self.assertEqual(styled(content, PART), ["经济建设", "文化教育", "其他提案（未分类）"])
        self.assertEqual(styled(content, ITEM), BY_CATEGORY)
        self.assertIn("（按类别排列）", docx_text(content))

    def test_the_contents_list_every_proposal_with_its_number_each_a_link_to_it(self):
        content = compilation_docx(compilation(self.session, self.committee, "category"))
        lines = docx_text(content)
        contents = lines[lines.index("目\u3000录") + 1 : lines.index("目\u3000录") + 8]
        anchors, marks = links_and_bookmarks(content)

        self.assertEqual(
            contents,
            [
                "经济建设",
                f"第2023160号\u3000{REFERENCE_TITLE}（陈澄、王芳）",
                f"第2023162号\u3000{FASHION_TITLE}（陈澄）",
                "文化教育",
                f"第2023161号\u3000{SCHOOLS_TITLE}（陈澄）",
                "其他提案（未分类）",
                f"第2023163号\u3000{PARKING_TITLE}（陈澄）",
            ],
        )
        self.assertEqual(len(anchors), 4)
        self.assertEqual(set(anchors), marks)

    def test_each_proposal_has_its_proposers_category_units_and_text(self):
        lines = docx_text(compilation_docx(compilation(self.session, self.committee, "number")))
        start = lines.index(REFERENCE_TITLE)
        part = lines[start - 1 : start + 11]

        self.assertEqual(
            part,
            [
                "第2023160号",
                REFERENCE_TITLE,
                "提案人：陈澄（经济界，深圳市某时尚科技有限公司董事长）、王芳（教育界，福田区某中学校长）",
                "类别：经济建设",
                "承办单位：主办单位：深圳市福田区工业和信息化局；会办单位：深圳市福田区发展和改革局",
                "情况分析",
                "当前，深圳正处于“双区”驱动的重大历史机遇期。",
                "福田区产业发展也面临一些突出问题。",
                "具体建议",
                "一、构建差异化竞争优势的现代化产业体系。",
                "二、充分发挥毗邻香港的区位优势。",
                "第2023161号",
            ],
        )


class ReplyCompilationDocxTests(DocumentScene):
    def test_every_sent_reply_of_the_session_is_there_by_number_in_the_letters_layout(self):
        content = reply_compilation_docx(reply_compilation(self.session, self.committee))
        lines = docx_text(content)
        anchors, marks = links_and_bookmarks(content)

        self.assertIn("答复汇编", lines)
        self.assertIn("共收录答复2件", lines)
        contents = lines[lines.index("目\u3000录") + 1 : lines.index("目\u3000录") + 3]
        self.assertEqual(
            contents,
            [
                f"第2023160号\u3000{REFERENCE_TITLE}（深圳市福田区工业和信息化局）",
                f"第2023161号\u3000{SCHOOLS_TITLE}（深圳市福田区教育局）",
            ],
        )
        self.assertEqual(len(anchors), 2)
        self.assertEqual(set(anchors), marks)
        # Each letter whole, in the letter's own order of lines, the first before the second.
        letters = [build_letter(self.reference_reply).lines, build_letter(self.schools_reply).lines]
        body = lines[lines.index("目\u3000录") + 3 :]
        self.assertEqual(body, letters[0] + letters[1])
        self.assertNotIn(FASHION_TITLE, "\n".join(lines))  # its reply is only a draft

    def test_each_letter_starts_on_a_new_page(self):
        from docx import Document

        document = Document(io.BytesIO(reply_compilation_docx(reply_compilation(self.session, self.committee))))
        starts = [p.text for p in document.paragraphs if p.paragraph_format.page_break_before]

        self.assertEqual(starts, ["目\u3000录", "福工信函〔2023〕160号", "福教函〔2023〕161号"])


class CompilationPrintViewTests(DocumentScene):
    def page(self, name: str, query: str = "", user=None) -> str:
        self.client.force_login(user or self.committee)
        response = self.client.get(reverse(name, args=[self.session.pk]) + query)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_print_view_lists_the_proposals_by_number_with_linked_contents(self):
        html = self.page("documents:compilation", "?order=number")

        numbers = re.findall(r'data-testid="compiled-proposal" data-number="(\d+)"', html)
        self.assertEqual(numbers, ["2023160", "2023161", "2023162", "2023163"])
        for proposal in (self.reference, self.schools, self.fashion, self.parking):
            self.assertIn(f'href="#proposal-{proposal.pk}"', html)
            self.assertIn(f'id="proposal-{proposal.pk}"', html)
        for title in LEFT_OUT:
            self.assertNotIn(title, html)
        self.assertIn("共收录提案4件", html)

    def test_the_print_view_by_category(self):
        html = self.page("documents:compilation", "?order=category")

        numbers = re.findall(r'data-testid="compiled-proposal" data-number="(\d+)"', html)
        self.assertEqual(numbers, ["2023160", "2023162", "2023161", "2023163"])
        self.assertEqual(
            re.findall(r'data-testid="compiled-category">([^<]+)<', html),
            ["经济建设", "文化教育", "其他提案（未分类）"],
        )

    def test_the_print_view_of_the_replies_draws_each_sent_letter(self):
        html = self.page("documents:reply_compilation")

        self.assertEqual(html.count('data-testid="compiled-reply"'), 2)
        self.assertEqual(html.count('data-testid="letter"'), 2)
        self.assertLess(html.index("福工信函〔2023〕160号"), html.index("福教函〔2023〕161号"))
        self.assertIn(f'href="#reply-{self.reference_reply.pk}"', html)

    def test_the_compilations_are_for_committee_staff_and_leaders(self):
        for name in ("documents:compilation", "documents:reply_compilation", "documents:compilations"):
            args = [self.session.pk] if name != "documents:compilations" else []
            url = reverse(name, args=args)
            for user, expected in (
                (self.committee, 200),
                (self.leader, 200),
                (self.chencheng, 403),
                (self.handler, 403),
                (self.unitlead, 403),
            ):
                self.client.force_login(user)
                with self.subTest(url=url, user=user.username):
                    self.assertEqual(self.client.get(url).status_code, expected)
            self.client.logout()
            self.assertEqual(self.client.get(url).status_code, 302)

    def test_the_print_views_ask_a_fixed_number_of_queries_whatever_the_sessions_size(self):
        self.client.force_login(self.committee)
        urls = [
            reverse("documents:compilation", args=[self.session.pk]) + "?order=category",
            reverse("documents:reply_compilation", args=[self.session.pk]),
        ]

        def counts() -> list[int]:
            found = []
            for url in urls:
                with CaptureQueriesContext(connection) as queries:
                    self.assertEqual(self.client.get(url).status_code, 200)
                found.append(len(queries))
            return found

        before = counts()
        for i in range(3):
            proposal = make_proposal(
                self.wangfang,
                self.session,
                title=f"关于福田区第{i}项民生实事的建议",
                status="submitted",
                category=self.culture,
            )
            (assignment,) = self.handling(
                [(self.other_unit, "lead")], proposal=accept_proposal(proposal, actor=self.committee)
            )
            self.contact(assignment)
            self.sent(assignment, letter_number=f"福教函〔2023〕{170 + i}号")

        self.assertEqual(counts(), before)
