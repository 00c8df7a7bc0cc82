"""The annual report's draft (年度提案办理情况报告, issue 21 item 8): on the demo data, every figure it states is
the dashboard's; the .docx opens with python-docx with each section, table and chart; LibreOffice turns
it into a PDF; the print view carries the same parts; only committee staff and leaders get it.

The dashboard's figures are read from the dashboard page itself (its context), computed afresh; the
report is then built with the cache emptied, so the two are computed separately from the live tables.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from accounts.models import User
from proposals.choices import ProposalStatus, SatisfactionRule
from proposals.models import Session
from responses.models import Suggestion

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
IN_MEMORY_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
HEADINGS = [
    "一、提案提交和立案情况",
    "二、承办单位和重点提案",
    "三、答复情况",
    "四、满意度测评情况",
    "五、逾期未答复情况",
    "六、各承办单位办理情况",
    "七、下一步工作",
]
CAPTIONS = [
    "图1\u3000提案办理状态",
    "图2\u3000答复函类别分布",
    "图3\u3000各承办单位答复情况",
    "图4\u3000提案人满意度测评",
]
ACCEPTED = ("accepted", "assigned", "replied", "closed")


def days(value) -> str:
    return "—" if value is None else f"{value:g}"


class ReportParts(HTMLParser):
    """The print view's text blocks (title, paragraphs, headings, captions) and tables, in order."""

    BLOCKS = {"h1", "h2", "p", "figcaption"}

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.images = 0
        self.inside = False
        self.text: list[str] | None = None
        self.row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.inside = True
        if not self.inside:
            return
        if tag in self.BLOCKS or tag in ("td", "th"):
            self.text = []
        if tag == "table":
            self.tables.append([])
        if tag == "tr":
            self.row = []
        if tag == "img":
            self.images += 1

    def handle_endtag(self, tag):
        if tag == "article":
            self.inside = False
        if tag == "tr" and self.row is not None:
            self.tables[-1].append(self.row)
            self.row = None
        if self.text is None:
            return
        text = "".join(self.text).strip()
        if tag in self.BLOCKS:
            self.blocks.append(text)
            self.text = None
        elif tag in ("td", "th"):
            self.row.append(text)
            self.text = None

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)


def print_parts(html: str) -> ReportParts:
    parser = ReportParts()
    parser.feed(html)
    return parser


def docx_tables(document) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def docx_paragraphs(document) -> list[str]:
    return [p.text.strip() for p in document.paragraphs if p.text.strip()]


