"""The committee's review of replies (督办审核) through the services, and what "replied on time" means with it.

Where the session has ``reply_review`` on, the unit's "send" hands the signed letter to the committee
(in_review), which releases it (then it is sent as without review), returns it to the unit with comments,
or changes its category with a reason. The unit has replied when it handed the letter over: its on-time
figure counts from then, in the dashboard's figures and in the lists alike; the proposers hear of the
reply, and may read it, only on release.
"""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core.exceptions import PermissionDenied

from dashboard.stats import from_live_tables
from proposals.choices import EventVerb, ProposalStatus
from proposals.models import Event, Notification
from proposals.workflow import WorkflowError
from responses.choices import AssignmentStatus, ReminderKind, ReplyStatus
from responses.filters import AssignmentFilterSet
from responses.models import Assignment, Reply, ReplyRevision
from responses.reminders import find_due
from responses.services import (
    recategorize_reply,
    release_reply,
    return_reviewed_reply,
    send_reply,
    sign_reply,
    submit_reply,
)
from tests.responses.helpers_units import NOW, SEPARATE, SH, UnitPagesTestCase


class ReviewScene(UnitPagesTestCase):
    """A session whose committee reviews replies; 区工信局 (lead) answers 陈澄 and 王芳's proposal."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.session.reply_review = True
        cls.session.save(update_fields=["reply_review"])

    def setUp(self) -> None:
        (self.assignment,) = self.handling(lead=self.chencheng, cosigners=[self.wangfang])
        self.contact(self.assignment)
        self.proposal = self.assignment.proposal

    def handed_over(self) -> Reply:
        return self.sent(self.assignment)

    def refreshed(self):
        self.assignment.refresh_from_db()
        self.proposal.refresh_from_db()


class HandOverTests(ReviewScene):
    def test_the_units_send_hands_the_signed_letter_to_the_committee_not_to_the_proposers(self):
        reply = self.handed_over()
        self.refreshed()
        self.assertEqual(reply.status, ReplyStatus.IN_REVIEW)
        self.assertEqual(reply.to_review_at, NOW)
        self.assertIsNone(reply.sent_at)
        # The unit has replied (its reply date is now); the proposal waits for the committee.
        self.assertEqual((self.assignment.status, self.assignment.replied_at), (AssignmentStatus.REPLIED, NOW))
        self.assertEqual(self.proposal.status, ProposalStatus.ASSIGNED)
        self.assertFalse(Notification.objects.filter(user__in=[self.chencheng, self.wangfang]).exists())
        told = Notification.objects.get(user=self.committee)
        self.assertIn(f"/reply/{reply.pk}/committee-review/", told.url)
        self.assertIn("督办审核", told.title)
        event = Event.objects.get(verb=EventVerb.REPLY_TO_REVIEW)
        self.assertEqual(event.data["assignment_status"], [AssignmentStatus.HANDLING, AssignmentStatus.REPLIED])

    def test_members_and_other_units_cannot_see_a_letter_under_review(self):
        reply = self.handed_over()
        for user in (self.chencheng, self.wangfang, self.lihua, self.other_handler):
            with self.subTest(user=user.username):
                self.assertFalse(Reply.objects.visible_to(user).filter(pk=reply.pk).exists())
        for user in (self.handler, self.unitlead, self.committee, self.leader):
            with self.subTest(user=user.username):
                self.assertTrue(Reply.objects.visible_to(user).filter(pk=reply.pk).exists())

    def test_a_member_is_shown_the_unit_as_still_handling_the_proposal(self):
        self.handed_over()
        row = Assignment.objects.with_reply_in_review().get(pk=self.assignment.pk)
        self.assertEqual(row.status_shown_to(self.chencheng), AssignmentStatus.HANDLING)
        self.assertEqual(row.status_shown_to(self.handler), AssignmentStatus.REPLIED)
        self.assertEqual(row.status_shown_to(self.committee), AssignmentStatus.REPLIED)

    def test_without_review_the_send_reaches_the_proposers_at_once(self):
        self.session.reply_review = False
        self.session.save(update_fields=["reply_review"])
        reply = self.handed_over()
        self.assertEqual(reply.status, ReplyStatus.SENT)
        self.assertFalse(Event.objects.filter(verb=EventVerb.REPLY_TO_REVIEW).exists())

    def test_a_reply_under_review_is_the_committees_to_release_even_if_the_setting_is_turned_off(self):
        reply = self.handed_over()
        self.session.reply_review = False
        self.session.save(update_fields=["reply_review"])
        with self.assertRaises(WorkflowError):
            send_reply(reply, actor=self.handler)
        self.assertEqual(Reply.objects.get(pk=reply.pk).status, ReplyStatus.IN_REVIEW)


class ReleaseTests(ReviewScene):
    def test_release_sends_the_letter_exactly_as_a_send_and_tells_every_proposer(self):
        reply = self.handed_over()
        later = NOW + dt.timedelta(days=2)
        with time_machine.travel(later, tick=False):
            release_reply(reply, actor=self.committee)
        reply.refresh_from_db()
        self.refreshed()
        self.assertEqual((reply.status, reply.sent_at), (ReplyStatus.SENT, later))
        self.assertEqual(self.proposal.status, ProposalStatus.REPLIED)
        # The unit's reply date stays the day it handed the letter over.
        self.assertEqual(self.assignment.replied_at, NOW)
        for member in (self.chencheng, self.wangfang):
            told = Notification.objects.get(user=member)
            self.assertIn(f"#reply-{reply.pk}", told.url)
        event = Event.objects.get(verb=EventVerb.REPLY_SENT)
        self.assertEqual((event.actor, event.data["reviewed"]), (self.committee, True))
        self.assertEqual(event.data["proposal_status"], [ProposalStatus.ASSIGNED, ProposalStatus.REPLIED])
        self.assertTrue(Reply.objects.visible_to(self.chencheng).filter(pk=reply.pk).exists())

    def test_only_committee_staff_release_and_only_a_reply_under_review(self):
        reply = self.handed_over()
        for outsider in (self.handler, self.unitlead, self.leader, self.chencheng):
            with self.subTest(user=outsider.username), self.assertRaises(PermissionDenied):
                release_reply(reply, actor=outsider)
        release_reply(reply, actor=self.committee)
        with self.assertRaises(WorkflowError):
            release_reply(reply, actor=self.committee)

    def test_the_proposal_is_replied_only_once_no_units_reply_is_still_under_review(self):
        proposal = self.accepted()
        first, second = self.handling([(self.unit, SEPARATE), (self.other_unit, SEPARATE)], proposal=proposal)
        one, two = self.sent(first), self.sent(second)
        release_reply(one, actor=self.committee)
        proposal.refresh_from_db()
        self.assertEqual(proposal.status, ProposalStatus.ASSIGNED)
        release_reply(two, actor=self.committee)
        proposal.refresh_from_db()
        self.assertEqual(proposal.status, ProposalStatus.REPLIED)


class ReturnTests(ReviewScene):
    def test_a_returned_letter_is_a_draft_again_with_the_committees_comments_and_the_reply_is_owed(self):
        reply = self.handed_over()
        with self.assertRaises(WorkflowError):
            return_reviewed_reply(reply, actor=self.committee, comments="  ")
        return_reviewed_reply(reply, actor=self.committee, comments="请写明资金安排的具体时间表。")
        reply.refresh_from_db()
        self.refreshed()
        self.assertEqual(reply.status, ReplyStatus.DRAFT)
        self.assertEqual(reply.sendback_comment, "请写明资金安排的具体时间表。")
        self.assertTrue(reply.returned_by_committee)
        self.assertEqual((self.assignment.status, self.assignment.replied_at), (AssignmentStatus.HANDLING, None))
        told = Notification.objects.get(user=self.handler, body="请写明资金安排的具体时间表。")
        self.assertIn(f"/assignment/{self.assignment.pk}/reply/", told.url)
        self.assertFalse(Notification.objects.filter(user=self.chencheng).exists())
        event = Event.objects.get(verb=EventVerb.REPLY_REVIEW_RETURNED)
        self.assertEqual(event.note, "请写明资金安排的具体时间表。")

        # Edited, signed off and sent again: the new hand-over is the unit's reply date.
        again = NOW + dt.timedelta(days=5)
        with time_machine.travel(again, tick=False):
            submit_reply(reply, actor=self.handler)
            sign_reply(reply, actor=self.unitlead)
            send_reply(reply, actor=self.handler)
        self.refreshed()
        self.assertEqual((self.assignment.status, self.assignment.replied_at), (AssignmentStatus.REPLIED, again))

    def test_a_leaders_send_back_is_not_the_committees(self):
        reply = self.handed_over()
        return_reviewed_reply(reply, actor=self.committee, comments="请补充。")
        submit_reply(reply, actor=self.handler)
        from responses.services import send_back_reply

        send_back_reply(reply, actor=self.unitlead, comments="请核对文号。")
        reply.refresh_from_db()
        self.assertFalse(reply.returned_by_committee)

    def test_a_follow_up_reply_returned_by_the_committee_leaves_the_assignment_replied(self):
        reply = self.handed_over()
        release_reply(reply, actor=self.committee)
        Reply.objects.filter(pk=reply.pk).update(commitment_date=NOW.date() + dt.timedelta(days=90))
        self.assignment.refresh_from_db()
        followup = self.draft(self.assignment, followup=True)
        followup = submit_reply(followup, actor=self.handler).reply
        sign_reply(followup, actor=self.unitlead)
        followup = send_reply(followup, actor=self.handler)
        self.assertEqual(followup.status, ReplyStatus.IN_REVIEW)
        return_reviewed_reply(followup, actor=self.committee, comments="请补充进展数据。")
        self.refreshed()
        self.assertEqual(self.assignment.status, AssignmentStatus.REPLIED)
        self.assertEqual(self.assignment.replied_at, NOW)


class RecategorizeTests(ReviewScene):
    def test_the_committee_changes_the_category_with_a_reason_the_unit_is_shown(self):
        reply = self.handed_over()
        version = reply.version
        recategorize_reply(
            reply, actor=self.committee, category=self.reply_categories["C"], reason="所提问题受用地条件限制。"
        )
        reply.refresh_from_db()
        self.assertEqual((reply.status, reply.category.code), (ReplyStatus.IN_REVIEW, "C"))
        self.assertEqual(reply.version, version + 1)
        revision = ReplyRevision.objects.get(reply=reply, version=reply.version)
        self.assertEqual(revision.editor, self.committee)
        self.assertEqual(revision.changes, {"category": [self.reply_categories["A"].pk, self.reply_categories["C"].pk]})
        event = Event.objects.get(verb=EventVerb.REPLY_RECATEGORIZED)
        self.assertEqual((event.note, event.data["from"], event.data["to"]), ("所提问题受用地条件限制。", "A", "C"))
        told = Notification.objects.get(user=self.handler, body="所提问题受用地条件限制。")
        self.assertIn("由 A 调整为 C", told.title)

    def test_it_refuses_no_reason_the_same_category_and_a_follow_up_category_without_a_commitment_date(self):
        reply = self.handed_over()
        with self.assertRaises(WorkflowError):
            recategorize_reply(reply, actor=self.committee, category=self.reply_categories["C"], reason=" ")
        with self.assertRaises(WorkflowError):
            recategorize_reply(reply, actor=self.committee, category=self.reply_categories["A"], reason="同上")
        with self.assertRaises(WorkflowError) as refusal:
            recategorize_reply(reply, actor=self.committee, category=self.reply_categories["B"], reason="正在解决")
        self.assertIn("承诺日期", refusal.exception.message)  # the commitment date
        with self.assertRaises(PermissionDenied):
            recategorize_reply(reply, actor=self.handler, category=self.reply_categories["C"], reason="自行调整")
        reply.refresh_from_db()
        self.assertEqual((reply.category.code, reply.version), ("A", 1))


class OnTimeTests(ReviewScene):
    """On time means the unit's hand-over on or before the reply due date; the committee's time is its own."""

    def test_a_reply_handed_over_in_time_and_released_after_the_due_date_counts_as_on_time(self):
        due = self.assignment.reply_due
        handed = dt.datetime.combine(due, dt.time(16), tzinfo=SH)
        with time_machine.travel(handed, tick=False):
            reply = self.handed_over()
        released = handed + dt.timedelta(days=6)
        with time_machine.travel(released, tick=False):
            # While the committee holds it, the unit is neither overdue nor reminded.
            today = released.date()
            figures = from_live_tables(self.committee, session_id=self.session.pk, today=today)
            unit = figures.units[self.unit.pk]
            self.assertEqual((unit.replied, unit.on_time, unit.overdue), (1, 1, 0))
            kinds = {(d.kind, d.target_id) for d in find_due(released)}
            self.assertNotIn((ReminderKind.REPLY_OVERDUE, self.assignment.pk), kinds)
            release_reply(reply, actor=self.committee)
            figures = from_live_tables(self.committee, session_id=self.session.pk, today=today)
        unit = figures.units[self.unit.pk]
        self.assertEqual((unit.replied, unit.on_time, unit.overdue), (1, 1, 0))
        # The lists (the shared FilterSet, the dashboard's list page) agree with the figures.
        on_time = AssignmentFilterSet({"on_time": "true"}, queryset=Assignment.objects.all()).qs
        self.assertEqual(list(on_time), [self.assignment])
        with time_machine.travel(released, tick=False):
            self.client.force_login(self.committee)
            rows = self.client.get("/dashboard/assignments/", {"on_time": "true"}).context["page"].rows
        self.assertEqual([row.pk for row in rows], [self.assignment.pk])

    def test_a_reply_handed_over_after_the_due_date_is_late_however_fast_the_release(self):
        due = self.assignment.reply_due
        handed = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(9), tzinfo=SH)
        with time_machine.travel(handed, tick=False):
            release_reply(self.handed_over(), actor=self.committee)
            figures = from_live_tables(self.committee, session_id=self.session.pk, today=handed.date())
        unit = figures.units[self.unit.pk]
        self.assertEqual((unit.replied, unit.on_time), (1, 0))
        late = AssignmentFilterSet({"on_time": "false"}, queryset=Assignment.objects.all()).qs
        self.assertEqual(list(late), [self.assignment])

    def test_a_returned_reply_is_owed_again_and_can_be_overdue(self):
        due = self.assignment.reply_due
        with time_machine.travel(dt.datetime.combine(due, dt.time(9), tzinfo=SH), tick=False):
            reply = self.handed_over()
        after = dt.datetime.combine(due + dt.timedelta(days=2), dt.time(9), tzinfo=SH)
        with time_machine.travel(after, tick=False):
            return_reviewed_reply(reply, actor=self.committee, comments="请重写第二部分。")
            figures = from_live_tables(self.committee, session_id=self.session.pk, today=after.date())
        unit = figures.units[self.unit.pk]
        self.assertEqual((unit.replied, unit.overdue), (0, 1))


class ReviewReminderTests(ReviewScene):
    def test_committee_staff_are_reminded_of_a_reply_waiting_three_days(self):
        reply = self.handed_over()
        self.assertFalse([d for d in find_due(NOW + dt.timedelta(days=1)) if d.kind == ReminderKind.REVIEW_PENDING])
        (due,) = [d for d in find_due(NOW + dt.timedelta(days=3)) if d.kind == ReminderKind.REVIEW_PENDING]
        self.assertEqual((due.target_type, due.target_id), ("reply", reply.pk))
        self.assertEqual(set(due.recipients), {self.committee.pk})
        release_reply(reply, actor=self.committee)
        self.assertFalse([d for d in find_due(NOW + dt.timedelta(days=3)) if d.kind == ReminderKind.REVIEW_PENDING])
