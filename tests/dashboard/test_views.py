"""The dashboard page: who may see it, every figure against the hand count, drill-down links, fixed queries."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from unittest import mock

import time_machine
from django.core.cache import cache
from django.urls import reverse

from accounts.choices import Role
from proposals.choices import ProposalStatus
from proposals.models import Proposal
from proposals.services import submit_proposal
from responses.choices import AssignmentStatus
from tests.base import make_proposal, make_user
from tests.dashboard.helpers_dashboard import LEAD, NOW, DashboardData, assignment, days

URL = "/dashboard/"


class DashboardPage(DashboardData):
    def get(self, user, **params):
        """The page computed afresh."""
        cache.clear()
        self.client.force_login(user)
        return self.client.get(URL, params)

    @staticmethod
    def statuses(response) -> dict[str, int]:
        return {card["status"]: card["count"] for card in response.context["status_cards"] if card["count"]}

    def units(self, response) -> dict[str, tuple]:
        """unit name -> (assigned, replied, owed, on time, overdue, average days)."""
        rows = {}
        for row in response.context["unit_rows"]:
            f = row["figures"]
            rows[row["name"]] = (f.assigned, f.replied, f.owed, f.on_time, f.overdue, f.average_days)
        return rows


class AccessTests(DashboardPage):
    def test_anonymous_visitors_are_sent_to_the_login_page(self):
        response = self.client.get(URL)
        self.assertRedirects(response, f"{reverse('login')}?next={URL}", fetch_redirect_response=False)

    def test_members_are_refused(self):
        for member in (self.chencheng, self.lihua):
            with self.subTest(member=member.username):
                self.assertEqual(self.get(member).status_code, 403)

    def test_every_staff_role_may_see_it(self):
        for user in (self.committee, self.leader, self.handler, self.unitlead, self.other_handler):
            with self.subTest(user=user.username):
                response = self.get(user)
                self.assertEqual(response.status_code, 200)
                self.assertTemplateUsed(response, "dashboard/index.html")

    def test_the_floor_page_answers_a_few_bytes_to_staff_only(self):
        self.assertEqual(self.client.get("/dashboard/ping").status_code, 302)
        self.client.force_login(self.chencheng)
        self.assertEqual(self.client.get("/dashboard/ping").status_code, 403)
        self.client.force_login(self.leader)
        response = self.client.get("/dashboard/ping")
        self.assertEqual((response.status_code, response.content), (200, b"ok\n"))


class FigureTests(DashboardPage):
    def test_the_current_session_is_shown_by_default_with_proposals_by_status(self):
        for user in (self.committee, self.leader):
            with self.subTest(user=user.username):
                response = self.get(user)
                self.assertEqual(response.context["session"], self.session)
                self.assertEqual(self.statuses(response), {"submitted": 1, "assigned": 2, "replied": 1, "closed": 1})
                # p1 is a draft nobody has submitted: the committee does not see it yet, nor a card for drafts.
                self.assertEqual(response.context["total_proposals"], 5)
                self.assertNotIn("draft", [card["status"] for card in response.context["status_cards"]])

    def test_each_unit_has_assigned_replied_on_time_overdue_and_average_days(self):
        response = self.get(self.leader)
        self.assertEqual(
            self.units(response),
            {
                # assigned, replied, owed, on time, overdue now, average days to reply
                "深圳市福田区工业和信息化局": (3, 1, 3, 1, 1, 56.0),
                "深圳市福田区教育局": (2, 1, 1, 0, 0, 46.0),
                "深圳市福田区发展和改革局": (3, 1, 2, 1, 1, 35.0),
            },
        )
        total = response.context["unit_total"]["figures"]
        self.assertEqual(
            (total.assigned, total.replied, total.owed, total.on_time, total.overdue, total.average_days),
            (8, 3, 6, 2, 2, 45.7),
        )
        self.assertEqual((total.cohandling, total.opinions), (2, 2))

    def test_satisfaction_and_the_abcd_mix_per_unit(self):
        response = self.get(self.committee)
        rows = {row["name"]: row["figures"] for row in response.context["unit_rows"]}
        cats = self.reply_categories
        gongxin, education, fagai = (
            rows["深圳市福田区工业和信息化局"],
            rows["深圳市福田区教育局"],
            rows["深圳市福田区发展和改革局"],
        )
        self.assertEqual((dict(gongxin.attitude), dict(gongxin.result)), ({"satisfied": 1}, {"basically": 1}))
        self.assertEqual((dict(education.attitude), dict(education.result)), ({"dissatisfied": 1}, {"dissatisfied": 1}))
        self.assertEqual((dict(fagai.attitude), dict(fagai.result)), ({"satisfied": 1}, {"satisfied": 1}))
        self.assertEqual(dict(gongxin.reply_categories), {cats["A"].pk: 1})
        self.assertEqual(dict(education.reply_categories), {cats["B"].pk: 1})
        self.assertEqual(dict(fagai.reply_categories), {cats["C"].pk: 1})
        # 满意 and 基本满意 count as satisfied by default (the session's rule): 2 of 3.
        self.assertEqual(response.context["unit_total"]["satisfied_rate"], "66.7%")
        self.assertEqual(response.context["unit_rows"][0]["on_time_rate"], "100.0%")

    def test_the_unit_table_is_ordered_by_overdue_then_owed(self):
        response = self.get(self.committee)
        names = [row["name"] for row in response.context["unit_rows"]]
        self.assertEqual(names, ["深圳市福田区工业和信息化局", "深圳市福田区发展和改革局", "深圳市福田区教育局"])
        self.assertContains(response, 'id="unit-table"')
        self.assertContains(response, '<td data-key="overdue"><a class="badge badge-red"', count=3)

    def test_proposals_per_category(self):
        response = self.get(self.committee)
        rows = {
            row["category_id"]: (row["total"], row["handling"], row["answered"], row["other"])
            for row in response.context["category_rows"]
        }
        # total, accepted and being handled, replied or closed, other (submitted ...); 0: no category
        self.assertEqual(rows, {self.category.pk: (2, 1, 0, 1), self.social.pk: (2, 0, 2, 0), 0: (1, 1, 0, 0)})

    def test_replies_week_by_week_against_due_dates(self):
        response = self.get(self.committee)
        weeks = {row["week"]: (row["due"], row["replied"], row["on_time"]) for row in response.context["week_rows"]}
        self.assertEqual(
            weeks,
            {
                "2026-02-09": (2, 1, 1),
                "2026-02-16": (0, 1, 0),
                "2026-03-02": (1, 1, 1),
                "2026-03-09": (1, 0, 0),
                "2026-03-16": (1, 0, 0),
                "2026-03-23": (1, 0, 0),
            },
        )
        self.assertEqual((response.context["weeks_due"], response.context["weeks_replied"]), (6, 3))

    def test_key_proposals_with_their_supervisor_and_state(self):
        response = self.get(self.leader)
        (row,) = response.context["key_rows"]
        self.assertEqual(
            (row, row.supervisor, row.status, row.lead_unit, row.is_overdue),
            (self.p3, self.leader, "assigned", "深圳市福田区工业和信息化局", True),
        )
        self.assertEqual(response.context["key_total"], 1)
        self.assertContains(response, "周主席")

    def test_the_most_overdue_assignments_come_first(self):
        response = self.get(self.committee)
        rows = response.context["overdue_rows"]
        self.assertEqual([(row.pk, row.days_overdue) for row in rows], [(self.a3.pk, 10), (self.b6.pk, 1)])

    def test_another_session_can_be_chosen(self):
        response = self.get(self.committee, session=self.older.pk)
        self.assertEqual(response.context["session"], self.older)
        self.assertEqual(self.statuses(response), {"closed": 1})
        self.assertEqual(self.units(response), {"深圳市福田区工业和信息化局": (1, 1, 1, 1, 0, 84.0)})
        self.assertEqual(response.context["overdue_rows"], [])

    def test_all_sessions_together(self):
        response = self.get(self.committee, session="all")
        self.assertIsNone(response.context["session"])
        self.assertTrue(response.context["all_sessions"])
        self.assertEqual(self.statuses(response), {"submitted": 1, "assigned": 2, "replied": 1, "closed": 2})
        self.assertEqual(response.context["total_proposals"], 6)
        self.assertEqual(self.units(response)["深圳市福田区工业和信息化局"], (4, 2, 4, 2, 1, 70.0))

    def test_a_unit_handler_and_leader_see_the_same_page_limited_to_their_unit(self):
        for user in (self.handler, self.unitlead):
            with self.subTest(user=user.username):
                response = self.get(user)
                self.assertEqual(response.context["scope_unit"], self.unit)
                self.assertEqual(self.units(response), {"深圳市福田区工业和信息化局": (3, 1, 3, 1, 1, 56.0)})
                # Proposals with an assignment of the unit (as visible_to has it): p3, p4, p6.
                self.assertEqual(self.statuses(response), {"assigned": 2, "replied": 1})
                self.assertEqual([row.pk for row in response.context["overdue_rows"]], [self.a3.pk])
                self.assertNotContains(response, "深圳市福田区教育局")

    def test_the_other_units_handler_sees_their_own_numbers(self):
        response = self.get(self.other_handler)
        self.assertEqual(self.units(response), {"深圳市福田区教育局": (2, 1, 1, 0, 0, 46.0)})
        self.assertEqual(self.statuses(response), {"assigned": 2, "closed": 1})
        self.assertEqual(response.context["key_total"], 1)
        self.assertEqual(response.context["overdue_rows"], [])

    def test_it_works_with_no_data_at_all(self):
        from proposals.models import Proposal
        from responses.models import Assignment

        Assignment.objects.all().delete()
        Proposal.objects.all().delete()
        response = self.get(self.committee)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["total_proposals"], 0)
        self.assertEqual(response.context["unit_rows"], [])
        self.assertEqual(response.context["overdue_rows"], [])


class DrillDownTests(DashboardPage):
    def test_every_chart_has_a_link_to_the_list_behind_it_and_every_bar_a_url(self):
        response = self.get(self.committee)
        rendered = response.content.decode().split('id="dashboard-charts" type="application/json">', 1)[1]
        charts = json.loads(rendered.split("</script>", 1)[0])
        self.assertEqual(set(charts), {"status", "units", "categories", "satisfaction", "reply_categories", "weeks"})
        for name, chart in charts.items():
            for dataset in chart["datasets"]:
                with self.subTest(chart=name, dataset=dataset["label"]):
                    self.assertEqual(len(dataset["urls"]), len(chart["labels"]))
        for canvas in (
            "chart-status",
            "chart-units",
            "chart-categories",
            "chart-satisfaction",
            "chart-reply-categories",
            "chart-weeks",
        ):
            self.assertContains(response, f'id="{canvas}"')
        self.assertContains(response, 'id="dashboard-charts" type="application/json"')
        self.assertContains(response, "vendor/chartjs/chart.umd.min.js")

    def test_drill_down_lists_show_exactly_the_rows_counted(self):
        """Follow the links of the unit table and the status cards: each list has as many rows as the figure."""
        response = self.get(self.committee)
        checks = []
        for row in response.context["unit_rows"]:
            f = row["figures"]
            checks += [
                (row["urls"]["assigned"], f.assigned),
                (row["urls"]["replied"], f.replied),
                (row["urls"]["on_time"], f.on_time),
                (row["urls"]["overdue"], f.overdue),
            ]
        checks += [(card["url"], card["count"]) for card in response.context["status_cards"]]
        checks.append((response.context["key_url"], response.context["key_total"]))
        for url, expected in checks:
            with self.subTest(url=url):
                listed = self.client.get(url)
                self.assertEqual(listed.status_code, 200)
                self.assertEqual(len(listed.context["page"].rows), expected)

    def test_week_and_satisfaction_drill_downs_list_the_assignments_behind_the_bars(self):
        response = self.get(self.committee)
        charts = response.context["charts"]
        weeks = charts["weeks"]
        february = weeks["labels"].index("02-09")
        due_url = weeks["datasets"][0]["urls"][february]
        self.assertEqual(len(self.client.get(due_url).context["page"].rows), 2)
        dissatisfied = charts["satisfaction"]["datasets"][2]["urls"][0]
        self.assertEqual(
            [row.unit_id for row in self.client.get(dissatisfied).context["page"].rows], [self.other_unit.pk]
        )


class QueryCountTests(DashboardPage):
    def add_rows(self, count: int) -> None:
        for i in range(count):
            p = make_proposal(
                self.chencheng,
                self.session,
                title=f"关于批量第{i}项的建议",
                status=ProposalStatus.ASSIGNED,
                is_key=True,
            )
            assignment(
                p,
                self.unit if i % 2 else self.other_unit,
                self.committee,
                role=LEAD,
                status=AssignmentStatus.HANDLING,
                due=days(-i - 2),
            )

    def count(self, user) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.force_login(user)
        cache.clear()  # count the page computed afresh
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(URL).status_code, 200)
        return len(queries)

    def test_the_dashboard_costs_the_same_queries_for_3_and_30_rows(self):
        for user in (self.leader, self.handler):
            counts = []
            for extra in (3, 30):
                self.add_rows(extra)
                counts.append(self.count(user))
            with self.subTest(user=user.username):
                self.assertEqual(counts[0], counts[1])

    def test_the_dashboard_computed_afresh_costs_a_fixed_number_of_queries(self):
        self.add_rows(30)
        self.client.force_login(self.leader)
        cache.clear()
        # session, user (with the unread count), the four reference tables, the figures (9), key
        # proposals, most overdue, session save (in a savepoint: 3)
        with self.assertNumQueries(20):
            self.client.get(URL)


def main(response) -> str:
    """The page's main part (the header and footer carry a fresh CSRF token each time)."""
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def stat_number(response, status: str) -> int:
    match = re.search(rf'data-status="{status}"><span class="stat-number">(\d+)<', response.content.decode())
    assert match, f"no card {status}"
    return int(match.group(1))


