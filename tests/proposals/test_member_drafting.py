"""Writing a proposal through the site's forms: new, edit, submit, withdraw, attachments."""

from __future__ import annotations

import datetime as dt

from django.contrib.messages import get_messages
from django.test import override_settings
from django.urls import reverse

from proposals.choices import EventVerb, ProposalKind, ProposalStatus, ProposerStatus
from proposals.models import Attachment, Event, Proposal, Session
from tests.base import PersonaTestCase, make_proposal
from tests.proposals.helpers_member import (
    IN_MEMORY_STORAGE,
    InEnglish,
    draft_post,
    pdf_bytes,
    png_bytes,
    upload,
)

NEW = "portal:proposal_create"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class NewProposalPageTests(InEnglish, PersonaTestCase):
    def test_anonymous_visitors_are_sent_to_sign_in(self):
        response = self.client.get(reverse(NEW))
        self.assertRedirects(response, f"{reverse('login')}?next=/proposals/new/", fetch_redirect_response=False)

    def test_staff_may_not_write_proposals(self):
        for user in (self.committee, self.handler, self.leader):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(reverse(NEW)).status_code, 403)
                self.assertEqual(self.client.post(reverse(NEW), draft_post()).status_code, 403)
        self.assertFalse(Proposal.objects.exists())

    def test_the_form_has_the_real_structure_of_a_proposal(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse(NEW))
        self.assertEqual(response.status_code, 200)
        for name in (
            "title",
            "category",
            "kind",
            "collective_author",
            "background",
            "suggestions",
            "suggested_units",
            "publication_consent",
            "publication_refusal_reason",
            "attachments",
        ):
            self.assertContains(response, f'name="{name}"')
        self.assertContains(response, 'enctype="multipart/form-data"')
        self.assertContains(response, self.unit.name)  # suggested units to choose from
        self.assertContains(response, self.session.full_name)

    def test_saving_a_draft_creates_it_and_opens_its_page(self):
        self.client.force_login(self.chencheng)
        response = self.client.post(
            reverse(NEW),
            {
                **draft_post(category=self.category.pk, suggested_units=[self.unit.pk]),
                "attachments": [upload("调研报告.pdf", pdf_bytes()), upload("现场.png", png_bytes())],
            },
        )
        proposal = Proposal.objects.get()
        self.assertRedirects(response, reverse("portal:proposal_detail", args=[proposal.pk]))
        self.assertEqual(proposal.status, ProposalStatus.DRAFT)
        self.assertEqual(proposal.title, "关于加强福田区社区体育设施建设的建议")
        self.assertEqual(proposal.suggestions, "一、利用边角地建设口袋公园和健身设施。\n二、推动学校体育场馆错时开放。")
        self.assertEqual(list(proposal.suggested_units.all()), [self.unit])
        self.assertEqual(
            sorted(proposal.attachments.values_list("original_name", flat=True)), ["现场.png", "调研报告.pdf"]
        )
        self.assertEqual(proposal.lead_proposer.user, self.chencheng)
        self.assertEqual(messages_of(response), ["Draft saved."])

    def test_save_and_submit_submits_a_complete_proposal(self):
        self.client.force_login(self.chencheng)
        response = self.client.post(reverse(NEW), draft_post(category=self.category.pk, action="submit"))
        proposal = Proposal.objects.get()
        self.assertRedirects(response, reverse("portal:proposal_detail", args=[proposal.pk]))
        self.assertEqual(proposal.status, ProposalStatus.SUBMITTED)
        self.assertEqual(
            list(Event.objects.filter(proposal=proposal).values_list("verb", flat=True)),
            [EventVerb.CREATED, EventVerb.SUBMITTED],
        )

    def test_field_errors_stand_next_to_their_fields_and_nothing_is_saved(self):
        self.client.force_login(self.chencheng)
        response = self.client.post(
            reverse(NEW),
            draft_post(
                title="",
                background="福田区社区体育设施总量不足。",
                suggestions="",
                publication_consent="no",
                action="submit",
            ),
        )
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(set(form.errors), {"title", "category", "suggestions", "publication_refusal_reason"})
        # What the member typed is still there.
        self.assertContains(response, "福田区社区体育设施总量不足。")
        self.assertEqual(form["publication_consent"].value(), "no")
        # Each message is inside its field's block.
        content = response.content.decode()
        block = content[content.index('id="field-suggestions"') :]
        block = block[: block.index('id="field-', 10)]
        self.assertIn("needed before the proposal is submitted", block)
        self.assertIn('aria-invalid="true"', block)
        self.assertFalse(Proposal.objects.exists())

    def test_a_file_whose_content_does_not_match_its_name_is_refused_beside_the_file_input(self):
        self.client.force_login(self.chencheng)
        response = self.client.post(
            reverse(NEW), {**draft_post(), "attachments": [upload("发言稿.pdf", b"MZ\x90\x00 an executable")]}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("发言稿.pdf", " ".join(response.context["form"].errors["attachments"]))
        self.assertContains(response, "choose your attachments again")
        self.assertFalse(Proposal.objects.exists())
        self.assertFalse(Attachment.objects.exists())

    @override_settings(ATTACHMENT_MAX_BYTES=200)
    def test_a_file_over_the_size_limit_is_refused(self):
        self.client.force_login(self.chencheng)
        response = self.client.post(reverse(NEW), {**draft_post(), "attachments": [upload("大.pdf", pdf_bytes())]})
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachments", response.context["form"].errors)
        self.assertFalse(Proposal.objects.exists())

    def test_a_joint_draft_leads_to_the_co_signers_page(self):
        self.client.force_login(self.chencheng)
        response = self.client.post(reverse(NEW), draft_post(kind="joint"))
        proposal = Proposal.objects.get()
        self.assertRedirects(response, reverse("portal:cosigners", args=[proposal.pk]))
        self.assertEqual(proposal.kind, ProposalKind.JOINT)

    def test_a_joint_proposal_without_confirmed_co_signers_is_saved_but_not_submitted(self):
        self.client.force_login(self.chencheng)
        response = self.client.post(reverse(NEW), draft_post(kind="joint", category=self.category.pk, action="submit"))
        proposal = Proposal.objects.get()
        self.assertRedirects(response, reverse("portal:proposal_detail", args=[proposal.pk]))
        self.assertEqual(proposal.status, ProposalStatus.DRAFT)
        (message,) = messages_of(response)
        self.assertIn("saved as a draft but not submitted", message)
        self.assertIn("confirmed co-signers", message)  # the service's own message

    def test_a_closed_session_shows_a_notice_instead_of_the_form(self):
        Session.objects.filter(pk=self.session.pk).update(closes_on=dt.date(2023, 2, 28))
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse(NEW))
        self.assertContains(response, "closed on 2023-02-28")
        self.assertNotContains(response, 'name="title"')
        self.client.post(reverse(NEW), draft_post())
        self.assertFalse(Proposal.objects.exists())

    def test_without_a_session_the_member_is_told_so(self):
        Session.objects.all().delete()
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse(NEW))
        self.assertRedirects(response, reverse("portal:home"), fetch_redirect_response=False)


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class EditDraftTests(InEnglish, PersonaTestCase):
    def setUp(self):
        super().setUp()
        self.proposal = make_proposal(self.chencheng, self.session, title="关于加快完善香蜜湖新金融中心配套服务的建议")
        self.url = reverse("portal:proposal_edit", args=[self.proposal.pk])

    def test_the_form_opens_with_the_drafts_text(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "关于加快完善香蜜湖新金融中心配套服务的建议")
        self.assertContains(response, "福田区时尚产业基础好")

    def test_the_lead_proposer_saves_changes_and_removes_and_adds_files(self):
        old = Attachment(proposal=self.proposal, original_name="旧.png", content_type="image/png", size=3)
        old.uploaded_by = self.chencheng
        old.file.save("x.png", upload("x.png", png_bytes()), save=False)
        old.save()
        self.client.force_login(self.chencheng)
        response = self.client.post(
            self.url,
            {
                **draft_post(title="关于香蜜湖新金融中心国际化配套的建议"),
                "remove_attachments": [old.pk],
                "attachments": [upload("新.pdf", pdf_bytes())],
            },
        )
        self.assertRedirects(response, reverse("portal:proposal_detail", args=[self.proposal.pk]))
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.title, "关于香蜜湖新金融中心国际化配套的建议")
        self.assertEqual([a.original_name for a in self.proposal.attachments.all()], ["新.pdf"])

    def test_another_members_draft_answers_404_and_a_co_signer_gets_403(self):
        self.client.force_login(self.lihua)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, draft_post(title="篡改")).status_code, 404)
        self.proposal.proposers.create(user=self.wangfang, role="cosigner", status=ProposerStatus.CONFIRMED, order=1)
        self.client.force_login(self.wangfang)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, draft_post(title="篡改", kind="joint")).status_code, 403)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.title, "关于加快完善香蜜湖新金融中心配套服务的建议")

    def test_a_unit_account_cannot_see_a_draft(self):
        self.client.force_login(self.handler)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_a_submitted_proposal_is_not_editable(self):
        Proposal.objects.filter(pk=self.proposal.pk).update(status=ProposalStatus.SUBMITTED)
        self.client.force_login(self.chencheng)
        response = self.client.get(self.url)
        self.assertRedirects(response, reverse("portal:proposal_detail", args=[self.proposal.pk]))

    def test_making_a_draft_with_co_signers_individual_is_refused_beside_the_kind(self):
        self.proposal.proposers.create(user=self.wangfang, role="cosigner", status=ProposerStatus.INVITED, order=1)
        Proposal.objects.filter(pk=self.proposal.pk).update(kind=ProposalKind.JOINT)
        self.client.force_login(self.chencheng)
        response = self.client.post(self.url, draft_post(kind="individual"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("kind", response.context["form"].errors)


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class SubmitAndWithdrawTests(InEnglish, PersonaTestCase):
    def setUp(self):
        super().setUp()
        self.proposal = make_proposal(self.chencheng, self.session, category=self.category)

    def test_the_lead_proposer_submits_from_the_proposal_page(self):
        self.client.force_login(self.chencheng)
        page = self.client.get(reverse("portal:proposal_detail", args=[self.proposal.pk]))
        self.assertContains(page, reverse("portal:proposal_submit", args=[self.proposal.pk]))
        response = self.client.post(reverse("portal:proposal_submit", args=[self.proposal.pk]))
        self.assertRedirects(response, reverse("portal:proposal_detail", args=[self.proposal.pk]))
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.SUBMITTED)

    def test_submitting_needs_post(self):
        self.client.force_login(self.chencheng)
        self.assertEqual(self.client.get(reverse("portal:proposal_submit", args=[self.proposal.pk])).status_code, 405)

    def test_a_refused_submission_shows_the_services_message(self):
        Proposal.objects.filter(pk=self.proposal.pk).update(suggestions="")
        self.client.force_login(self.chencheng)
        response = self.client.post(reverse("portal:proposal_submit", args=[self.proposal.pk]), follow=True)
        self.assertContains(response, "Write the concrete suggestions before submitting.")
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.DRAFT)

    def test_a_co_signer_cannot_submit_and_another_member_gets_404(self):
        self.proposal.proposers.create(user=self.wangfang, role="cosigner", status=ProposerStatus.CONFIRMED, order=1)
        self.client.force_login(self.wangfang)
        self.assertEqual(self.client.post(reverse("portal:proposal_submit", args=[self.proposal.pk])).status_code, 403)
        self.client.force_login(self.lihua)
        self.assertEqual(self.client.post(reverse("portal:proposal_submit", args=[self.proposal.pk])).status_code, 404)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.DRAFT)

    def test_the_lead_proposer_withdraws_before_review_with_a_reason(self):
        Proposal.objects.filter(pk=self.proposal.pk).update(status=ProposalStatus.SUBMITTED)
        self.client.force_login(self.chencheng)
        response = self.client.post(
            reverse("portal:proposal_withdraw", args=[self.proposal.pk]), {"reason": "与另一件提案重复"}
        )
        self.assertRedirects(response, reverse("portal:proposal_detail", args=[self.proposal.pk]))
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.WITHDRAWN)
        self.assertEqual(Event.objects.get(proposal=self.proposal, verb=EventVerb.WITHDRAWN).note, "与另一件提案重复")

    def test_an_accepted_proposal_cannot_be_withdrawn(self):
        Proposal.objects.filter(pk=self.proposal.pk).update(status=ProposalStatus.ACCEPTED)
        self.client.force_login(self.chencheng)
        page = self.client.get(reverse("portal:proposal_detail", args=[self.proposal.pk]))
        self.assertNotContains(page, reverse("portal:proposal_withdraw", args=[self.proposal.pk]))
        response = self.client.post(reverse("portal:proposal_withdraw", args=[self.proposal.pk]), follow=True)
        self.assertEqual(response.status_code, 200)
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.ACCEPTED)
        self.assertTrue(messages_of(response))

    def test_only_the_lead_proposer_sees_the_actions(self):
        self.proposal.proposers.create(user=self.wangfang, role="cosigner", status=ProposerStatus.CONFIRMED, order=1)
        self.client.force_login(self.wangfang)
        page = self.client.get(reverse("portal:proposal_detail", args=[self.proposal.pk]))
        self.assertNotContains(page, 'data-testid="proposal-actions"')
        self.client.force_login(self.chencheng)
        page = self.client.get(reverse("portal:proposal_detail", args=[self.proposal.pk]))
        self.assertContains(page, 'data-testid="proposal-actions"')


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class AttachmentViewTests(InEnglish, PersonaTestCase):
    def setUp(self):
        super().setUp()
        self.proposal = make_proposal(self.chencheng, self.session)
        self.add_url = reverse("portal:attachment_add", args=[self.proposal.pk])

    def test_the_lead_proposer_adds_a_file_from_the_proposal_page_and_it_downloads(self):
        self.client.force_login(self.chencheng)
        response = self.client.post(self.add_url, {"file": upload("现场照片.png", png_bytes())})
        self.assertRedirects(response, reverse("portal:proposal_detail", args=[self.proposal.pk]) + "#attachments")
        attachment = self.proposal.attachments.get()
        download = self.client.get(reverse("portal:attachment_download", args=[self.proposal.pk, attachment.pk]))
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download["Content-Type"], "image/png")
        self.assertEqual(b"".join(download.streaming_content), png_bytes())

    def test_a_refused_file_is_explained_on_the_proposal_page(self):
        self.client.force_login(self.chencheng)
        response = self.client.post(self.add_url, {"file": upload("照片.png", pdf_bytes())})
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "proposals/detail.html")
        self.assertIn("照片.png", " ".join(response.context["attachment_form"].errors["file"]))
        self.assertFalse(Attachment.objects.exists())

    def test_the_lead_proposer_removes_a_file(self):
        self.client.force_login(self.chencheng)
        self.client.post(self.add_url, {"file": upload("a.png", png_bytes())})
        attachment = self.proposal.attachments.get()
        url = reverse("portal:attachment_remove", args=[self.proposal.pk, attachment.pk])
        self.assertEqual(self.client.get(url).status_code, 405)
        self.client.post(url)
        self.assertFalse(Attachment.objects.exists())

    def test_nobody_else_adds_or_removes_files(self):
        self.client.force_login(self.chencheng)
        self.client.post(self.add_url, {"file": upload("a.png", png_bytes())})
        attachment = self.proposal.attachments.get()
        remove = reverse("portal:attachment_remove", args=[self.proposal.pk, attachment.pk])
        for user, status in ((self.lihua, 404), (self.handler, 404), (self.committee, 404)):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(
                    self.client.post(self.add_url, {"file": upload("b.png", png_bytes())}).status_code, status
                )
                self.assertEqual(self.client.post(remove).status_code, status)
        self.assertEqual(self.proposal.attachments.count(), 1)

    def test_downloads_answer_404_to_those_who_may_not_see_the_proposal(self):
        self.client.force_login(self.chencheng)
        self.client.post(self.add_url, {"file": upload("a.png", png_bytes())})
        url = reverse("portal:attachment_download", args=[self.proposal.pk, self.proposal.attachments.get().pk])
        for user in (self.lihua, self.handler, self.committee, self.leader):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(url).status_code, 302)
