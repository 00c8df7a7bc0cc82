"""Countersigning (会签) through the services: where the session asks for it, the lead unit's final draft
goes to each co-handling unit, which agrees or returns it with comments; the draft is submitted for
sign-off only once every unit agreed to its current version. Where the session does not ask, nothing
changes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from proposals.choices import EventVerb
from proposals.models import Event, Notification
from proposals.workflow import WorkflowError
from responses import policy
from responses.choices import CountersignStatus, ReplyStatus
from responses.models import Countersign
from responses.services import (
    answer_countersign,
    request_countersign,
    save_reply_draft,
    send_opinion,
    submit_reply,
    waive_opinion,
)
from tests.base import make_user
from tests.responses.helpers_units import COHANDLING, LEAD, UnitPagesTestCase


class CountersignScene(UnitPagesTestCase):
    """区工信局 leads, 区教育局 (other_unit) and 区发改局 (third_unit) co-handle, in a session with 会签 on."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.session.countersign = True
        cls.session.save(update_fields=["countersign"])

    def setUp(self) -> None:
        self.lead, self.edu, self.fgw = self.handling(
            [(self.unit, LEAD), (self.other_unit, COHANDLING), (self.third_unit, COHANDLING)]
        )
        send_opinion(self.edu, actor=self.other_handler, body="建议统筹考虑学校周边产业空间。")
        send_opinion(self.fgw, actor=self.third_handler, body="建议将项目纳入年度投资计划。")
        self.contact(self.lead)
        self.reply = self.draft(self.lead)

    def row(self, assignment) -> Countersign:
        return Countersign.objects.get(reply=self.reply, assignment=assignment)

    def edit(self, **data):
        self.reply.refresh_from_db()
        return save_reply_draft(self.lead, actor=self.handler, data=data, base_version=self.reply.version)


class RequestTests(CountersignScene):
    def test_it_refuses_to_submit_a_draft_nobody_has_countersigned_naming_the_units(self):
        with self.assertRaises(WorkflowError) as refusal:
            submit_reply(self.reply, actor=self.handler)
        message = refusal.exception.message
        self.assertIn("会签", message)
        self.assertIn("尚未送会签", message)  # not yet asked
        self.assertIn(self.other_unit.name, message)
        self.assertIn(self.third_unit.name, message)
        self.reply.refresh_from_db()
        self.assertEqual(self.reply.status, ReplyStatus.DRAFT)

    def test_the_draft_goes_to_every_co_handling_unit_with_the_letter_as_it_is(self):
        rows = request_countersign(self.reply, actor=self.handler)
        self.assertEqual({row.assignment_id for row in rows}, {self.edu.pk, self.fgw.pk})
        for row in rows:
            self.assertEqual(row.status, CountersignStatus.PENDING)
            self.assertEqual(row.version, self.reply.version)
            self.assertEqual(row.letter["body"], self.reply.body)
            self.assertEqual(row.letter["category"], "A 已解决或采纳")
        event = Event.objects.get(proposal=self.lead.proposal, verb=EventVerb.COUNTERSIGN_REQUESTED)
        self.assertEqual(event.data["units"], [self.other_unit.name, self.third_unit.name])
        # Each co-handling unit's staff is told, with a link to its own countersign page.
        told = Notification.objects.get(user=self.third_lead, url__contains="/countersign/")
        self.assertIn(f"/assignment/{self.fgw.pk}/countersign/", told.url)
        self.assertFalse(Notification.objects.filter(user=self.unitlead, url__contains="/countersign/").exists())

    def test_only_the_lead_units_staff_may_send_it_and_only_after_every_opinion(self):
        with self.assertRaises(PermissionDenied):
            request_countersign(self.reply, actor=self.other_handler)
        with self.assertRaises(PermissionDenied):
            request_countersign(self.reply, actor=self.committee)
        lead, co = self.handling([(self.unit, LEAD), (self.other_unit, COHANDLING)])
        draft = self.draft(lead)
        with self.assertRaises(WorkflowError) as refusal:
            request_countersign(draft, actor=self.handler)
        self.assertIn(self.other_unit.name, refusal.exception.message)
        self.assertFalse(Countersign.objects.filter(reply=draft).exists())
        # The committee waives the missing opinion: that unit is then not asked to countersign either.
        waive_opinion(co, actor=self.committee, reason="会办单位逾期未报意见。")
        with self.assertRaises(WorkflowError) as refusal:
            request_countersign(draft, actor=self.handler)
        self.assertIn("没有需要会签的会办单位", refusal.exception.message)  # no co-handling unit to ask
        submit_reply(draft, actor=self.handler)

    def test_a_session_without_countersigning_changes_nothing(self):
        self.session.countersign = False
        self.session.save(update_fields=["countersign"])
        with self.assertRaises(WorkflowError):
            request_countersign(self.reply, actor=self.handler)
        self.assertEqual(submit_reply(self.reply, actor=self.handler).reply.status, ReplyStatus.AWAITING_SIGNOFF)

    def test_a_follow_up_reply_and_a_separate_units_reply_are_not_countersigned(self):
        (separate,) = self.handling([(self.unit, "separate")])
        self.assertFalse(policy.countersign_required(separate))
        self.assertTrue(policy.countersign_required(self.lead, self.reply))
        self.reply.is_followup = True
        self.assertFalse(policy.countersign_required(self.lead, self.reply))


