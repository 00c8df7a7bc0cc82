"""代提交 through the service: committee staff enter a member's paper proposal (proposals.paper)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone

from proposals import paper
from proposals.choices import EventVerb, JointRule, ProposalKind, ProposalStatus, ProposerRole, ProposerStatus
from proposals.models import Attachment, Event, Notification, Proposal, Proposer
from proposals.services import accept_proposal
from proposals.workflow import WorkflowError
from tests.base import PersonaTestCase, make_user
from tests.proposals.helpers_member import IN_MEMORY_STORAGE, InEnglish, docx_bytes, pdf_bytes, png_bytes, upload

TITLE = "关于推进福田区老旧住宅加装电梯的建议"


def stored_files(top: str = "") -> list[str]:
    """Every file in the (in-memory) storage."""
    dirs, files = default_storage.listdir(top)
    found = [f"{top}/{name}".lstrip("/") for name in files]
    for name in dirs:
        found += stored_files(f"{top}/{name}".lstrip("/"))
    return found


def paper_data(**overrides) -> dict:
    data = {
        "title": TITLE,
        "background": "福田区老旧多层住宅较多，老年住户上下楼困难。",
        "suggestions": "一、编制加装电梯工作指引。\n二、设立街道协调服务站。",
        "category": None,
        "publication_consent": True,
        "publication_refusal_reason": "",
    }
    data.update(overrides)
    return data


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class PaperEntryTests(InEnglish, PersonaTestCase):
    def enter(self, actor=None, lead=None, cosigners=(), **kwargs) -> Proposal:
        kwargs.setdefault("data", paper_data())
        return paper.enter_paper_proposal(
            actor=actor or self.committee,
            session=kwargs.pop("session", self.session),
            lead=lead or self.chencheng,
            cosigners=cosigners,
            **kwargs,
        )

    def assert_nothing_entered(self) -> None:
        self.assertFalse(Proposal.objects.exists())
        self.assertFalse(Proposer.objects.exists())
        self.assertFalse(Event.objects.exists())
        self.assertFalse(Notification.objects.exists())
        self.assertFalse(Attachment.objects.exists())

    def test_a_joint_paper_proposal_is_entered_as_submitted_with_its_signers_confirmed_on_paper(self):
        proposal = self.enter(cosigners=[self.wangfang, self.lihua], units=[self.unit])
        proposal.refresh_from_db()
        self.assertEqual(proposal.status, ProposalStatus.SUBMITTED)
        self.assertEqual(proposal.kind, ProposalKind.JOINT)
        self.assertIsNotNone(proposal.submitted_at)
        self.assertEqual((proposal.entered_by, proposal.created_by), (self.committee, self.committee))
        self.assertEqual(proposal.entered_at, proposal.submitted_at)
        self.assertTrue(proposal.entered_on_paper)
        self.assertEqual(proposal.number, "")  # numbered at 立案, like any other
        self.assertEqual(proposal.lead_display, "陈澄")
        self.assertEqual(list(proposal.suggested_units.all()), [self.unit])
        rows = list(proposal.proposers.order_by("order").values_list("user__username", "role", "status"))
        self.assertEqual(
            rows,
            [
                ("chencheng", ProposerRole.LEAD, ProposerStatus.CONFIRMED),
                ("wangfang", ProposerRole.COSIGNER, ProposerStatus.CONFIRMED),
                ("lihua", ProposerRole.COSIGNER, ProposerStatus.CONFIRMED),
            ],
        )
        self.assertTrue(all(proposal.proposers.values_list("confirmed_on_paper", flat=True)))

    def test_the_timeline_says_who_entered_it_for_whom(self):
        proposal = self.enter(cosigners=[self.wangfang])
        event = Event.objects.get(proposal=proposal)
        self.assertEqual(event.verb, EventVerb.ENTERED_FROM_PAPER)
        self.assertEqual(event.actor, self.committee)
        self.assertEqual((event.from_status, event.to_status), (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED))
        self.assertEqual(event.data["on_behalf_of"], self.chencheng.pk)
        self.assertEqual((event.data["member"], event.data["cosigners"]), ("陈澄", ["王芳"]))

    def test_the_member_and_each_joint_proposer_are_told_and_follow_it_like_their_own(self):
        proposal = self.enter(cosigners=[self.wangfang])
        told = dict(Notification.objects.filter(proposal=proposal).values_list("user__username", "title"))
        self.assertEqual(set(told), {"chencheng", "wangfang"})
        # Stored in the site's language (Chinese).
        self.assertEqual(told["chencheng"], f"您的纸质提案《{TITLE}》已代为录入并提交")
        self.assertEqual(told["wangfang"], f"您是《{TITLE}》的联名人")
        for user in (self.chencheng, self.wangfang, self.committee, self.leader):
            self.assertIn(proposal, Proposal.objects.visible_to(user), user.username)
        for user in (self.lihua, self.handler):
            self.assertNotIn(proposal, Proposal.objects.visible_to(user), user.username)

    def test_without_joint_proposers_it_is_an_individual_proposal(self):
        proposal = self.enter()
        self.assertEqual(proposal.kind, ProposalKind.INDIVIDUAL)
        self.assertEqual(proposal.proposers.count(), 1)

    def test_it_goes_on_to_review_and_is_numbered_like_any_other(self):
        proposal = accept_proposal(self.enter(), actor=self.committee)
        self.assertEqual((proposal.status, proposal.number), (ProposalStatus.ACCEPTED, "2023001"))
        self.assertTrue(Notification.objects.filter(user=self.chencheng, title__contains="2023001").exists())

    def test_the_scan_of_the_paper_form_becomes_its_attachment(self):
        proposal = self.enter(scan=upload("陈澄提案扫描件.pdf", pdf_bytes()))
        scan = proposal.attachments.get()
        self.assertEqual((scan.original_name, scan.content_type), ("陈澄提案扫描件.pdf", "application/pdf"))
        self.assertEqual(scan.uploaded_by, self.committee)
        self.assertIn(scan.file.name, stored_files())
        self.assertEqual(Event.objects.get(proposal=proposal).data["attachments"], ["陈澄提案扫描件.pdf"])
        image = self.enter(scan=upload("scan.png", png_bytes())).attachments.get()
        self.assertEqual(image.content_type, "image/png")

    def test_only_committee_staff_may_enter_one(self):
        for actor in (self.leader, self.handler, self.chencheng):
            with self.subTest(actor=actor.username), self.assertRaises(PermissionDenied):
                self.enter(actor=actor)
        self.assert_nothing_entered()

    def test_the_lead_and_the_joint_proposers_must_be_active_members(self):
        gone = make_user("gone", "离任委员", is_active=False)
        cases = [
            ({"lead": self.committee}, "张委办 is not an active member"),
            ({"lead": gone}, "离任委员 is not an active member"),
            ({"cosigners": [self.handler]}, "刘经办 is not an active member"),
        ]
        for kwargs, message in cases:
            with self.subTest(kwargs=kwargs), self.assertRaisesMessage(WorkflowError, message):
                self.enter(**kwargs)
        self.assert_nothing_entered()

    def test_joint_proposers_are_distinct_from_the_lead_and_from_each_other(self):
        with self.assertRaisesMessage(WorkflowError, "陈澄 is the lead proposer and cannot also be a joint proposer"):
            self.enter(cosigners=[self.wangfang, self.chencheng])
        with self.assertRaisesMessage(WorkflowError, "王芳 is named twice among the joint proposers"):
            self.enter(cosigners=[self.wangfang, self.wangfang])
        self.assert_nothing_entered()

    def test_the_sessions_submission_period_holds(self):
        today = timezone.localdate()
        self.session.closes_on = today - dt.timedelta(days=1)
        with self.assertRaisesMessage(WorkflowError, "Submissions for this session closed on"):
            self.enter()
        self.session.closes_on, self.session.opens_on = None, today + dt.timedelta(days=3)
        with self.assertRaisesMessage(WorkflowError, "Submissions for this session open on"):
            self.enter()
        self.assert_nothing_entered()

    def test_a_form_received_in_the_period_is_entered_after_it_closed_with_that_submission_date(self):
        today = timezone.localdate()
        received = today - dt.timedelta(days=5)
        self.session.opens_on, self.session.closes_on = today - dt.timedelta(days=30), today - dt.timedelta(days=2)
        proposal = self.enter(received_on=received)
        self.assertEqual(proposal.status, ProposalStatus.SUBMITTED)
        self.assertEqual(timezone.localtime(proposal.submitted_at).date(), received)
        self.assertEqual(timezone.localtime(proposal.entered_at).date(), today)
        event = Event.objects.get(proposal=proposal, verb=EventVerb.ENTERED_FROM_PAPER)
        self.assertEqual(event.data["received_on"], received.isoformat())

    def test_a_form_received_outside_the_period_or_in_the_future_is_refused(self):
        today = timezone.localdate()
        self.session.opens_on, self.session.closes_on = today - dt.timedelta(days=30), today - dt.timedelta(days=2)
        with self.assertRaisesMessage(WorkflowError, "Submissions for this session closed on"):
            self.enter(received_on=today - dt.timedelta(days=1))
        self.session.closes_on = None
        with self.assertRaisesMessage(WorkflowError, "cannot be later than today"):
            self.enter(received_on=today + dt.timedelta(days=1))
        self.assert_nothing_entered()

    def test_the_sessions_rule_for_joint_proposals_holds(self):
        self.session.joint_min_confirmed = 2
        self.session.save(update_fields=["joint_min_confirmed"])
        with self.assertRaisesMessage(WorkflowError, "at least 2 confirmed co-signers"):
            self.enter(cosigners=[self.wangfang])
        self.assert_nothing_entered()
        self.assertEqual(self.enter(cosigners=[self.wangfang, self.lihua]).status, ProposalStatus.SUBMITTED)
        # Every joint proposer signed the paper, so a session asking for all of them is satisfied.
        self.session.joint_rule = JointRule.ALL
        self.session.save(update_fields=["joint_rule"])
        self.enter(cosigners=[self.wangfang], data=paper_data(title="关于另一件事的建议"))

    def test_a_title_and_concrete_suggestions_are_needed(self):
        with self.assertRaisesMessage(WorkflowError, "Give the proposal a title."):
            self.enter(data=paper_data(title="  "))
        with self.assertRaisesMessage(WorkflowError, "Write the concrete suggestions before submitting."):
            self.enter(data=paper_data(suggestions=""))
        with self.assertRaisesMessage(WorkflowError, "at most 200 characters"):
            self.enter(data=paper_data(title="关" * 201))
        with self.assertRaisesMessage(WorkflowError, "Give a reason when refusing publication."):
            self.enter(data=paper_data(publication_consent=False))
        self.assert_nothing_entered()

    def test_a_scan_must_be_a_pdf_or_an_image_really(self):
        for name, content, message in (
            ("提案.docx", docx_bytes(), "is not a scan"),
            ("提案.pdf", b"not a pdf at all", "is not really a .pdf file"),
            ("提案.png", pdf_bytes(), "is not really a .png file"),
        ):
            with self.subTest(name=name), self.assertRaisesMessage(WorkflowError, message):
                self.enter(scan=upload(name, content))
        self.assert_nothing_entered()

    def test_a_failure_after_the_scan_was_stored_leaves_no_file_behind(self):
        before = stored_files()
        with mock.patch("proposals.paper.record_event", side_effect=RuntimeError("database gone")):
            with self.assertRaises(RuntimeError):
                self.enter(scan=upload("scan.pdf", pdf_bytes()))
        self.assert_nothing_entered()
        self.assertEqual(stored_files(), before)