class CachedOverviewTests(DashboardData):
    """The overview is kept in the shared cache until the data behind it changes."""

    def test_a_second_view_reuses_the_overview_without_computing_it(self):
        self.client.force_login(self.leader)
        first = self.client.get(URL)
        # session, user (with the unread count), session save (in a savepoint: 3)
        with self.assertNumQueries(5):
            second = self.client.get(URL)
        self.assertEqual(main(second), main(first))
        self.assertEqual(stat_number(second, "assigned"), 2)

    def test_the_page_says_when_its_figures_were_computed(self):
        self.client.force_login(self.leader)
        self.client.cookies["django_language"] = "en"
        self.assertContains(self.client.get(URL), "Data updated at 10:00.")
        with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
            self.assertContains(self.client.get(URL), "Data updated at 10:00.")  # the same figures, kept

    def test_a_workflow_step_shows_on_the_next_view(self):
        self.client.force_login(self.leader)
        self.assertEqual(stat_number(self.client.get(URL), "submitted"), 1)
        with self.captureOnCommitCallbacks(execute=True):
            submit_proposal(self.p1, actor=self.chencheng)
        self.client.force_login(self.leader)
        self.assertEqual(stat_number(self.client.get(URL), "submitted"), 2)

    def test_each_scope_session_and_language_has_its_own_overview(self):
        self.client.force_login(self.handler)
        self.assertContains(self.client.get(URL), "工业和信息化局")
        self.client.force_login(self.leader)
        page = self.client.get(URL)
        self.assertEqual(stat_number(page, "submitted"), 1)  # a unit's page never counts submitted proposals
        self.assertEqual(stat_number(self.client.get(URL, {"session": "all"}), "closed"), 2)
        self.assertEqual(stat_number(self.client.get(URL), "closed"), 1)
        self.client.cookies["django_language"] = "en"
        self.assertContains(self.client.get(URL), "All units.")
        self.client.cookies["django_language"] = "zh-hans"
        self.assertNotContains(self.client.get(URL), "All units.")

    def test_two_scopes_opening_the_dashboard_in_turn_never_see_each_others_rows(self):
        """A superuser whose role is the unit's handler sees everything (visible_to); the unit's own
        handler, opening the page right after him, sees his unit's rows only, and the other way round."""
        boss = make_user("boss", "总管", role=Role.UNIT_HANDLER, unit=self.unit, is_superuser=True)
        theirs = "关于推动福田时尚产业发展的建议"  # p3: the unit's own overdue assignment
        others = self.p6.title  # p6: third_unit's overdue assignment, which the unit never sees
        for order in ((boss, self.handler, boss), (self.handler, boss, self.handler)):
            cache.clear()
            for user in order:
                with self.subTest(order=[u.username for u in order], user=user.username):
                    self.client.force_login(user)
                    response = self.client.get(URL)
                    # The page as drawn, whether computed now or taken from the cache.
                    self.assertContains(response, theirs)
                    if user == boss:
                        self.assertContains(response, others)
                    else:
                        self.assertNotContains(response, others)

    def test_an_edit_without_a_workflow_event_shows_once_the_kept_overview_expires(self):
        self.client.force_login(self.leader)
        with mock.patch("dashboard.views.TIMEOUT", 1):  # a second, not five minutes
            self.client.get(URL)
        Proposal.objects.filter(pk=self.p3.pk).update(title="关于改名后的时尚产业建议")
        self.assertNotContains(self.client.get(URL), "关于改名后的时尚产业建议")
        # Expired by the clock of the process (local memory) or of the Redis server.
        time.sleep(1.1)
        with time_machine.travel(NOW + dt.timedelta(seconds=2), tick=False):
            self.assertContains(self.client.get(URL), "关于改名后的时尚产业建议")