class AnswerTests(CountersignScene):
    def setUp(self) -> None:
        super().setUp()
        request_countersign(self.reply, actor=self.handler)

    def test_when_every_unit_agrees_the_draft_goes_for_sign_off(self):
        answer_countersign(self.row(self.edu), actor=self.other_handler, agree=True)
        with self.assertRaises(WorkflowError) as refusal:
            submit_reply(self.reply, actor=self.handler)
        self.assertIn(f"尚未答复：{self.third_unit.name}", refusal.exception.message)  # awaiting an answer
        answer_countersign(self.row(self.fgw), actor=self.third_lead, agree=True, comments="同意。")
        row = self.row(self.fgw)
        self.assertEqual(
            (row.status, row.answered_by, row.comments), (CountersignStatus.AGREED, self.third_lead, "同意。")
        )
        self.assertIsNotNone(row.answered_at)
        self.assertEqual(submit_reply(self.reply, actor=self.handler).reply.status, ReplyStatus.AWAITING_SIGNOFF)
        verbs = list(Event.objects.filter(proposal=self.lead.proposal).values_list("verb", flat=True))
        self.assertEqual(verbs.count(EventVerb.COUNTERSIGN_AGREED), 2)
        # The lead unit hears of each answer.
        lead_page = f"/assignment/{self.lead.pk}/reply/"
        self.assertEqual(Notification.objects.filter(user=self.handler, url__contains=lead_page).count(), 2)

    def test_a_return_needs_comments_and_blocks_the_submission(self):
        with self.assertRaises(WorkflowError):
            answer_countersign(self.row(self.edu), actor=self.other_handler, agree=False, comments="  ")
        self.assertEqual(self.row(self.edu).status, CountersignStatus.PENDING)
        answer_countersign(self.row(self.edu), actor=self.other_handler, agree=False, comments="请补充学位测算。")
        answer_countersign(self.row(self.fgw), actor=self.third_handler, agree=True)
        with self.assertRaises(WorkflowError) as refusal:
            submit_reply(self.reply, actor=self.handler)
        self.assertIn(f"附意见退回：{self.other_unit.name}", refusal.exception.message)  # returned with comments
        event = Event.objects.get(verb=EventVerb.COUNTERSIGN_RETURNED)
        self.assertEqual(event.note, "请补充学位测算。")
        told = Notification.objects.get(user=self.handler, body="请补充学位测算。")
        self.assertIn(self.other_unit.name, told.title)

    def test_only_the_asked_units_staff_answer_and_only_once(self):
        for outsider in (self.handler, self.third_handler, self.committee, self.chencheng):
            with self.subTest(outsider=outsider.username), self.assertRaises(PermissionDenied):
                answer_countersign(self.row(self.edu), actor=outsider, agree=True)
        answer_countersign(self.row(self.edu), actor=self.other_handler, agree=True)
        with self.assertRaises(WorkflowError):
            answer_countersign(self.row(self.edu), actor=self.other_handler, agree=False, comments="改主意了")

    def test_a_new_version_asks_everyone_again_and_resets_earlier_agreements(self):
        answer_countersign(self.row(self.edu), actor=self.other_handler, agree=True)
        answer_countersign(self.row(self.fgw), actor=self.third_handler, agree=False, comments="请写明投资计划。")
        self.edit(body=self.reply.body + "\n二、关于投资计划\n已纳入年度投资计划。")
        # Edited after the agreement: the agreement covers the earlier text only.
        with self.assertRaises(WorkflowError) as refusal:
            submit_reply(self.reply, actor=self.handler)
        self.assertIn("只会签过此前的版本", refusal.exception.message)  # answered an earlier version only
        request_countersign(self.reply, actor=self.handler)
        self.reply.refresh_from_db()
        for assignment in (self.edu, self.fgw):
            row = self.row(assignment)
            self.assertEqual((row.status, row.version, row.answered_by), (CountersignStatus.PENDING, 2, None))
            self.assertIn("投资计划", row.letter["body"])
        event = Event.objects.filter(verb=EventVerb.COUNTERSIGN_REQUESTED).order_by("pk").last()
        self.assertEqual(sorted(event.data["reset"]), sorted([self.other_unit.name, self.third_unit.name]))

    def test_an_answer_after_the_draft_went_on_is_refused(self):
        for row, actor in ((self.row(self.edu), self.other_handler), (self.row(self.fgw), self.third_handler)):
            answer_countersign(row, actor=actor, agree=True)
        submit_reply(self.reply, actor=self.handler)
        late = make_user("latehandler", "迟经办", "unit_handler", self.other_unit)
        row = self.row(self.edu)
        Countersign.objects.filter(pk=row.pk).update(status=CountersignStatus.PENDING)
        row.refresh_from_db()
        with self.assertRaises(WorkflowError):
            answer_countersign(row, actor=late, agree=True)


class VisibilityTests(CountersignScene):
    def setUp(self) -> None:
        super().setUp()
        request_countersign(self.reply, actor=self.handler)

    def test_each_unit_sees_its_own_rows_and_the_lead_sees_all_members_none(self):
        visible = {
            user.username: set(Countersign.objects.visible_to(user).values_list("assignment_id", flat=True))
            for user in (self.handler, self.other_handler, self.third_handler, self.committee, self.chencheng)
        }
        self.assertEqual(visible["handler"], {self.edu.pk, self.fgw.pk})
        self.assertEqual(visible["otherhandler"], {self.edu.pk})
        self.assertEqual(visible["thirdhandler"], {self.fgw.pk})
        self.assertEqual(visible["committee"], {self.edu.pk, self.fgw.pk})
        self.assertEqual(visible["chencheng"], set())
