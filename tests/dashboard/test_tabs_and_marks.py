"""The dashboard's tabs (issue 18, item 9), re-handled proposals marked in its lists and the export's
reply columns (item 12)."""

from __future__ import annotations

import io
import re

from django.core.cache import cache
from openpyxl import load_workbook

from proposals.models import Proposal
from responses.models import Assignment
from tests.dashboard.helpers_dashboard import DashboardData

TABS = re.compile(r'<nav class="dash-tabs"[^>]*>(.*?)</nav>', re.S)


class TabTests(DashboardData):
    def tab_links(self, url: str) -> list[str]:
        cache.clear()
        self.client.force_login(self.leader)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        nav = TABS.search(response.content.decode())
        self.assertIsNotNone(nav, "the page has no tabs")
        return re.findall(r'<a href="([^"]*)"', nav.group(1))

    def test_every_tab_of_the_overview_links_somewhere(self):
        # The overview is drawn from cached data: its tabs must still get the request's addresses.
        for attempt in ("computed", "from the cache"):
            with self.subTest(attempt=attempt):
                self.client.force_login(self.leader)
                response = self.client.get("/dashboard/")
                nav = TABS.search(response.content.decode())
                self.assertEqual(
                    re.findall(r'<a href="([^"]*)"', nav.group(1)),
                    ["/dashboard/", "/dashboard/proposals/", "/dashboard/assignments/"],
                )

    def test_the_list_pages_have_the_same_tabs(self):
        for url in ("/dashboard/proposals/", "/dashboard/assignments/"):
            with self.subTest(url=url):
                self.assertEqual(
                    self.tab_links(url), ["/dashboard/", "/dashboard/proposals/", "/dashboard/assignments/"]
                )


class RehandlingMarkTests(DashboardData):
    def test_a_proposal_in_its_second_round_is_marked_in_both_lists(self):
        Proposal.objects.filter(pk=self.p3.pk).update(handling_round=2)
        Assignment.objects.filter(pk=self.a3.pk).update(round=2)
        self.client.force_login(self.committee)
        proposals = self.client.get("/dashboard/proposals/", {"session": self.session.pk}).content.decode()
        row = re.search(rf'<tr data-pk="{self.p3.pk}">.*?</tr>', proposals, re.S).group(0)
        self.assertIn("重新办理（第2轮）", row)
        self.assertEqual(proposals.count('data-testid="rehandled"'), 1)
        assignments = self.client.get("/dashboard/assignments/", {"session": self.session.pk}).content.decode()
        row = re.search(rf'<tr data-pk="{self.a3.pk}">.*?</tr>', assignments, re.S).group(0)
        self.assertIn("重新办理（第2轮）", row)
        self.assertEqual(assignments.count('data-testid="rehandled"'), 1)


class ExportReplyColumnTests(DashboardData):
    def test_the_proposal_export_gives_reply_category_date_and_satisfaction(self):
        self.client.force_login(self.committee)
        response = self.client.get("/dashboard/proposals/export.xlsx", {"session": self.session.pk})
        rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
        self.assertEqual(rows[0][-4:], ("办理轮次", "答复类别", "答复日期", "办理结果满意度"))
        by_number = {row[0]: row for row in rows[1:]}
        # p4: the lead unit's reply A, sent 2026-03-02, rated 基本满意 for the result.
        self.assertEqual(by_number["2023002"][-4:-2], (1, "A"))
        self.assertEqual(by_number["2023002"][-2].date().isoformat(), "2026-03-02")
        self.assertEqual(by_number["2023002"][-1], "基本满意 1")
        # p5: two separate units' replies B and C; the last sent 2026-02-20; one 满意, one 不满意.
        self.assertEqual(by_number["2023003"][-3], "C、B")
        self.assertEqual(by_number["2023003"][-2].date().isoformat(), "2026-02-20")
        self.assertEqual(by_number["2023003"][-1], "满意 1、不满意 1")
        # p3: handling, no reply yet.
        self.assertEqual(by_number["2023001"][-3:], (None, None, None))
