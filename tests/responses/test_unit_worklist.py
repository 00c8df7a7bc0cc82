"""The unit's worklist: its own assignments grouped by the next step, with days left or overdue."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from responses.choices import ReplyStatus
from responses.models import Assignment
from responses.services import (
    accept_assignment,
    request_return,
    send_back_reply,
    send_opinion,
    send_reply,
    sign_reply,
    submit_reply,
)
from tests.responses.helpers_units import COHANDLING, LEAD, NOW, SEPARATE, UnitPagesTestCase, admin_url

WORKLIST = admin_url("assignment_worklist")


def stage_of(response, assignment: Assignment) -> str:
    """The group a row sits in, read from the page's context."""
    stages = [
        group.stage.key for group in response.context["groups"] for row in group.rows if row.assignment == assignment
    ]
    assert len(stages) == 1, stages
    return stages[0]


def row_of(response, assignment: Assignment):
    return next(row for group in response.context["groups"] for row in group.rows if row.assignment == assignment)


class WorklistTests(UnitPagesTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.handler)

    def test_each_assignment_sits_in_the_group_of_its_next_step(self):
        pending = self.assigned()[0]
        to_contact = self.handling()[0]
        to_draft = self.handling()[0]
        self.contact(to_draft)
        drafted = self.handling()[0]
        self.draft(drafted)
        awaiting = self.handling()[0]
        self.submitted(awaiting)
        signed = self.handling()[0]
        self.signed(signed)
        lead, cohandling = self.handling([(self.other_unit, LEAD), (self.unit, COHANDLING)])
        returning = self.assigned()[0]
        request_return(returning, actor=self.handler, reason="不属于本单位职责")

        response = self.client.get(WORKLIST)

        self.assertEqual(response.status_code, 200)
        expected = {
            pending: "accept",
            to_contact: "contact",
            to_draft: "draft",
            drafted: "draft",
            awaiting: "signoff",
            signed: "send",
            cohandling: "opinion",
            returning: "return",
        }
        for assignment, stage in expected.items():
            with self.subTest(stage=stage):
                self.assertEqual(stage_of(response, assignment), stage)
        self.assertNotIn(lead, [row.assignment for group in response.context["groups"] for row in group.rows])

    def test_finished_work_is_listed_last_and_a_sent_opinion_or_reply_is_done(self):
        replied = self.handling()[0]
        self.sent(replied)
        lead, cohandling = self.handling([(self.other_unit, LEAD), (self.unit, COHANDLING)])
        send_opinion(cohandling, actor=self.handler, body="同意主办单位意见。")
        open_row = self.assigned()[0]

        response = self.client.get(WORKLIST)

        self.assertEqual(stage_of(response, replied), "done")
        self.assertEqual(stage_of(response, cohandling), "done")
        self.assertEqual([group.stage.key for group in response.context["groups"]], ["accept", "done"])
        self.assertEqual(stage_of(response, open_row), "accept")

    def test_rows_show_days_left_and_days_overdue(self):
        soon = self.handling()[0]
        late = self.handling()[0]
        Assignment.objects.filter(pk=soon.pk).update(reply_due=NOW.date() + dt.timedelta(days=5))
        Assignment.objects.filter(pk=late.pk).update(reply_due=NOW.date() - dt.timedelta(days=3))

        response = self.client.get(WORKLIST)

        self.assertEqual((row_of(response, soon).days, row_of(response, soon).overdue_days), (5, 0))
        self.assertEqual((row_of(response, late).days, row_of(response, late).overdue_days), (-3, 3))
        self.assertContains(response, 'data-days="5"')
        self.assertContains(response, 'data-days="-3"')

    def test_cohandling_rows_count_down_to_the_opinion_due_date(self):
        lead, cohandling = self.handling([(self.other_unit, LEAD), (self.unit, COHANDLING)])

        row = row_of(self.client.get(WORKLIST), cohandling)

        self.assertEqual((row.due, row.due_kind), (cohandling.opinion_due, "opinion"))

    def test_the_most_urgent_comes_first_and_the_order_can_be_reversed_or_changed(self):
        first, second, third = (self.handling()[0] for _ in range(3))
        for row, days in ((first, 30), (second, 10), (third, 20)):
            Assignment.objects.filter(pk=row.pk).update(reply_due=NOW.date() + dt.timedelta(days=days))

        def order(query: str) -> list[Assignment]:
            response = self.client.get(WORKLIST + query)
            return [row.assignment for group in response.context["groups"] for row in group.rows]

        self.assertEqual(order(""), [second, third, first])
        self.assertEqual(order("?o=-due"), [first, third, second])
        self.assertEqual(order("?o=number"), sorted([first, second, third], key=lambda a: a.proposal.number))
        self.assertEqual(order("?o=-number"), sorted([first, second, third], key=lambda a: a.proposal.number)[::-1])

    def test_the_shared_filterset_narrows_the_list(self):
        key = self.handling(is_key=True)[0]
        other = self.handling()[0]
        separate = self.assigned([(self.unit, SEPARATE)])[0]
        Assignment.objects.filter(pk=other.pk).update(reply_due=NOW.date() - dt.timedelta(days=1))

        def listed(query: str) -> set[Assignment]:
            response = self.client.get(WORKLIST + query)
            self.assertEqual(response.status_code, 200)
            return {row.assignment for group in response.context["groups"] for row in group.rows}

        self.assertEqual(listed("?is_key=true"), {key})
        self.assertEqual(listed("?overdue=true"), {other})
        self.assertEqual(listed("?role=separate"), {separate})
        self.assertEqual(listed("?status=pending"), {separate})
        self.assertEqual(listed(f"?q={key.proposal.number}"), {key})
        self.assertTrue(self.client.get(WORKLIST + "?is_key=true").context["is_filtered"])

    def test_the_unit_filter_is_not_offered_to_unit_staff(self):
        self.handling()
        response = self.client.get(WORKLIST)
        self.assertNotIn("unit", response.context["filter_form"].fields)
        self.assertNotContains(response, self.other_unit.name)

    def test_another_units_assignments_never_appear_even_when_filtered_for(self):
        mine = self.handling()[0]
        theirs = self.handling([(self.other_unit, LEAD)], title="关于加强中小学心理健康教育的建议")[0]

        for query in ("", f"?unit={self.other_unit.pk}", f"?q={theirs.proposal.number}", "?status=handling"):
            with self.subTest(query=query):
                response = self.client.get(WORKLIST + query)
                rows = {row.assignment for group in response.context["groups"] for row in group.rows}
                self.assertNotIn(theirs, rows)
                self.assertNotContains(response, "心理健康教育")
        self.assertIn(mine, {row.assignment for g in self.client.get(WORKLIST).context["groups"] for row in g.rows})

    def test_a_unit_leader_sees_replies_to_sign_first(self):
        awaiting = self.handling()[0]
        self.submitted(awaiting)
        self.assigned()
        self.client.force_login(self.unitlead)

        response = self.client.get(WORKLIST)

        self.assertEqual(response.context["groups"][0].stage.key, "signoff")
        self.assertEqual(
            row_of(response, awaiting).actions[0]["url"], admin_url("reply_review", awaiting.replies.get().pk)
        )

    def test_committee_staff_are_sent_to_the_full_assignment_list(self):
        self.client.force_login(self.committee)
        response = self.client.get(WORKLIST)
        self.assertRedirects(response, admin_url("assignment_changelist"))

    def test_rows_carry_flags_for_key_proposals_missing_contact_and_sent_back_drafts(self):
        key = self.handling(is_key=True)[0]
        sent_back = self.handling()[0]
        self.contact(sent_back)
        reply = self.submitted(sent_back)
        send_back_reply(reply, actor=self.unitlead, comments="请补充下一步工作计划。")

        response = self.client.get(WORKLIST)

        self.assertIn("key", [flag for flag, *_ in row_of(response, key).flags])
        self.assertIn("no_contact", [flag for flag, *_ in row_of(response, key).flags])
        self.assertEqual(stage_of(response, sent_back), "draft")
        self.assertIn("sent_back", [flag for flag, *_ in row_of(response, sent_back).flags])
        self.assertNotIn("no_contact", [flag for flag, *_ in row_of(response, sent_back).flags])

    def test_a_lead_unit_row_counts_the_opinions_received(self):
        lead, cohandling = self.handling([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        send_opinion(cohandling, actor=self.other_handler, body="同意。")

        flags = {flag: label for flag, _colour, label in row_of(self.client.get(WORKLIST), lead).flags}

        self.assertIn("1", str(flags["opinions"]))

    def test_accepting_from_the_list_returns_to_the_list(self):
        pending = self.assigned()[0]

        response = self.client.post(
            admin_url("assignment_handle", pending.pk), {"action": "accept", "next": WORKLIST + "?o=number"}
        )

        self.assertRedirects(response, WORKLIST + "?o=number")
        pending.refresh_from_db()
        self.assertEqual(pending.accepted_by, self.handler)


class FollowUpOnTheWorklistTests(UnitPagesTestCase):
    """A B reply carries a commitment date; the follow-up reply (跟踪答复) is due then and shows on the list."""

    def setUp(self) -> None:
        self.client.force_login(self.handler)

    def test_a_sent_b_reply_puts_a_follow_up_due_on_its_commitment_date(self):
        assignment = self.handling()[0]
        commitment = NOW.date() + dt.timedelta(days=90)
        self.sent(assignment, category=self.reply_categories["B"], commitment_date=commitment)

        row = row_of(self.client.get(WORKLIST), assignment)

        self.assertEqual((row.stage, row.due, row.due_kind, row.days), ("followup", commitment, "commitment", 90))
        self.assertTrue(row.is_followup)

        with time_machine.travel(NOW + dt.timedelta(days=95), tick=False):
            self.client.force_login(self.handler)  # the session would have expired
            row = row_of(self.client.get(WORKLIST), assignment)
        self.assertEqual(row.overdue_days, 5)

    def test_an_a_reply_needs_no_follow_up(self):
        assignment = self.handling()[0]
        self.sent(assignment)
        self.assertEqual(stage_of(self.client.get(WORKLIST), assignment), "done")

    def test_the_follow_up_goes_through_sign_off_and_leaves_the_list_once_sent(self):
        assignment = self.handling()[0]
        self.sent(assignment, category=self.reply_categories["B"], commitment_date=NOW.date() + dt.timedelta(days=90))
        followup = self.draft(assignment, followup=True, letter_number="福工信函〔2023〕200号")
        self.assertEqual(stage_of(self.client.get(WORKLIST), assignment), "followup")
        submit_reply(followup, actor=self.handler)
        self.assertEqual(stage_of(self.client.get(WORKLIST), assignment), "signoff")
        sign_reply(followup, actor=self.unitlead)
        self.assertEqual(stage_of(self.client.get(WORKLIST), assignment), "send")
        send_reply(followup, actor=self.handler)
        self.assertEqual(stage_of(self.client.get(WORKLIST), assignment), "done")
        followup.refresh_from_db()
        self.assertEqual(followup.status, ReplyStatus.SENT)


class WorklistQueryCountTests(UnitPagesTestCase):
    """The worklist runs the same number of queries for a few rows as for many."""

    def build(self) -> None:
        self.assigned()
        handling = self.handling()[0]
        self.contact(handling)
        self.draft(handling)
        self.submitted(self.handling()[0])
        self.sent(
            self.handling()[0], category=self.reply_categories["B"], commitment_date=NOW.date() + dt.timedelta(days=9)
        )
        self.handling([(self.other_unit, LEAD), (self.unit, COHANDLING)])
        self.handling([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        accept_assignment(self.assigned()[0], actor=self.handler)

    def count(self) -> int:
        self.client.get(WORKLIST)  # warm the session and content types
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(WORKLIST)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_worklist_queries_do_not_grow_with_rows(self):
        self.client.force_login(self.handler)
        self.build()
        few = self.count()
        for _ in range(3):
            self.build()
        with self.assertNumQueries(few):
            self.client.get(WORKLIST)


class WorklistOnTheAdminHomeTests(UnitPagesTestCase):
    """The worklist can sit on the admin home: a context function and an include, for unit staff only."""

    def render_home(self, user) -> str:
        from django.template.loader import render_to_string
        from django.test import RequestFactory

        from responses.admin_views import unit_home_context

        request = RequestFactory().get("/admin/")
        request.user = user
        return render_to_string("admin/units/_home.html", unit_home_context(request), request=request)

    def test_unit_staff_get_their_grouped_work_and_others_nothing(self):
        assignment = self.assigned(title="关于首页待办测试的建议")[0]
        self.handling([(self.other_unit, LEAD)], title="关于别的单位的建议")

        html = self.render_home(self.handler)

        self.assertIn("关于首页待办测试的建议", html)
        self.assertIn(f'data-assignment="{assignment.pk}"', html)
        self.assertNotIn("关于别的单位的建议", html)
        self.assertEqual(self.render_home(self.committee).strip(), "")

    def test_the_assignment_list_links_unit_staff_to_their_worklist(self):
        self.client.force_login(self.handler)
        self.assertContains(self.client.get(admin_url("assignment_changelist")), WORKLIST)
        self.client.force_login(self.committee)
        self.assertNotContains(self.client.get(admin_url("assignment_changelist")), WORKLIST)
