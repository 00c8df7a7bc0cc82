"""The filtered lists behind the dashboard: who sees what, the shared filters, keyset pages, fixed queries."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard import keyset
from proposals.choices import ProposalStatus
from proposals.models import Proposal
from responses.choices import AssignmentStatus
from tests.base import make_proposal
from tests.dashboard.helpers_dashboard import LEAD, DashboardData, assignment, days

PROPOSALS = "/dashboard/proposals/"
ASSIGNMENTS = "/dashboard/assignments/"


class ListTestCase(DashboardData):
    def rows(self, user, url, **params) -> list:
        self.client.force_login(user)
        response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200, response.content[:500])
        return response.context["page"].rows

    def pks(self, user, url, **params) -> set[int]:
        return {row.pk for row in self.rows(user, url, **params)}


class AccessTests(ListTestCase):
    def test_anonymous_visitors_are_sent_to_the_login_page(self):
        for url in (PROPOSALS, ASSIGNMENTS, f"{PROPOSALS}export.xlsx", f"{ASSIGNMENTS}export.xlsx"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertRedirects(response, f"{reverse('login')}?next={url}", fetch_redirect_response=False)

    def test_members_are_refused(self):
        self.client.force_login(self.chencheng)
        for url in (PROPOSALS, ASSIGNMENTS, f"{PROPOSALS}export.xlsx", f"{ASSIGNMENTS}export.xlsx"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)

    def test_committee_and_leaders_see_every_submitted_proposal(self):
        # p1 is a draft its member has not submitted: it is theirs alone until then.
        everything = {self.p2.pk, self.p3.pk, self.p4.pk, self.p5.pk, self.p6.pk, self.p7.pk}
        for user in (self.committee, self.leader):
            with self.subTest(user=user.username):
                self.assertEqual(self.pks(user, PROPOSALS), everything)

    def test_unit_staff_see_only_their_units_proposals_and_assignments(self):
        self.assertEqual(self.pks(self.handler, PROPOSALS), {self.p3.pk, self.p4.pk, self.p6.pk, self.p7.pk})
        self.assertEqual({row.unit_id for row in self.rows(self.unitlead, ASSIGNMENTS)}, {self.unit.pk})
        self.assertEqual(len(self.rows(self.handler, ASSIGNMENTS)), 4)
        # Asking for another unit's rows finds nothing rather than widening the view.
        self.assertEqual(self.rows(self.handler, ASSIGNMENTS, unit=self.other_unit.pk), [])

    def test_users_opening_the_lists_in_turn_each_see_their_own_rows(self):
        everything = {self.p2.pk, self.p3.pk, self.p4.pk, self.p5.pk, self.p6.pk, self.p7.pk}
        theirs = {self.p3.pk, self.p4.pk, self.p6.pk, self.p7.pk}
        for user, expected in ((self.committee, everything), (self.handler, theirs), (self.leader, everything)):
            with self.subTest(user=user.username):
                self.assertEqual(self.pks(user, PROPOSALS), expected)
                units = {row.unit_id for row in self.rows(user, ASSIGNMENTS)}
                self.assertEqual(units == {self.unit.pk}, user == self.handler)


class RowContentTests(ListTestCase):
    def row_html(self, user, url, pk: int) -> str:
        self.client.force_login(user)
        page = self.client.get(url).content.decode()
        start = page.index(f'<tr data-pk="{pk}">')
        return page[start : page.index("</tr>", start)]

    def test_a_proposal_row_names_its_lead_proposer_its_lead_unit_and_how_many_more(self):
        row = self.row_html(self.committee, PROPOSALS, self.p3.pk)
        for text in ("2023001", "关于推动福田时尚产业发展的建议", "陈澄", "区工信局", "+1", "办理中", "重点提案"):
            self.assertIn(text, row)
        self.assertNotIn("区教育局", row)  # the co-handling unit is counted, not named
        self.assertIn(f'href="/proposals/{self.p3.pk}/"', row)

    def test_an_assignment_row_shows_its_proposal_unit_role_dates_and_days_overdue(self):
        row = self.row_html(self.committee, ASSIGNMENTS, self.a3.pk)
        for text in ("2023001", "关于推动福田时尚产业发展的建议", "区工信局", "主办", "2026-01-05", "2026-03-08"):
            self.assertIn(text, row)


class FilterTests(ListTestCase):
    def test_proposals_filter_by_session_status_category_unit_key_overdue_and_text(self):
        user = self.committee
        self.assertEqual(self.pks(user, PROPOSALS, session=self.older.pk), {self.p7.pk})
        self.assertEqual(self.pks(user, PROPOSALS, status=["replied", "closed"]), {self.p4.pk, self.p5.pk, self.p7.pk})
        self.assertEqual(self.pks(user, PROPOSALS, category=self.social.pk), {self.p4.pk, self.p5.pk})
        self.assertEqual(self.pks(user, PROPOSALS, unit=self.third_unit.pk), {self.p4.pk, self.p5.pk, self.p6.pk})
        self.assertEqual(self.pks(user, PROPOSALS, is_key="true"), {self.p3.pk})
        self.assertEqual(self.pks(user, PROPOSALS, overdue="true"), {self.p3.pk, self.p6.pk})
        self.assertEqual(self.pks(user, PROPOSALS, q="养老"), {self.p4.pk})
        self.assertEqual(self.pks(user, PROPOSALS, q="2023003"), {self.p5.pk})

    def test_assignments_filter_by_unit_role_status_overdue_on_time_category_and_rating(self):
        user = self.committee
        self.assertEqual(self.pks(user, ASSIGNMENTS, overdue="true"), {self.a3.pk, self.b6.pk})
        on_time = self.rows(user, ASSIGNMENTS, on_time="true", session=self.session.pk)
        self.assertEqual(
            {(row.proposal_id, row.unit_id) for row in on_time},
            {(self.p4.pk, self.unit.pk), (self.p5.pk, self.third_unit.pk)},
        )
        late = self.rows(user, ASSIGNMENTS, on_time="false")
        self.assertEqual([(row.proposal_id, row.unit_id) for row in late], [(self.p5.pk, self.other_unit.pk)])
        category_b = self.rows(user, ASSIGNMENTS, reply_category=self.reply_categories["B"].pk)
        self.assertEqual([row.unit_id for row in category_b], [self.other_unit.pk])
        self.assertEqual(len(self.rows(user, ASSIGNMENTS, attitude="satisfied")), 3)
        self.assertEqual(len(self.rows(user, ASSIGNMENTS, result="basically")), 1)
        self.assertEqual(len(self.rows(user, ASSIGNMENTS, role="cohandling")), 2)
        self.assertEqual(len(self.rows(user, ASSIGNMENTS, status="returned")), 1)
        due = self.rows(user, ASSIGNMENTS, reply_due_after="2026-02-09", reply_due_before="2026-02-15")
        self.assertEqual({row.proposal_id for row in due}, {self.p5.pk})
        replied = self.rows(user, ASSIGNMENTS, replied_after="2026-02-16", replied_before="2026-02-22")
        self.assertEqual([row.unit_id for row in replied], [self.other_unit.pk])

    def test_a_bad_filter_value_is_shown_next_to_its_field_and_lists_nothing(self):
        self.client.force_login(self.committee)
        response = self.client.get(PROPOSALS, {"status": "nonsense", "submitted_after": "not-a-date"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.context["page"].rows, [])
        self.assertContains(response, '<div class="form-errors" role="alert">', status_code=400)
        self.assertContains(response, 'class="control control-multi has-error" data-filter="status"', status_code=400)
        self.assertContains(response, 'class="field-errors"', status_code=400)

    def test_the_date_ranges_name_their_two_ends_in_chinese(self):
        self.client.force_login(self.committee)
        response = self.client.get(PROPOSALS, HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertContains(response, 'name="submitted_after" value="" aria-label="提交日期范围 起始日期"')
        self.assertContains(response, 'name="submitted_before" value="" aria-label="提交日期范围 截止日期"')

    def test_the_filter_bar_keeps_the_chosen_values_and_the_export_link_the_filters(self):
        self.client.force_login(self.committee)
        response = self.client.get(PROPOSALS, {"status": "assigned", "q": "时尚", "is_key": "true"})
        self.assertContains(response, 'name="status" value="assigned" checked')
        self.assertContains(response, 'value="时尚"')
        self.assertContains(response, '<option value="true" selected>')
        self.assertEqual(response.context["page"].base_query, "status=assigned&q=%E6%97%B6%E5%B0%9A&is_key=true")
        self.assertContains(response, 'href="/dashboard/proposals/export.xlsx?status=assigned&amp;q=')


class KeysetTests(ListTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for i in range(120):
            make_proposal(
                cls.wangfang, cls.session, title=f"关于批量第{i}项工作的建议", status=ProposalStatus.SUBMITTED
            )

    def test_pages_follow_each_other_without_gaps_or_repeats_newest_first(self):
        self.client.force_login(self.committee)
        seen, page, params = [], None, {"status": "submitted"}
        while True:
            response = self.client.get(PROPOSALS, params)
            page = response.context["page"]
            self.assertEqual(page.first, len(seen) + 1)
            seen += [row.pk for row in page.rows]
            if not page.has_next:
                break
            params = dict(pair.split("=") for pair in page.next_query.split("&"))
        expected = list(Proposal.objects.filter(status="submitted").order_by("-pk").values_list("pk", flat=True))
        self.assertEqual(seen, expected)
        self.assertEqual(len(seen), 121)
        self.assertContains(response, "101–121")

    def test_previous_goes_back_to_the_same_rows(self):
        self.client.force_login(self.committee)
        first = self.client.get(PROPOSALS).context["page"]
        second = self.client.get(f"{PROPOSALS}?{first.next_query}").context["page"]
        third = self.client.get(f"{PROPOSALS}?{second.next_query}").context["page"]
        back = self.client.get(f"{PROPOSALS}?{third.previous_query}").context["page"]
        self.assertEqual([r.pk for r in back.rows], [r.pk for r in second.rows])
        self.assertEqual((back.first, back.has_previous, back.has_next), (51, True, True))
        top = self.client.get(f"{PROPOSALS}?{second.previous_query}").context["page"]
        self.assertEqual(
            ([r.pk for r in top.rows], top.first, top.has_previous), ([r.pk for r in first.rows], 1, False)
        )

    def test_nonsense_cursors_show_the_first_page(self):
        self.client.force_login(self.committee)
        page = self.client.get(PROPOSALS, {"after": "x", "before": "-3", "n": "abc"}).context["page"]
        self.assertEqual((page.first, page.has_previous, len(page.rows)), (1, False, keyset.PAGE_SIZE))


class QueryCountTests(ListTestCase):
    def add(self, count: int) -> None:
        for i in range(count):
            p = make_proposal(
                self.chencheng,
                self.session,
                title=f"关于批量第{i}项的建议",
                status=ProposalStatus.ASSIGNED,
                category=self.category,
            )
            assignment(
                p,
                self.unit if i % 2 else self.other_unit,
                self.committee,
                role=LEAD,
                status=AssignmentStatus.HANDLING,
                due=days(i - 5),
            )

    def count(self, user, url: str, params: dict) -> int:
        self.client.force_login(user)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url, params)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_each_list_costs_the_same_queries_for_3_and_30_rows_on_any_page(self):
        cases = [
            (self.committee, PROPOSALS, {}),
            (self.committee, PROPOSALS, {"status": "assigned", "category": self.category.pk, "after": 10**9, "n": 51}),
            (self.committee, PROPOSALS, {"q": "批量", "overdue": "true"}),
            (self.handler, PROPOSALS, {}),
            (self.committee, ASSIGNMENTS, {}),
            (self.handler, ASSIGNMENTS, {"overdue": "true", "after": 10**9, "n": 51}),
            (self.committee, ASSIGNMENTS, {"on_time": "false", "attitude": "satisfied", "unit": self.unit.pk}),
        ]
        for user, url, params in cases:
            counts = []
            for extra in (3, 30):
                Proposal.objects.filter(title__startswith="关于批量").delete()
                self.add(extra)
                counts.append(self.count(user, url, params))
            with self.subTest(user=user.username, url=url, params=params):
                self.assertEqual(counts[0], counts[1])

    def test_a_page_is_one_query_beyond_the_stack_once_the_reference_rows_are_cached(self):
        self.add(30)
        self.client.force_login(self.committee)
        for url in (PROPOSALS, ASSIGNMENTS):
            with self.subTest(url=url):
                cache.clear()
                # session, user (with the unread count), the four reference tables, the page, session save (3)
                with self.assertNumQueries(10):
                    self.client.get(url)
                # session, user, the page, session save (3): the reference rows come from the shared cache
                with self.assertNumQueries(6):
                    self.client.get(url)

    def test_filtering_by_a_plain_column_never_makes_the_page_query_distinct(self):
        """DISTINCT over a filtered million rows sorts them all before the first page (seconds, not ms)."""
        self.client.force_login(self.committee)
        for url, params in (
            (PROPOSALS, {"status": ["assigned", "closed"], "kind": "individual", "session": self.session.pk}),
            (ASSIGNMENTS, {"status": "handling", "role": "lead", "proposal_status": "assigned", "unit": self.unit.pk}),
        ):
            with self.subTest(url=url), CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url, params).status_code, 200)
            self.assertFalse([q["sql"] for q in queries.captured_queries if "DISTINCT" in q["sql"].upper()])


class FilterSetTests(ListTestCase):
    def test_the_role_filter_reads_the_units_chosen_on_its_own_filterset(self):
        from proposals.filters import ProposalFilterSet
        from responses.models import Assignment

        base = Proposal.objects.all()
        mine = ProposalFilterSet({"unit": [self.unit.pk], "role": ["lead"]}, queryset=base)
        theirs = ProposalFilterSet({"unit": [self.third_unit.pk], "role": ["cohandling"]}, queryset=base)

        def expected(unit, role):
            return set(Assignment.objects.filter(unit=unit, role=role).values_list("proposal_id", flat=True))

        self.assertEqual({p.pk for p in mine.qs}, expected(self.unit, "lead"))
        self.assertEqual({p.pk for p in theirs.qs}, expected(self.third_unit, "cohandling"))
        self.assertNotEqual(expected(self.unit, "lead"), expected(self.third_unit, "cohandling"))

    def test_a_bad_date_is_refused_beside_its_filter(self):
        from django.http import QueryDict

        from proposals.filters import ProposalFilterSet

        filterset = ProposalFilterSet(QueryDict("accepted_before=2026-02-30"), queryset=Proposal.objects.all())
        self.assertFalse(filterset.is_valid())
        self.assertIn("accepted", filterset.errors)


class OutOfRangeIdTests(ListTestCase):
    BIG = 99999999999999999999  # more than any integer column holds

    def test_an_id_no_column_can_hold_is_refused_beside_its_filter(self):
        self.client.force_login(self.committee)
        for url in (PROPOSALS, ASSIGNMENTS, f"{PROPOSALS}export.xlsx", f"{ASSIGNMENTS}export.xlsx"):
            for name in ("unit", "session", "category"):
                with self.subTest(url=url, filter=name):
                    response = self.client.get(url, {name: str(self.BIG)})
                    self.assertEqual(response.status_code, 400)
                    self.assertContains(response, '<div class="form-errors" role="alert">', status_code=400)

    def test_in_lookups_leave_out_numbers_no_integer_column_holds(self):
        from accounts.models import Unit

        self.assertEqual(list(Unit.objects.filter(pk__in=[self.BIG, self.unit.pk])), [self.unit])
        self.assertFalse(Unit.objects.filter(pk__in=[self.BIG, -self.BIG]).exists())


class FilterBarLanguageTests(ListTestCase):
    """The filter bar's labels and choices are in the page's language."""

    def test_each_language_gets_its_own_labels(self):
        self.client.force_login(self.committee)
        for language, label, choice in (("zh-hans", "会议", "办理中"), ("en", "Session", "Being handled")):
            with self.subTest(language=language):
                self.client.cookies["django_language"] = language
                page = self.client.get(PROPOSALS).content.decode()
                self.assertIn(f">{label}<", page)
                self.assertIn(f"<span>{choice}</span>", page)


class FilterBarTests(ListTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.committee)

    def test_another_page_of_the_same_filters_keeps_them_and_other_filters_show_theirs(self):
        again = self.client.get(PROPOSALS, {"status": "assigned", "after": 10**9, "n": 51}).content.decode()
        other = self.client.get(PROPOSALS, {"status": "closed"}).content.decode()
        self.assertIn('name="status" value="assigned" checked', again)
        self.assertNotIn('name="status" value="assigned" checked', other)
        self.assertIn('name="status" value="closed" checked', other)

    def test_a_renamed_unit_shows_in_the_next_bar(self):
        self.assertContains(self.client.get(PROPOSALS), f"<span>{self.unit.short_name}</span>")
        self.unit.short_name = "区工信局（新）"
        self.unit.save()  # bumps the reference rows' version in the shared cache
        self.assertContains(self.client.get(PROPOSALS), "<span>区工信局（新）</span>")

    def test_a_bar_with_errors_shows_them_each_time(self):
        for _ in range(2):
            response = self.client.get(PROPOSALS, {"submitted_after": "not-a-date"})
            self.assertContains(response, '<p class="field-errors">', status_code=400)
