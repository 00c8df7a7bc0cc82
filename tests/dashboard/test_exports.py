"""Excel exports: exactly the filtered rows, the list's permissions, streamed, and safe from formula injection."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

from openpyxl import load_workbook

from accounts.models import Unit
from dashboard import lists, xlsx
from proposals.choices import ProposalStatus
from proposals.models import Category, Proposal
from tests.base import make_proposal
from tests.dashboard.helpers_dashboard import DashboardData

PROPOSALS = "/dashboard/proposals/export.xlsx"
ASSIGNMENTS = "/dashboard/assignments/export.xlsx"


class ExportTestCase(DashboardData):
    def download(self, user, url, **params):
        self.client.force_login(user)
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.streaming)
        self.assertEqual(response["Content-Type"], lists.XLSX)
        self.assertIn("attachment", response["Content-Disposition"])
        return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active

    @staticmethod
    def values(sheet) -> list[tuple]:
        return list(sheet.iter_rows(values_only=True))


class ProposalExportTests(ExportTestCase):
    def test_the_export_holds_exactly_the_filtered_rows_with_their_values(self):
        sheet = self.download(self.committee, PROPOSALS, status=["assigned", "replied"], session=self.session.pk)
        rows = self.values(sheet)
        self.assertEqual(len(rows[0]), 16)
        self.assertEqual(rows[0][0], "提案号")  # the site's language, zh-hans
        self.assertEqual(
            [row[:9] for row in rows[1:]],
            [
                (
                    "2023004",
                    "六届三次会议",
                    "关于改善公共停车设施的建议",
                    "李华",
                    None,
                    "个人提案",
                    "办理中",
                    None,
                    None,
                ),
                (
                    "2023002",
                    "六届三次会议",
                    "关于提升社区养老服务的建议",
                    "陈澄",
                    "社会事业",
                    "个人提案",
                    "已答复",
                    None,
                    None,
                ),
                (
                    "2023001",
                    "六届三次会议",
                    "关于推动福田时尚产业发展的建议",
                    "陈澄",
                    "经济建设",
                    "个人提案",
                    "办理中",
                    "是",
                    "周主席",
                ),
            ],
        )
        # Units of the current round, returned ones left out.
        self.assertEqual(
            [row[9] for row in rows[1:]],
            [
                "深圳市福田区工业和信息化局、深圳市福田区发展和改革局",
                "深圳市福田区工业和信息化局、深圳市福田区发展和改革局",
                "深圳市福田区工业和信息化局、深圳市福田区教育局",
            ],
        )

    def test_the_lead_unit_comes_first_and_the_list_names_it_too_whatever_order_units_were_assigned_in(self):
        from responses.choices import AssignmentRole, AssignmentStatus
        from responses.list_columns import refresh_units
        from tests.dashboard.helpers_dashboard import assignment

        proposal = make_proposal(
            self.wangfang,
            self.session,
            title="关于优化园区交通的建议",
            status=ProposalStatus.ASSIGNED,
            number="2023009",
        )
        due = dt.date(2026, 5, 1)
        handling = AssignmentStatus.HANDLING
        assignment(proposal, self.other_unit, self.committee, role=AssignmentRole.COHANDLING, status=handling, due=due)
        assignment(proposal, self.unit, self.committee, role=AssignmentRole.LEAD, status=handling, due=due)
        refresh_units(proposal)  # assignments made without the assigning service
        rows = {row[0]: row for row in self.values(self.download(self.committee, PROPOSALS, q="2023009"))}
        self.assertEqual(rows["2023009"][9], "深圳市福田区工业和信息化局、深圳市福田区教育局")
        self.client.force_login(self.committee)
        page = self.client.get("/dashboard/proposals/", {"q": "2023009"}).content.decode()
        self.assertIn('<td data-label="承办单位">区工信局 <span class="muted small">+1</span></td>', page)

    def test_every_row_over_several_batches_and_nothing_else(self):
        for i in range(11):
            make_proposal(self.wangfang, self.session, title=f"关于批量第{i}项的建议", status=ProposalStatus.SUBMITTED)
        with mock.patch.object(lists, "EXPORT_BATCH", 4):
            sheet = self.download(self.committee, PROPOSALS, status="submitted")
        titles = [row[2] for row in self.values(sheet)[1:]]
        self.assertEqual(len(titles), 12)
        self.assertEqual(len(set(titles)), 12)
        self.assertEqual(titles[0], "关于批量第10项的建议")  # newest first, like the list

    def test_unit_staff_export_only_their_units_rows(self):
        sheet = self.download(self.handler, PROPOSALS)
        self.assertEqual({row[0] for row in self.values(sheet)[1:]}, {"2023001", "2023002", "2023004", "2022001"})

    def test_cells_that_look_like_formulas_stay_text(self):
        make_proposal(
            self.chencheng,
            self.session,
            title='=HYPERLINK("http://evil.example","点我")',
            status=ProposalStatus.SUBMITTED,
        )
        make_proposal(self.chencheng, self.session, title="+1+1", status=ProposalStatus.SUBMITTED)
        make_proposal(self.chencheng, self.session, title="@SUM(A1)", status=ProposalStatus.SUBMITTED)
        make_proposal(self.chencheng, self.session, title="-2-3", status=ProposalStatus.SUBMITTED)
        sheet = self.download(self.committee, PROPOSALS, status="submitted")
        cells = {row[2].value: row[2] for row in sheet.iter_rows(min_row=2)}
        for text in ('=HYPERLINK("http://evil.example","点我")', "+1+1", "@SUM(A1)", "-2-3"):
            with self.subTest(text=text):
                self.assertEqual(cells[text].data_type, "s")
                self.assertTrue(cells[text].quotePrefix)
        self.assertFalse(cells["关于福田区构建具有竞争力的现代化产业体系的建议"].quotePrefix)

    def test_characters_a_spreadsheet_cannot_hold_are_dropped_not_a_broken_download(self):
        # Pasted from other documents: control characters, and U+FFFE/U+FFFF that openpyxl lets through
        # but lxml refuses halfway through the stream.
        Proposal.objects.filter(pk=self.p3.pk).update(title="关于\x01推动\x1b福田\ufffe时尚产业发展\uffff的建议")
        Proposal.objects.filter(pk=self.p6.pk).update(title='\x01=HYPERLINK("http://evil.example")')
        Unit.objects.filter(pk=self.unit.pk).update(name="深圳市福田区\x07工业和信息化局\ufffe")
        Category.objects.filter(pk=self.category.pk).update(name="经济\x0b建设")
        rows = {row[0]: row for row in self.values(self.download(self.committee, PROPOSALS, status="assigned"))}
        self.assertEqual(rows["2023001"][2], "关于推动福田时尚产业发展的建议")
        self.assertEqual(rows["2023001"][4], "经济建设")
        self.assertEqual(rows["2023001"][9], "深圳市福田区工业和信息化局、深圳市福田区教育局")
        sheet = self.download(self.committee, ASSIGNMENTS, unit=self.unit.pk)
        cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
        self.assertEqual(
            (cells["2023001"][2].value, cells["2023001"][3].value),
            ("关于推动福田时尚产业发展的建议", "深圳市福田区工业和信息化局"),
        )
        # Still text, never a formula, once the control character in front of it is gone.
        self.assertEqual(cells["2023004"][2].value, '=HYPERLINK("http://evil.example")')
        self.assertEqual(cells["2023004"][2].data_type, "s")
        self.assertTrue(cells["2023004"][2].quotePrefix)

    def test_bad_filters_get_the_list_page_with_the_message(self):
        self.client.force_login(self.committee)
        response = self.client.get(PROPOSALS, {"status": "nonsense"})
        self.assertEqual(response.status_code, 400)
        # The list page itself, with its filter bar saying what is wrong, not a spreadsheet.
        self.assertEqual(response["Content-Type"], "text/html; charset=utf-8")
        self.assertContains(response, '<div class="form-errors" role="alert">', status_code=400)
        self.assertContains(response, 'id="result-table"', count=0, status_code=400)


class AssignmentExportTests(ExportTestCase):
    def test_the_export_holds_exactly_the_filtered_assignments(self):
        sheet = self.download(self.committee, ASSIGNMENTS, overdue="true")
        rows = self.values(sheet)
        self.assertEqual(
            [row for row in rows[1:]],
            [
                (
                    "2023004",
                    "六届三次会议",
                    "关于改善公共停车设施的建议",
                    "深圳市福田区发展和改革局",
                    "分办单位",
                    "办理中",
                    1,
                    dt.datetime(2026, 1, 5),
                    dt.datetime(2026, 3, 17),
                    None,
                    1,
                ),
                (
                    "2023001",
                    "六届三次会议",
                    "关于推动福田时尚产业发展的建议",
                    "深圳市福田区工业和信息化局",
                    "主办单位",
                    "办理中",
                    1,
                    dt.datetime(2026, 1, 5),
                    dt.datetime(2026, 3, 8),
                    None,
                    10,
                ),
            ],
        )

    def test_unit_staff_export_only_their_units_assignments(self):
        sheet = self.download(self.other_handler, ASSIGNMENTS)
        self.assertEqual({row[3] for row in self.values(sheet)[1:]}, {"深圳市福田区教育局"})
        self.assertEqual(len(self.values(sheet)) - 1, 3)


class StreamingTests(ExportTestCase):
    def test_a_large_sheet_leaves_in_several_chunks_and_reads_back_whole(self):
        rows = ((f"2023{i:06d}", f"关于第{i}项工作的建议", i, dt.date(2026, 1, 1)) for i in range(20_000))
        chunks = list(xlsx.stream_xlsx("提案", ["提案号", "案由", "序号", "日期"], rows))
        self.assertGreater(len(chunks), 3)
        sheet = load_workbook(io.BytesIO(b"".join(chunks)), read_only=True).active
        values = list(sheet.iter_rows(values_only=True))
        self.assertEqual(len(values), 20_001)
        self.assertEqual(values[-1][:3], ("2023019999", "关于第19999项工作的建议", 19999))

    def test_control_characters_are_dropped_rather_than_breaking_the_file(self):
        data = b"".join(xlsx.stream_xlsx("t", ["a"], [("第一行\x0b第二行",)]))
        self.assertEqual(load_workbook(io.BytesIO(data)).active["A2"].value, "第一行第二行")
