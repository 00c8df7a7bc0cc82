"""The proposal form (提案单): its parts in the .docx (python-docx) and in the print view, the review decision of
each kind of proposal, its language, who may open it and the pages that offer it."""

from __future__ import annotations

import io
from html.parser import HTMLParser

from django.urls import reverse

from tests.documents.helpers import ACCEPT_NOTE, DocumentScene, docx_text
from tests.responses.helpers_units import REFERENCE_TITLE

SESSION = "深圳市福田区政协第六届第三次会议"
GONGXIN = "深圳市福田区工业和信息化局"
FAGAI = "深圳市福田区发展和改革局"


class IdText(HTMLParser):
    """The text of every element that carries a data-testid, by testid (a list: some repeat)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, list[str]] = {}
        self.open: list[tuple[str, str | None, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("meta", "link", "col", "input", "br", "img"):
            return
        self.open.append((tag, dict(attrs).get("data-testid"), []))

    def handle_endtag(self, tag):
        while self.open:
            name, testid, text = self.open.pop()
            joined = "".join(text).strip()
            if testid:
                self.found.setdefault(testid, []).append(joined)
            if self.open:
                self.open[-1][2].append(joined if name in ("p",) else "".join(text))
            if name == tag:
                break

    def handle_data(self, data):
        if self.open:
            self.open[-1][2].append(data)


def by_testid(html: str) -> dict[str, list[str]]:
    parser = IdText()
    parser.feed(html)
    return parser.found


class ProposalFormDocxTests(DocumentScene):
    def docx(self, proposal, user=None) -> list[str]:
        self.client.force_login(user or self.committee)
        response = self.client.get(reverse("documents:proposal_form_docx", args=[proposal.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        return docx_text(response.content)

    def test_the_form_of_the_reference_case_has_every_part_as_the_committee_files_it(self):
        lines = self.docx(self.reference)

        expected_in_order = [
            SESSION,
            "提　案　单",
            "提案号",
            "第2023160号",
            "提案类别",
            "经济建设",
            "会　次",
            SESSION,
            "提案形式",
            "联名提案",
            "提交日期",
            "案　由",
            REFERENCE_TITLE,
            "提案人",
            "姓名",
            "界别",
            "工作单位及职务",
            "陈澄（第一提案人）",
            "经济界",
            "深圳市某时尚科技有限公司董事长",
            "王芳（联名人）",
            "教育界",
            "福田区某中学校长",
            "情况分析",
            "当前，深圳正处于“双区”驱动的重大历史机遇期。",
            "福田区产业发展也面临一些突出问题。",
            "具体建议",
            "一、构建差异化竞争优势的现代化产业体系。",
            "二、充分发挥毗邻香港的区位优势。",
            "建议承办单位",
            GONGXIN,
            "审查意见",
            "立案\u3000（2023年3月1日）",
            ACCEPT_NOTE,
            "承办单位",
            f"主办单位：{GONGXIN}",
            f"会办单位：{FAGAI}",
        ]
        self.assertEqual([line for line in lines if line in expected_in_order], expected_in_order)

    def test_the_form_is_an_a4_page_in_the_official_fonts_with_numbered_pages(self):
        from docx import Document

        self.client.force_login(self.committee)
        response = self.client.get(reverse("documents:proposal_form_docx", args=[self.reference.pk]))
        document = Document(io.BytesIO(response.content))

        section = document.sections[0]
        self.assertEqual((round(section.page_width.cm, 1), round(section.page_height.cm, 1)), (21.0, 29.7))
        self.assertEqual(round(section.left_margin.cm, 1), 2.8)
        self.assertEqual(round(section.top_margin.cm, 1), 3.7)
        xml = document.element.xml + document.styles.element.xml
        for font in ("仿宋_GB2312", "方正小标宋简体", "黑体"):
            self.assertIn(font, xml)
        self.assertEqual(section.footer.paragraphs[0].text, "— 1 —")
        self.assertEqual(len(document.tables), 1)

    def test_the_review_decision_reads_as_recorded_for_each_kind_of_proposal(self):
        rejected = self.docx(self.rejected)
        self.assertIn("不予立案\u3000（2023年3月1日）", rejected)
        self.assertIn("涉及个人或私人事务；属个人事务，建议通过信访渠道反映。", rejected)

        merged = self.docx(self.merged)
        self.assertIn("并案\u3000（2023年3月1日）", merged)
        self.assertIn(f"并入第2023162号提案《{self.fashion.title}》。 与第2023162号内容相近。", merged)

        submitted = self.docx(self.waiting)
        self.assertIn("待审查", submitted)
        numbers = submitted[submitted.index("提案号") + 1]
        self.assertEqual(numbers, "—")  # no number before 立案
        self.assertEqual(submitted[submitted.index("承办单位") + 1], "—")

    def test_the_form_is_in_chinese_whatever_the_readers_language(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(
            reverse("documents:proposal_form", args=[self.reference.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
        found = by_testid(response.content.decode())

        self.assertEqual(found["form-number"], ["第2023160号"])
        self.assertEqual(found["form-decision"], [f"立案\u3000（2023年3月1日）\n            {ACCEPT_NOTE}"])
        self.assertIn("提　案　单", response.content.decode())


class ProposalFormPrintViewTests(DocumentScene):
    def test_the_print_view_shows_the_same_parts_in_the_letters_a4_sheet(self):
        self.client.force_login(self.committee)
        response = self.client.get(reverse("documents:proposal_form", args=[self.reference.pk]))
        html = response.content.decode()
        found = by_testid(html)

        self.assertEqual(response.status_code, 200)
        self.assertIn("css/letter.css", html)
        self.assertIn("css/document.css", html)
        self.assertEqual(found["form-session"], [SESSION])
        self.assertEqual(found["form-title"], [REFERENCE_TITLE])
        self.assertEqual(found["form-category"], ["经济建设"])
        self.assertEqual(
            found["form-proposer"],
            [
                "陈澄（第一提案人）经济界深圳市某时尚科技有限公司董事长",
                "王芳（联名人）教育界福田区某中学校长",
            ],
        )
        self.assertEqual(found["form-suggested-units"], [GONGXIN])
        self.assertEqual(found["form-units"], [f"主办单位：{GONGXIN}会办单位：{FAGAI}"])
        self.assertIn(reverse("documents:proposal_form_docx", args=[self.reference.pk]), html)


class ProposalFormAccessTests(DocumentScene):
    """Whoever may see the proposal (Proposal.objects.visible_to) gets its form; anyone else 404."""

    def status(self, user, proposal, name="documents:proposal_form") -> int:
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        return self.client.get(reverse(name, args=[proposal.pk])).status_code

    def test_the_proposers_the_units_handling_it_and_oversight_open_it_and_nobody_else(self):
        for name in ("documents:proposal_form", "documents:proposal_form_docx"):
            for user, expected in (
                (self.chencheng, 200),
                (self.wangfang, 200),
                (self.lihua, 404),
                (self.handler, 200),
                (self.third_handler, 200),
                (self.other_handler, 404),
                (self.committee, 200),
                (self.leader, 200),
                (None, 302),
            ):
                with self.subTest(name=name, user=user and user.username):
                    self.assertEqual(self.status(user, self.reference, name), expected)

    def test_a_draft_form_is_its_proposers_own(self):
        self.assertEqual(self.status(self.chencheng, self.own_draft), 200)
        self.assertEqual(self.status(self.committee, self.own_draft), 404)
        self.assertEqual(self.status(self.leader, self.own_draft), 404)

    def test_a_unit_sees_on_the_form_only_the_handling_units_it_may_see(self):
        self.client.force_login(self.handler)
        found = by_testid(
            self.client.get(reverse("documents:proposal_form", args=[self.reference.pk])).content.decode()
        )

        self.assertEqual(found["form-units"], [f"主办单位：{GONGXIN}"])

    def test_the_members_page_and_the_staff_pages_offer_the_form(self):
        form_url = reverse("documents:proposal_form", args=[self.reference.pk])
        assignment = self.reference.assignments.get(unit=self.unit)
        for user, page in (
            (self.chencheng, reverse("portal:proposal_detail", args=[self.reference.pk])),
            (self.wangfang, reverse("portal:proposal_detail", args=[self.reference.pk])),
            (self.committee, reverse("admin:proposals_proposal_change", args=[self.reference.pk])),
            (self.committee, reverse("admin:proposals_proposal_supervision", args=[self.reference.pk])),
            (self.leader, reverse("admin:proposals_proposal_change", args=[self.reference.pk])),
            (self.handler, reverse("admin:responses_assignment_handle", args=[assignment.pk])),
        ):
            self.client.force_login(user)
            with self.subTest(user=user.username, page=page):
                response = self.client.get(page)
                self.assertEqual(response.status_code, 200)
                self.assertIn(form_url, response.content.decode())
