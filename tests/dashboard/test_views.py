"""The statistics page: who may see it, hand-counted numbers, and a fixed query count."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from proposals.choices import ProposalStatus
from proposals.models import Proposal
from responses.choices import AssignmentRole, AssignmentStatus
from responses.models import Assignment
from tests.base import PersonaTestCase, make_proposal, make_session

URL = "/dashboard/"


def assignment(proposal, unit, by, *, status, role=AssignmentRole.LEAD, reply_due=None, opinion_due=None):
    today = timezone.localdate()
    return Assignment.objects.create(
        proposal=proposal,
        unit=unit,
        role=role,
        status=status,
        assigned_by=by,
        reply_due=reply_due or today + dt.timedelta(days=30),
        opinion_due=opinion_due,
    )


class DashboardTestCase(PersonaTestCase):
    """A small data set whose numbers are counted by hand in the tests below.

    Current session (六届三次会议): 2 drafts, 1 submitted, 3 assigned, 1 replied.
    An older session (六届二次会议): 1 closed.
    Assignments in the current session:
      unit:        a handling (overdue), b replied, c pending (due in 3 days), r returned (never counted)
      other_unit:  a' pending (overdue), d handling (not due)
      third_unit:  co-handling on b, opinion due yesterday but already sent (not overdue),
                   co-handling on c, handling, opinion due yesterday (overdue)
    In the older session: unit has one replied assignment on the closed proposal.
    """

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        today = timezone.localdate()
        yesterday = today - dt.timedelta(days=1)
        s = cls.session
        make_proposal(cls.chencheng, s)
        make_proposal(cls.wangfang, s)
        make_proposal(cls.chencheng, s, status=ProposalStatus.SUBMITTED)
        a = make_proposal(cls.chencheng, s, status=ProposalStatus.ASSIGNED, number="2023001")
        b = make_proposal(cls.wangfang, s, status=ProposalStatus.REPLIED, number="2023002")
        c = make_proposal(cls.lihua, s, status=ProposalStatus.ASSIGNED, number="2023003")
        d = make_proposal(cls.lihua, s, status=ProposalStatus.ASSIGNED, number="2023004")
        assignment(a, cls.unit, cls.committee, status=AssignmentStatus.HANDLING, reply_due=yesterday)
        assignment(b, cls.unit, cls.committee, status=AssignmentStatus.REPLIED, reply_due=yesterday)
        assignment(c, cls.unit, cls.committee, status=AssignmentStatus.PENDING, reply_due=today + dt.timedelta(days=3))
        assignment(
            d,
            cls.unit,
            cls.committee,
            status=AssignmentStatus.RETURNED,
            role=AssignmentRole.SEPARATE,
            reply_due=yesterday,
        )
        assignment(
            a,
            cls.other_unit,
            cls.committee,
            status=AssignmentStatus.PENDING,
            role=AssignmentRole.SEPARATE,
            reply_due=yesterday,
        )
        assignment(d, cls.other_unit, cls.committee, status=AssignmentStatus.HANDLING)
        assignment(
            b,
            cls.third_unit,
            cls.committee,
            status=AssignmentStatus.OPINION_SENT,
            role=AssignmentRole.COHANDLING,
            opinion_due=yesterday,
        )
        assignment(
            c,
            cls.third_unit,
            cls.committee,
            status=AssignmentStatus.HANDLING,
            role=AssignmentRole.COHANDLING,
            opinion_due=yesterday,
        )
        cls.older = make_session(name="六届二次会议", term=6, meeting=2, year=2022, is_current=False)
        old = make_proposal(cls.chencheng, cls.older, status=ProposalStatus.CLOSED, number="2022001")
        assignment(
            old, cls.unit, cls.committee, status=AssignmentStatus.REPLIED, reply_due=yesterday - dt.timedelta(days=300)
        )

    def get(self, user, **params):
        self.client.force_login(user)
        return self.client.get(URL, params)

    @staticmethod
    def cells(cells) -> dict[str, int]:
        return {cell["status"]: cell["count"] for cell in cells if cell["count"]}

    @staticmethod
    def units(response) -> dict[str, tuple[int, int, int, int, int]]:
        return {
            row["unit__name"]: (row["assigned"], row["pending"], row["handling"], row["replied"], row["overdue"])
            for row in response.context["unit_rows"]
        }


class AccessTests(DashboardTestCase):
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


class CountTests(DashboardTestCase):
    def test_committee_and_leaders_see_the_current_session_by_status(self):
        for user in (self.committee, self.leader):
            with self.subTest(user=user.username):
                response = self.get(user)
                self.assertEqual(response.context["session"], self.session)
                self.assertEqual(
                    self.cells(response.context["current_cells"]),
                    {"draft": 2, "submitted": 1, "assigned": 3, "replied": 1},
                )
                self.assertEqual(response.context["current_total"], 7)

    def test_all_sessions_are_counted_and_totalled(self):
        response = self.get(self.leader)
        rows = {
            row["session"].name: (self.cells(row["cells"]), row["total"]) for row in response.context["session_rows"]
        }
        self.assertEqual(
            rows,
            {
                "六届三次会议": ({"draft": 2, "submitted": 1, "assigned": 3, "replied": 1}, 7),
                "六届二次会议": ({"closed": 1}, 1),
            },
        )
        self.assertEqual(
            self.cells(response.context["total_cells"]),
            {"draft": 2, "submitted": 1, "assigned": 3, "replied": 1, "closed": 1},
        )
        self.assertEqual(response.context["grand_total"], 8)

    def test_assignments_per_unit_count_pending_handling_replied_and_overdue_now(self):
        response = self.get(self.committee)
        self.assertEqual(
            self.units(response),
            {
                # assigned, pending, handling, replied or opinion sent, overdue
                "深圳市福田区工业和信息化局": (3, 1, 1, 1, 1),
                "深圳市福田区教育局": (2, 1, 1, 0, 1),
                "深圳市福田区发展和改革局": (2, 0, 1, 1, 1),
            },
        )
        self.assertEqual(
            response.context["unit_totals"], {"assigned": 7, "pending": 2, "handling": 3, "replied": 2, "overdue": 3}
        )
        self.assertContains(response, 'id="unit-table"')

    def test_another_session_can_be_chosen(self):
        response = self.get(self.committee, session=self.older.pk)
        self.assertEqual(response.context["session"], self.older)
        self.assertEqual(self.cells(response.context["current_cells"]), {"closed": 1})
        self.assertEqual(self.units(response), {"深圳市福田区工业和信息化局": (1, 0, 0, 1, 0)})

    def test_a_unit_handler_and_leader_see_only_their_unit(self):
        for user in (self.handler, self.unitlead):
            with self.subTest(user=user.username):
                response = self.get(user)
                self.assertEqual(response.context["scope_unit"], self.unit)
                self.assertEqual(self.units(response), {"深圳市福田区工业和信息化局": (3, 1, 1, 1, 1)})
                # Proposals with an assignment of the unit, the returned one included (as visible_to has it).
                self.assertEqual(self.cells(response.context["current_cells"]), {"assigned": 3, "replied": 1})
                self.assertEqual(response.context["grand_total"], 5)
                self.assertNotContains(response, "深圳市福田区教育局")

    def test_the_other_units_handler_sees_their_own_numbers(self):
        response = self.get(self.other_handler)
        self.assertEqual(self.units(response), {"深圳市福田区教育局": (2, 1, 1, 0, 1)})
        self.assertEqual(self.cells(response.context["current_cells"]), {"assigned": 2})

    def test_it_works_with_no_data_at_all(self):
        Assignment.objects.all().delete()
        Proposal.objects.all().delete()
        response = self.get(self.committee)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["current_total"], 0)
        self.assertEqual(response.context["unit_rows"], [])


class QueryCountTests(DashboardTestCase):
    def test_the_dashboard_costs_the_same_queries_for_3_and_30_rows(self):
        for extra in (3, 30):
            Proposal.objects.filter(title__startswith="关于批量").delete()
            for i in range(extra):
                p = make_proposal(
                    self.chencheng, self.session, title=f"关于批量第{i}项的建议", status=ProposalStatus.ASSIGNED
                )
                assignment(p, self.unit if i % 2 else self.other_unit, self.committee, status=AssignmentStatus.HANDLING)
            self.client.force_login(self.leader)
            # session, user, sessions, proposals by session and status, assignments by unit,
            # unread count, session save (in a savepoint: 3)
            with self.assertNumQueries(9):
                response = self.client.get(URL)
            self.assertEqual(response.context["current_total"], 7 + extra)

    def test_a_unit_handler_costs_one_more_query_for_the_unit_name(self):
        self.client.force_login(self.handler)
        with self.assertNumQueries(10):
            self.client.get(URL)