@override_settings(STORAGES=IN_MEMORY_STORAGE, PASSWORD_HASHERS=FAST_HASHER)
class DemoReportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with override_settings(STORAGES=IN_MEMORY_STORAGE, PASSWORD_HASHERS=FAST_HASHER):
            call_command("seed_demo", "--force", stdout=StringIO())
        cls.session = Session.objects.get(is_current=True)
        cls.users = {user.username: user for user in User.objects.all()}

    def setUp(self) -> None:
        cache.clear()

    def dashboard(self) -> dict:
        """The dashboard page's own figures for the session, computed afresh."""
        cache.clear()
        self.client.force_login(self.users["leader"])
        response = self.client.get(reverse("dashboard:index"), {"session": self.session.pk})
        self.assertEqual(response.status_code, 200)
        cache.clear()  # the report computes its figures again
        return response.context

    def docx(self, user="committee"):
        from docx import Document

        self.client.force_login(self.users[user])
        response = self.client.get(reverse("dashboard:report_docx", args=[self.session.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        self.assertIn("attachment", response["Content-Disposition"])
        return Document(io.BytesIO(response.content)), response.content

    def print_view(self, user="committee"):
        self.client.force_login(self.users[user])
        response = self.client.get(reverse("dashboard:report", args=[self.session.pk]))
        self.assertEqual(response.status_code, 200)
        return response

    # The figures, section by section -----------------------------------------------------------

    def test_the_sections_come_in_order_under_the_title(self):
        document, _content = self.docx()
        paragraphs = docx_paragraphs(document)

        self.assertEqual(paragraphs[0], f"关于{self.session.full_name}提案办理情况的报告")
        self.assertRegex(paragraphs[1], r"^（初稿，数据截至\d{4}年\d{1,2}月\d{1,2}日）$")
        self.assertEqual([p for p in paragraphs if p in HEADINGS], HEADINGS)

    def test_proposals_received_accepted_merged_converted_and_not_accepted_are_the_dashboards(self):
        context = self.dashboard()
        cards = {card["status"]: card["count"] for card in context["status_cards"]}
        committee = self.users["committee"]
        converted = Suggestion.objects.visible_to(committee).filter(session=self.session).count()
        self.assertEqual(context["converted"], converted)  # the dashboard counts what the Suggestion list holds
        self.assertGreater(converted, 0)  # the demo has one: the figure is shown, not only zero
        self.assertContains(
            self.client.get(reverse("dashboard:index")), f"不予立案的提案中，{converted}件转为意见建议。"
        )
        expected = (
            f"共收到提案{context['total_proposals']}件。经审查，立案{sum(cards[s] for s in ACCEPTED)}件，"
            f"并案{cards['merged']}件，不予立案{cards['rejected']}件（其中转为意见建议{converted}件），"
            f"撤回{cards['withdrawn']}件，尚待审查{cards['submitted']}件。"
        )

        document, _content = self.docx()

        self.assertIn(expected, docx_paragraphs(document))
        categories = [
            [r["name"], str(r["total"]), str(r["handling"]), str(r["answered"])] for r in context["category_rows"]
        ]
        self.assertIn([["类别", "合计", "已立案、办理中", "已答复或办结"], *categories], docx_tables(document))

    def test_units_and_key_proposals_with_their_supervisors_are_the_dashboards(self):
        context = self.dashboard()
        total = context["unit_total"]["figures"]
        expected = (
            f"立案提案交由{len(context['unit_rows'])}个承办单位办理，共交办{total.assigned}件次，"
            f"其中主办、分办{total.owed}件次（负责答复），会办{total.cohandling}件次（已提出会办意见{total.opinions}件次）。"
        )
        key = [(p.number, p.title, p.supervisor.display_name, p.lead_unit) for p in context["key_rows"]]
        self.assertEqual(len(key), context["key_total"])  # the demo's few key proposals all show on the page
        self.assertGreater(len(key), 0)

        document, _content = self.docx()

        paragraphs = docx_paragraphs(document)
        self.assertIn(expected, paragraphs)
        self.assertIn(f"确定重点提案{context['key_total']}件，由领导领衔督办：", paragraphs)
        table = next(t for t in docx_tables(document) if t[0][:3] == ["提案号", "提案", "督办领导"])
        self.assertEqual([(row[0], row[1], row[2], row[3]) for row in table[1:]], key)

    def test_replies_on_time_and_the_category_mix_are_the_dashboards(self):
        context = self.dashboard()
        row = context["unit_total"]
        total = row["figures"]
        self.assertGreater(total.replied, 0)
        expected = (
            f"应答复{total.owed}件次，已答复{total.replied}件次，尚在办理{total.open}件次；"
            f"已答复中按期答复{total.on_time}件次，按期答复率{row['on_time_rate']}；平均办理{days(total.average_days)}天。"
        )
        names = {c.code: c.name for c in context["reply_categories"]}
        sent = sum(n for _code, n in row["category_cells"])

        document, _content = self.docx()

        paragraphs = docx_paragraphs(document)
        self.assertIn(expected, paragraphs)
        mix = next(p for p in paragraphs if p.startswith(f"已发出的{sent}件答复函中"))
        for code, n in row["category_cells"]:
            share = f"{n * 100 / sent:.1f}%"
            self.assertIn(f"{code}类（{names[code]}）{n}件，占{share}", mix)

    def test_satisfaction_follows_the_sessions_rule_as_the_dashboard_does(self):
        for rule in (SatisfactionRule.SATISFIED_OR_BASICALLY, SatisfactionRule.SATISFIED_ONLY):
            with self.subTest(rule=rule):
                Session.objects.filter(pk=self.session.pk).update(satisfaction_rule=rule)
                context = self.dashboard()
                row = context["unit_total"]
                result, attitude = row["figures"].result, row["figures"].attitude
                expected = (
                    f"提案人对办理结果测评{sum(result.values())}份，其中满意{result['satisfied']}份、"
                    f"基本满意{result['basically']}份、不满意{result['dissatisfied']}份；"
                    f"对办理态度测评{sum(attitude.values())}份，其中满意{attitude['satisfied']}份、"
                    f"基本满意{attitude['basically']}份、不满意{attitude['dissatisfied']}份。"
                    f"按本次会议的计算口径（{SatisfactionRule(rule).label}），办理结果满意率为{row['satisfied_rate']}。"
                )

                document, _content = self.docx()

                self.assertIn(expected, docx_paragraphs(document))
        self.assertEqual(row["satisfied_rate"], "0.0%")  # the demo's ratings: 基本满意 and 不满意

    def test_units_with_overdue_replies_and_each_units_figures_are_the_dashboards(self):
        context = self.dashboard()
        late = [r for r in context["unit_rows"] if r["figures"].overdue]
        self.assertGreater(len(late), 0)

        def cells(row, name):
            f = row["figures"]
            return [name, str(f.assigned), str(f.replied), str(f.on_time), str(f.overdue)] + [
                days(f.average_days),
                row["satisfied_rate"],
            ]

        document, _content = self.docx()

        paragraphs, tables = docx_paragraphs(document), docx_tables(document)
        overdue = sum(r["figures"].overdue for r in late)
        self.assertTrue(any(re.search(f"，{len(late)}个承办单位有{overdue}件次逾期未答复：$", p) for p in paragraphs))
        self.assertIn(
            [["承办单位", "逾期未答复", "尚未答复"]]
            + [[r["name"], str(r["figures"].overdue), str(r["figures"].open)] for r in late],
            tables,
        )
        longest = next(t for t in tables if t[0] == ["提案号", "提案", "单位", "答复期限", "逾期天数"])
        self.assertEqual([row[0] for row in longest[1:]], [a.proposal.number for a in context["overdue_rows"]])
        units = next(t for t in tables if t[0][0] == "承办单位" and len(t[0]) == 7)
        self.assertEqual(units[1:-1], [cells(r, r["name"]) for r in context["unit_rows"]])
        self.assertEqual(units[-1], cells(context["unit_total"], "合计"))

    # The document ------------------------------------------------------------------------------

    def test_the_charts_are_images_in_the_docx_with_their_captions(self):
        from docx.shared import Cm

        document, _content = self.docx()

        shapes = document.inline_shapes
        self.assertEqual(len(shapes), len(CAPTIONS))
        for shape in shapes:
            blip = shape._inline.graphic.graphicData.pic.blipFill.blip
            part = document.part.related_parts[blip.embed]
            self.assertEqual(part.content_type, "image/png")
            self.assertTrue(part.blob.startswith(b"\x89PNG"))
            self.assertLessEqual(shape.width, Cm(15.6))
        paragraphs = docx_paragraphs(document)
        self.assertEqual([p for p in paragraphs if p.startswith("图")], CAPTIONS)

    def test_the_docx_is_an_a4_page_in_the_letters_layout_with_official_page_numbers(self):
        document, _content = self.docx()

        section = document.sections[0]
        self.assertEqual((round(section.page_width.cm, 1), round(section.page_height.cm, 1)), (21.0, 29.7))
        self.assertEqual(
            [
                round(m.cm, 1)
                for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
            ],
            [3.7, 3.5, 2.8, 2.6],
        )
        xml = document.element.xml
        for font in ("仿宋_GB2312", "方正小标宋简体", "黑体"):
            self.assertIn(font, xml)
        self.assertEqual(section.footer.paragraphs[0].text, "— 1 —")

    def test_the_print_view_carries_the_same_parts_as_the_docx(self):
        document, _content = self.docx()

        response = self.print_view()

        parts = print_parts(response.content.decode())
        self.assertEqual(parts.blocks, docx_paragraphs(document))
        self.assertEqual(parts.tables, docx_tables(document))
        self.assertEqual(parts.images, len(CAPTIONS))
        self.assertContains(response, 'src="data:image/png;base64,')
        self.assertContains(response, reverse("dashboard:report_docx", args=[self.session.pk]))
        self.assertContains(response, "css/report.css")
        self.assertNotContains(response, "<script")

    def test_the_report_is_in_chinese_whatever_the_readers_language(self):
        self.client.force_login(self.users["leader"])
        response = self.client.get(reverse("dashboard:report", args=[self.session.pk]), HTTP_ACCEPT_LANGUAGE="en")

        self.assertContains(response, HEADINGS[0])
        self.assertContains(response, "Download as Word (.docx)")  # the page around it is the reader's

    def test_without_a_chinese_font_the_charts_are_left_out_with_a_note(self):
        with mock.patch("dashboard.report_charts.cjk_font", return_value=None):
            document, _content = self.docx()
            response = self.print_view()

        note = "本稿未附图表：服务器未安装中文字体（fonts-noto-cjk 或 fonts-wqy-microhei），安装后重新生成即可。"
        self.assertEqual(len(document.inline_shapes), 0)
        self.assertIn(note, docx_paragraphs(document))
        self.assertContains(response, note)
        self.assertEqual(print_parts(response.content.decode()).images, 0)

    @pytest.mark.skipif(
        shutil.which("soffice") is None, reason="needs LibreOffice (apt-get install libreoffice-writer)"
    )
    def test_libreoffice_converts_it_to_a_pdf_and_reads_every_section(self):
        _document, content = self.docx()

        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "report.docx"
            source.write_bytes(content)
            profile = Path(tmp) / "profile"  # a private profile: parallel runs must not share LibreOffice's lock
            for target in ("pdf", "txt:Text"):
                subprocess.run(  # noqa: S603 - fixed arguments
                    ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", target]
                    + ["--outdir", tmp, str(source)],
                    check=True,
                    capture_output=True,
                    timeout=180,
                    env={**os.environ, "HOME": tmp},
                )
            pdf = (Path(tmp) / "report.pdf").read_bytes()
            text = (Path(tmp) / "report.txt").read_text(encoding="utf-8-sig")

        self.assertTrue(pdf.startswith(b"%PDF-"))
        self.assertGreaterEqual(len(re.findall(rb"/Type\s*/Page\b", pdf)), 2)
        lines = [line.strip() for line in text.splitlines()]
        self.assertEqual([line for line in lines if line in HEADINGS], HEADINGS)

    def test_it_asks_the_database_the_same_number_of_times_whatever_the_number_of_key_proposals(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from proposals.services import mark_key_proposal

        url = reverse("dashboard:report_docx", args=[self.session.pk])
        self.client.force_login(self.users["committee"])

        def queries() -> int:
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(url).status_code, 200)
            return len(captured)

        before = queries()
        more = self.session.proposals.filter(status=ProposalStatus.ASSIGNED, is_key=False)[:2]
        self.assertEqual(len(more), 2)
        for proposal in more:
            mark_key_proposal(proposal, actor=self.users["committee"], supervisor=self.users["leader"])

        self.assertEqual(queries(), before)
        key = self.session.proposals.filter(is_key=True).count()
        self.assertIn(f"确定重点提案{key}件，由领导领衔督办：", docx_paragraphs(self.docx()[0]))

    # Who may have it, and where it is offered --------------------------------------------------

    def test_only_committee_staff_and_leaders_get_it(self):
        urls = [reverse(name, args=[self.session.pk]) for name in ("dashboard:report", "dashboard:report_docx")]
        answers = {"chencheng": 403, "handler": 403, "unitlead": 403, "committee": 200, "leader": 200}
        for url in urls:
            self.client.logout()
            self.assertRedirects(self.client.get(url), f"{reverse('login')}?next={url}", fetch_redirect_response=False)
            for username, status in answers.items():
                with self.subTest(url=url, user=username):
                    self.client.force_login(self.users[username])
                    self.assertEqual(self.client.get(url).status_code, status)
        self.client.force_login(self.users["leader"])
        self.assertEqual(self.client.get(reverse("dashboard:report", args=[999999])).status_code, 404)

    def test_the_dashboard_offers_it_to_committee_staff_and_leaders_for_the_session_shown(self):
        links = [reverse(name, args=[self.session.pk]) for name in ("dashboard:report", "dashboard:report_docx")]
        for username, offered in (("committee", True), ("leader", True), ("handler", False), ("unitlead", False)):
            with self.subTest(user=username):
                cache.clear()
                self.client.force_login(self.users[username])
                response = self.client.get(reverse("dashboard:index"), {"session": self.session.pk})
                for link in links:
                    self.assertEqual(f'href="{link}"' in response.content.decode(), offered)
        self.client.force_login(self.users["leader"])
        everything = self.client.get(reverse("dashboard:index"), {"session": "all"})
        self.assertNotContains(everything, 'data-testid="report-offer"')

    def test_an_older_session_has_its_own_report(self):
        older = Session.objects.get(term=6, meeting=3)
        self.client.force_login(self.users["committee"])

        response = self.client.get(reverse("dashboard:report", args=[older.pk]))

        self.assertContains(response, f"关于{older.full_name}提案办理情况的报告")
        self.assertContains(response, "共收到提案1件。")
        self.assertContains(response, "本次会议未确定重点提案。")
        self.assertContains(response, "没有逾期未答复的提案。")
        self.assertEqual(
            older.proposals.filter(status=ProposalStatus.CLOSED).count(), 1
        )  # the reference case 第2023160号, closed
