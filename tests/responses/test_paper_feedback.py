"""代评价 through the service: committee staff record a member's paper rating (record_paper_feedback), under the
rules of a member's own rating and with the same effects."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import time_machine
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from proposals.choices import EventVerb, ProposalStatus
from proposals.models import Event, Notification
from proposals.workflow import WorkflowError
from responses.choices import ReplyStatus, Satisfaction
from responses.models import Assignment, Feedback
from responses.services import give_feedback, record_paper_feedback
from tests.proposals.helpers_member import IN_MEMORY_STORAGE, InEnglish, docx_bytes, pdf_bytes, png_bytes, upload
from tests.proposals.test_paper import stored_files
from tests.responses.helpers_units import LEAD, NOW, UnitPagesTestCase

SATISFIED, BASICALLY, DISSATISFIED = Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.DISSATISFIED


def paper_form(name: str = "王芳满意度测评表.pdf", content: bytes | None = None):
    return upload(name, pdf_bytes("Futian 2023 rating") if content is None else content)


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class PaperFeedbackTestCase(InEnglish, UnitPagesTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        (cls.assignment,) = cls().handling([(cls.unit, LEAD)], cosigners=[cls.wangfang])
        cls.proposal = cls.assignment.proposal
        cls().contact(cls.assignment)
        cls.reply = cls().sent(cls.assignment)

    def record(self, member=None, attitude=SATISFIED, result=BASICALLY, comment="", form="default", actor=None):
        return record_paper_feedback(
            self.reply,
            actor=actor or self.committee,
            member=member or self.wangfang,
            attitude=attitude,
            result=result,
            comment=comment,
            paper_form=paper_form() if form == "default" else form,
        )

    def assert_nothing_recorded(self) -> None:
        self.assertFalse(Feedback.objects.exists())
        self.assertFalse(Event.objects.filter(verb=EventVerb.FEEDBACK_RECORDED).exists())


class RecordingTests(PaperFeedbackTestCase):
    def test_the_rating_is_the_members_marked_as_recorded_on_their_behalf_with_the_form(self):
        feedback = self.record(comment="答复具体，沟通充分。")
        self.assertEqual((feedback.user, feedback.recorded_by), (self.wangfang, self.committee))
        self.assertEqual((feedback.attitude, feedback.result), (SATISFIED, BASICALLY))
        self.assertEqual(
            (feedback.paper_form_name, feedback.paper_form_type), ("王芳满意度测评表.pdf", "application/pdf")
        )
        self.assertTrue(feedback.on_paper)
        self.assertIn(feedback.paper_form.name, stored_files())
        self.assertTrue(feedback.paper_form.name.startswith("feedback-forms/"))
        self.assertEqual(feedback.created_at, NOW)

    def test_an_image_of_the_form_is_taken_too(self):
        feedback = self.record(form=upload("测评表.png", png_bytes()))
        self.assertEqual(feedback.paper_form_type, "image/png")

    def test_the_timeline_names_the_staff_member_and_the_member(self):
        feedback = self.record(comment="答复具体。")
        event = Event.objects.get(verb=EventVerb.FEEDBACK_RECORDED)
        self.assertEqual((event.actor, event.object_type, event.object_id), (self.committee, "feedback", feedback.pk))
        self.assertEqual(event.note, "答复具体。")
        self.assertEqual(
            {key: event.data[key] for key in ("reply", "attitude", "result", "on_behalf_of", "member", "paper_form")},
            {
                "reply": self.reply.pk,
                "attitude": SATISFIED,
                "result": BASICALLY,
                "on_behalf_of": self.wangfang.pk,
                "member": "王芳",
                "paper_form": "王芳满意度测评表.pdf",
            },
        )

    def test_the_member_and_the_replying_unit_are_told(self):
        self.record()
        # Stored in the site's language (Chinese), whoever reads it.
        mine = Notification.objects.get(user=self.wangfang, proposal=self.proposal, title__contains="纸质测评已录入")
        self.assertEqual(mine.body, "提案委员会张委办已代您录入：办理态度满意，办理结果基本满意。")
        for user in (self.handler, self.unitlead):
            note = Notification.objects.filter(user=user, title__contains="纸质测评表").get()
            self.assertTrue(note.title.startswith("王芳 以纸质测评表对"), note.title)
        self.assertFalse(Notification.objects.filter(user=self.other_handler).exists())

    def test_the_last_rating_closes_the_proposal_as_an_online_one_does(self):
        give_feedback(self.reply, actor=self.chencheng, attitude=SATISFIED, result=SATISFIED)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.REPLIED)
        self.record()
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.CLOSED)
        self.assertTrue(Event.objects.filter(proposal=self.proposal, verb=EventVerb.CLOSED).exists())

    def test_dissatisfied_on_paper_starts_handling_again_as_online(self):
        self.record(attitude=BASICALLY, result=DISSATISFIED, comment="没有具体措施和时间表。")
        self.proposal.refresh_from_db()
        self.assertEqual((self.proposal.status, self.proposal.handling_round), (ProposalStatus.ASSIGNED, 2))
        again = Assignment.objects.get(proposal=self.proposal, round=2)
        self.assertEqual((again.unit, again.role), (self.unit, LEAD))
        rehandling = Event.objects.get(proposal=self.proposal, verb=EventVerb.REHANDLING)
        self.assertEqual(rehandling.note, "有提案人对答复不满意。")  # stored in the site's language, as online


class RulesTests(PaperFeedbackTestCase):
    def test_only_committee_staff_record_paper_ratings(self):
        for actor in (self.leader, self.handler, self.unitlead, self.wangfang, self.chencheng):
            with self.subTest(actor=actor.username), self.assertRaises(PermissionDenied):
                self.record(actor=actor)
        self.assert_nothing_recorded()

    def test_only_a_proposer_of_the_proposal_is_rated_for(self):
        with self.assertRaisesMessage(WorkflowError, "李华 is not a proposer of this proposal"):
            self.record(member=self.lihua)
        self.assert_nothing_recorded()

    def test_one_rating_per_proposer_and_reply_whoever_enters_it(self):
        give_feedback(self.reply, actor=self.wangfang, attitude=SATISFIED, result=SATISFIED)
        with self.assertRaisesMessage(WorkflowError, "王芳 has already rated this reply."):
            self.record()
        self.record(member=self.chencheng)
        with self.assertRaisesMessage(WorkflowError, "You have already rated this reply."):
            give_feedback(self.reply, actor=self.chencheng, attitude=SATISFIED, result=SATISFIED)
        self.assertEqual(Feedback.objects.count(), 2)

    def test_a_dissatisfied_rating_needs_the_comment_from_the_form(self):
        with self.assertRaisesMessage(WorkflowError, "Write down what the member is dissatisfied with"):
            self.record(result=DISSATISFIED, comment="  ")
        self.assert_nothing_recorded()

    def test_both_parts_are_rated(self):
        with self.assertRaisesMessage(WorkflowError, "Rate both the handling attitude and the handling result."):
            self.record(attitude="excellent")
        self.assert_nothing_recorded()

    def test_only_a_sent_reply_is_rated(self):
        (other,) = self.handling([(self.unit, LEAD)], cosigners=[self.wangfang], title="关于另一件事的建议")
        draft = self.draft(other)
        self.assertEqual(draft.status, ReplyStatus.DRAFT)
        with self.assertRaisesMessage(WorkflowError, "Only a sent reply can be rated."):
            record_paper_feedback(
                draft,
                actor=self.committee,
                member=self.wangfang,
                attitude=SATISFIED,
                result=SATISFIED,
                paper_form=paper_form(),
            )
        self.assert_nothing_recorded()

    def test_after_the_feedback_window_nothing_is_recorded(self):
        with time_machine.travel(NOW + dt.timedelta(days=60), tick=False):
            with self.assertRaisesMessage(WorkflowError, "The time to rate this reply ended on"):
                self.record()
        self.assert_nothing_recorded()

    def test_the_paper_form_is_required_and_must_be_a_pdf_or_an_image_really(self):
        cases = (
            (None, "Attach the scan of the paper rating form"),
            (upload("测评表.docx", docx_bytes()), "is not a scan"),
            (upload("测评表.pdf", b"%not a pdf"), "is not really a .pdf file"),
            (upload("测评表.jpg", png_bytes()), "is not really a .jpg file"),
            (upload("测评表.pdf", b""), "is empty"),
        )
        for form, message in cases:
            with self.subTest(message=message), self.assertRaisesMessage(WorkflowError, message):
                self.record(form=form)
        self.assert_nothing_recorded()

    def test_a_failure_after_the_form_was_stored_leaves_no_file_behind(self):
        before = stored_files()
        with mock.patch("responses.services.feedback.record_event", side_effect=RuntimeError("database gone")):
            with self.assertRaises(RuntimeError):
                self.record()
        self.assert_nothing_recorded()
        self.assertEqual(stored_files(), before)
