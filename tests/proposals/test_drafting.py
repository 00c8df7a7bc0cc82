"""Drafting services: who may write and edit, one transaction each, an event each, files checked by content."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone

from proposals import drafting, services
from proposals.choices import EventVerb, ProposalKind, ProposalStatus, ProposerRole, ProposerStatus
from proposals.models import Attachment, Category, Event, Proposal
from proposals.workflow import WorkflowError
from tests.base import PersonaTestCase, make_proposal, make_session
from tests.proposals.helpers_member import (
    IN_MEMORY_STORAGE,
    InEnglish,
    docx_bytes,
    pdf_bytes,
    png_bytes,
    upload,
    xlsx_bytes,
)


def data(**overrides) -> dict:
    values = {
        "title": "关于加强福田区社区体育设施建设的建议",
        "background": "福田区社区体育设施总量不足。",
        "suggestions": "一、建设口袋公园。\n二、学校场馆错时开放。",
        "category": None,
        "kind": ProposalKind.INDIVIDUAL,
        "collective_author": "",
        "publication_consent": True,
        "publication_refusal_reason": "",
    }
    values.update(overrides)
    return values


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class CreateDraftTests(InEnglish, PersonaTestCase):
    def test_a_member_creates_a_draft_as_its_lead_proposer_with_a_created_event(self):
        proposal = drafting.create_draft(
            actor=self.chencheng,
            session=self.session,
            data=data(category=self.category),
            units=[self.unit],
            files=[upload("调研报告.pdf", pdf_bytes())],
        )
        self.assertEqual(proposal.status, ProposalStatus.DRAFT)
        self.assertEqual(proposal.created_by, self.chencheng)
        self.assertEqual(proposal.category, self.category)
        self.assertEqual(list(proposal.suggested_units.all()), [self.unit])
        lead = proposal.proposers.get()
        self.assertEqual((lead.user, lead.role, lead.status), (self.chencheng, ProposerRole.LEAD, "confirmed"))
        event = Event.objects.get(proposal=proposal)
        self.assertEqual((event.verb, event.actor, event.to_status), (EventVerb.CREATED, self.chencheng, "draft"))
        self.assertEqual(event.data["attachments"], ["调研报告.pdf"])
        attachment = proposal.attachments.get()
        self.assertEqual((attachment.original_name, attachment.content_type), ("调研报告.pdf", "application/pdf"))
        # Stored under a random name, never the one the member's computer gave it.
        self.assertNotIn("调研报告", attachment.file.name)
        self.assertTrue(attachment.file.name.endswith(".pdf"))

    def test_staff_cannot_write_proposals(self):
        for user in (self.committee, self.handler, self.leader):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                drafting.create_draft(actor=user, session=self.session, data=data())
        self.assertFalse(Proposal.objects.exists())

    def test_a_title_is_required(self):
        with self.assertRaisesMessage(WorkflowError, "Give the proposal a title."):
            drafting.create_draft(actor=self.chencheng, session=self.session, data=data(title="  "))

    def test_refusing_publication_needs_a_reason(self):
        with self.assertRaises(WorkflowError):
            drafting.create_draft(actor=self.chencheng, session=self.session, data=data(publication_consent=False))
        proposal = drafting.create_draft(
            actor=self.chencheng,
            session=self.session,
            data=data(publication_consent=False, publication_refusal_reason="涉及个人隐私"),
        )
        self.assertEqual(proposal.publication_refusal_reason, "涉及个人隐私")

    def test_a_collective_proposal_names_its_author_and_others_drop_it(self):
        with self.assertRaises(WorkflowError):
            drafting.create_draft(actor=self.chencheng, session=self.session, data=data(kind="collective"))
        proposal = drafting.create_draft(
            actor=self.chencheng, session=self.session, data=data(collective_author="民进福田区委")
        )
        self.assertEqual(proposal.collective_author, "")

    def test_an_inactive_category_is_refused(self):
        old = Category.objects.create(name="已停用类别", is_active=False)
        with self.assertRaises(WorkflowError):
            drafting.create_draft(actor=self.chencheng, session=self.session, data=data(category=old))

    def test_a_closed_session_takes_no_new_drafts(self):
        closed = make_session(name="六届二次会议", term=6, meeting=2, is_current=False, closes_on=dt.date(2022, 2, 28))
        with self.assertRaisesMessage(WorkflowError, "closed on 2022-02-28"):
            drafting.create_draft(actor=self.chencheng, session=closed, data=data())

    def test_one_bad_file_stores_nothing(self):
        with self.assertRaises(WorkflowError):
            drafting.create_draft(
                actor=self.chencheng,
                session=self.session,
                data=data(),
                files=[upload("图.png", png_bytes()), upload("伪装.pdf", b"MZ\x90\x00 not a pdf")],
            )
        self.assertFalse(Proposal.objects.exists())
        self.assertFalse(Attachment.objects.exists())


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class CheckAttachmentTests(InEnglish, PersonaTestCase):
    def test_real_files_of_each_allowed_type_pass(self):
        for name, content, mime in (
            ("a.pdf", pdf_bytes(), "application/pdf"),
            ("a.docx", docx_bytes(), drafting.DOCX),
            ("a.xlsx", xlsx_bytes(), drafting.XLSX),
            ("a.png", png_bytes(), "image/png"),
            ("a.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "image/jpeg"),
            ("a.txt", "调研摘要：福田区".encode(), "text/plain"),
            ("gbk.txt", "调研摘要".encode("gb18030"), "text/plain"),
            ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "application/msword"),
        ):
            with self.subTest(name=name):
                self.assertEqual(drafting.check_attachment(upload(name, content)), mime)

    def test_content_that_does_not_match_its_extension_is_refused(self):
        for name, content in (
            ("report.pdf", b"MZ\x90\x00 an executable"),
            ("photo.png", pdf_bytes()),
            ("sheet.docx", xlsx_bytes()),
            ("letter.doc", docx_bytes()),
            ("notes.txt", png_bytes()),
            ("binary.txt", b"abc\x00\x01\x02"),
        ):
            with self.subTest(name=name), self.assertRaisesMessage(WorkflowError, name):
                drafting.check_attachment(upload(name, content))

    def test_other_types_and_empty_files_are_refused(self):
        for name, content in (("run.exe", b"MZ\x90"), ("page.html", b"<html>"), ("empty.pdf", b"")):
            with self.subTest(name=name), self.assertRaises(WorkflowError):
                drafting.check_attachment(upload(name, content))

    @override_settings(ATTACHMENT_MAX_BYTES=100)
    def test_files_over_the_size_limit_are_refused(self):
        with self.assertRaisesMessage(WorkflowError, "at most 100"):
            drafting.check_attachment(upload("big.pdf", pdf_bytes()))


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class UpdateDraftTests(InEnglish, PersonaTestCase):
    def setUp(self):
        super().setUp()
        self.proposal = drafting.create_draft(actor=self.chencheng, session=self.session, data=data())

    def test_the_lead_proposer_edits_a_draft_and_the_event_names_the_changed_fields(self):
        drafting.update_draft(
            self.proposal,
            actor=self.chencheng,
            data=data(title="关于加快建设福田区社区体育公园的建议", category=self.category),
            units=[self.unit, self.other_unit],
        )
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.title, "关于加快建设福田区社区体育公园的建议")
        event = Event.objects.get(proposal=self.proposal, verb=EventVerb.EDITED)
        self.assertEqual(event.data["fields"], ["title", "category", "suggested_units"])

    def test_saving_without_changes_writes_no_event(self):
        drafting.update_draft(self.proposal, actor=self.chencheng, data=data(), units=[])
        self.assertFalse(Event.objects.filter(proposal=self.proposal, verb=EventVerb.EDITED).exists())

    def test_nobody_else_may_edit_it(self):
        for user in (self.wangfang, self.committee, self.handler):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                drafting.update_draft(self.proposal, actor=user, data=data(title="改写"))
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.title, "关于加强福田区社区体育设施建设的建议")

    def test_a_co_signer_may_not_edit_it_either(self):
        services.invite_cosigner(self.proposal, actor=self.chencheng, user=self.wangfang)
        with self.assertRaises(PermissionDenied):
            drafting.update_draft(self.proposal, actor=self.wangfang, data=data(title="改写", kind="joint"))

    def test_a_submitted_proposal_is_no_longer_editable(self):
        services.submit_proposal(self.proposal, actor=self.chencheng)
        with self.assertRaisesMessage(WorkflowError, "Only a draft can be changed"):
            drafting.update_draft(self.proposal, actor=self.chencheng, data=data(title="改写"))

    def test_a_draft_with_co_signers_stays_joint(self):
        services.invite_cosigner(self.proposal, actor=self.chencheng, user=self.wangfang)
        with self.assertRaisesMessage(WorkflowError, "co-signers"):
            drafting.update_draft(self.proposal, actor=self.chencheng, data=data(kind="individual"))

    def test_files_are_added_and_removed_with_the_text_in_one_step(self):
        first = drafting.add_attachment(self.proposal, actor=self.chencheng, upload=upload("一.pdf", pdf_bytes()))
        path = first.file.name
        with self.captureOnCommitCallbacks(execute=True):
            drafting.update_draft(
                self.proposal,
                actor=self.chencheng,
                data=data(),
                files=[upload("二.png", png_bytes())],
                remove=[first],
            )
        self.assertEqual([a.original_name for a in self.proposal.attachments.all()], ["二.png"])
        self.assertFalse(default_storage.exists(path))
        event = Event.objects.filter(proposal=self.proposal, verb=EventVerb.EDITED).last()
        self.assertEqual((event.data["attachments"], event.data["removed_attachments"]), (["二.png"], ["一.pdf"]))

    def test_a_draft_holds_at_most_ten_files(self):
        for i in range(drafting.MAX_ATTACHMENTS):
            drafting.add_attachment(self.proposal, actor=self.chencheng, upload=upload(f"{i}.png", png_bytes()))
        with self.assertRaisesMessage(WorkflowError, "at most 10 attachments"):
            drafting.add_attachment(self.proposal, actor=self.chencheng, upload=upload("11.png", png_bytes()))


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class AttachmentServiceTests(InEnglish, PersonaTestCase):
    def setUp(self):
        self.proposal = drafting.create_draft(actor=self.chencheng, session=self.session, data=data())

    def test_adding_a_file_records_an_edited_event(self):
        attachment = drafting.add_attachment(
            self.proposal, actor=self.chencheng, upload=upload("调研.docx", docx_bytes())
        )
        self.assertEqual(attachment.content_type, drafting.DOCX)
        event = Event.objects.filter(proposal=self.proposal, verb=EventVerb.EDITED).get()
        self.assertEqual((event.note, event.object_type), ("调研.docx", "attachment"))

    def test_removing_a_file_deletes_it_after_commit(self):
        attachment = drafting.add_attachment(self.proposal, actor=self.chencheng, upload=upload("a.png", png_bytes()))
        path = attachment.file.name
        self.assertTrue(default_storage.exists(path))
        with self.captureOnCommitCallbacks(execute=True):
            drafting.remove_attachment(attachment, actor=self.chencheng)
        self.assertFalse(Attachment.objects.exists())
        self.assertFalse(default_storage.exists(path))
        self.assertEqual(
            Event.objects.filter(proposal=self.proposal, verb=EventVerb.EDITED).last().data["removed_attachments"],
            ["a.png"],
        )

    def test_only_the_lead_proposer_changes_files_and_only_on_a_draft(self):
        attachment = drafting.add_attachment(self.proposal, actor=self.chencheng, upload=upload("a.png", png_bytes()))
        with self.assertRaises(PermissionDenied):
            drafting.add_attachment(self.proposal, actor=self.lihua, upload=upload("b.png", png_bytes()))
        with self.assertRaises(PermissionDenied):
            drafting.remove_attachment(attachment, actor=self.handler)
        services.submit_proposal(self.proposal, actor=self.chencheng)
        with self.assertRaises(WorkflowError):
            drafting.remove_attachment(attachment, actor=self.chencheng)
        self.assertTrue(Attachment.objects.filter(pk=attachment.pk).exists())

    def test_files_stored_before_a_failure_are_deleted_with_the_rollback(self):
        before = set(_stored_names())
        with mock.patch("proposals.drafting.record_event", side_effect=RuntimeError("database went away")):
            with self.assertRaises(RuntimeError):
                drafting.update_draft(
                    self.proposal, actor=self.chencheng, data=data(), files=[upload("a.png", png_bytes())]
                )
        self.assertFalse(Attachment.objects.exists())
        self.assertEqual(set(_stored_names()), before)

    def test_a_refused_file_leaves_no_file_behind(self):
        before = set(_stored_names())
        with self.assertRaises(WorkflowError):
            drafting.add_attachment(self.proposal, actor=self.chencheng, upload=upload("x.pdf", b"not a pdf"))
        self.assertEqual(set(_stored_names()), before)


def _stored_names() -> list[str]:
    try:
        directories, files = default_storage.listdir(f"attachments/{timezone.now():%Y/%m}")
    except FileNotFoundError:
        return []
    return files


class JointRuleTests(InEnglish, PersonaTestCase):
    def test_a_joint_draft_is_submitted_only_once_the_rule_is_met(self):
        proposal = make_proposal(self.chencheng, self.session)
        proposer = services.invite_cosigner(proposal, actor=self.chencheng, user=self.wangfang)
        with self.assertRaisesMessage(WorkflowError, "confirmed co-signers"):
            services.submit_proposal(proposal, actor=self.chencheng)
        services.answer_invitation(proposer, actor=self.wangfang, accept=True)
        services.submit_proposal(proposal, actor=self.chencheng)
        proposal.refresh_from_db()
        self.assertEqual(proposal.status, ProposalStatus.SUBMITTED)
        self.assertEqual(proposal.proposers.get(user=self.wangfang).status, ProposerStatus.CONFIRMED)
