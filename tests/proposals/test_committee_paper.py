"""代提交 on the pages: the committee's entry form in the admin, and the entered proposal on the member's own
pages (我的提案, the proposal page, its timeline), on the review page and in the admin."""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from proposals.choices import ProposalKind, ProposalStatus
from proposals.models import Event, Notification, Proposal, Session
from tests.base import PersonaTestCase
from tests.proposals.helpers_committee import url
from tests.proposals.helpers_member import IN_MEMORY_STORAGE, InEnglish, docx_bytes, pdf_bytes, upload

TITLE = "关于推进福田区老旧住宅加装电梯的建议"


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class PaperEntryPageTests(InEnglish, PersonaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.committee)

    def post(self, **overrides):
        data = {
            "session": self.session.pk,
            "received_on": timezone.localdate().isoformat(),
            "lead": self.chencheng.pk,
            "cosigners": [self.wangfang.pk],
            "title": TITLE,
            "category": self.category.pk,
            "background": "福田区老旧多层住宅较多，老年住户上下楼困难。",
            "suggestions": "一、编制加装电梯工作指引。\n二、设立街道协调服务站。",
            "suggested_units": [self.unit.pk],
            "publication_consent": "on",
            "publication_refusal_reason": "",
        }
        data.update(overrides)
        return self.client.post(url("paper_entry"), {k: v for k, v in data.items() if v is not None})

    def test_the_form_offers_members_only_with_their_sector(self):
        response = self.client.get(url("paper_entry"))
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(set(form.fields["lead"].queryset), {self.chencheng, self.wangfang, self.lihua})
        self.assertEqual(form.initial["session"], self.session.pk)
        self.assertContains(response, "陈澄（经济界，")
        self.assertContains(response, 'name="scan"')
        self.assertContains(response, 'enctype="multipart/form-data"')

    def test_committee_staff_enter_a_paper_proposal_and_go_on_to_its_review(self):
        response = self.post(scan=upload("陈澄提案.pdf", pdf_bytes()))
        proposal = Proposal.objects.get(title=TITLE)
        self.assertRedirects(response, url("review", proposal.pk), fetch_redirect_response=False)
        self.assertEqual((proposal.status, proposal.kind), (ProposalStatus.SUBMITTED, ProposalKind.JOINT))
        self.assertEqual(proposal.entered_by, self.committee)
        self.assertEqual(proposal.category, self.category)
        self.assertEqual(proposal.attachments.get().original_name, "陈澄提案.pdf")
        page = self.client.get(response["Location"])
        self.assertContains(page, "was entered on behalf of 陈澄 and submitted")
        self.assertContains(page, 'data-testid="entered-from-paper"')
        self.assertContains(page, "Confirmed on paper")
        self.assertContains(page, "Entered by 张委办 at")

    def test_the_lead_cannot_also_be_a_joint_proposer(self):
        response = self.post(cosigners=[self.chencheng.pk, self.wangfang.pk])
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.context["form"].errors["cosigners"],
            ["陈澄 is the lead proposer and cannot also be a joint proposer."],
        )
        self.assertFalse(Proposal.objects.exists())

    def test_only_members_can_be_chosen_even_when_the_form_is_forged(self):
        response = self.post(lead=self.committee.pk, cosigners=[self.handler.pk])
        self.assertEqual(response.status_code, 400)
        errors = response.context["form"].errors
        self.assertIn("Choose a member", errors["lead"][0])
        self.assertIn("Choose a member", errors["cosigners"][0])
        response = self.post(lead=None)
        self.assertEqual(response.context["form"].errors["lead"], ["Choose the lead proposer."])
        self.assertFalse(Proposal.objects.exists())

    def test_the_sessions_rule_for_joint_proposals_is_told_beside_the_joint_proposers(self):
        self.session.joint_min_confirmed = 2
        self.session.save(update_fields=["joint_min_confirmed"])
        response = self.post()
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.context["form"].errors["cosigners"],
            ["六届三次会议 asks for at least 2 joint proposers on a joint proposal."],
        )
        self.assertFalse(Proposal.objects.exists())

    def test_a_closed_session_is_refused_with_the_services_message(self):
        Session.objects.filter(pk=self.session.pk).update(closes_on=timezone.localdate() - dt.timedelta(days=1))
        response = self.post()
        self.assertEqual(response.status_code, 400)
        self.assertIn("Submissions for this session closed on", response.context["form"].non_field_errors()[0])
        self.assertContains(response, 'data-testid="form-errors"', status_code=400)
        self.assertFalse(Proposal.objects.exists())

    def test_a_form_received_before_the_session_closed_is_entered_with_that_date_shown(self):
        today = timezone.localdate()
        received = today - dt.timedelta(days=3)
        Session.objects.filter(pk=self.session.pk).update(closes_on=today - dt.timedelta(days=1))
        response = self.post(received_on=received.isoformat())
        self.assertEqual(response.status_code, 302)
        proposal = Proposal.objects.get()
        self.assertEqual(timezone.localtime(proposal.submitted_at).date(), received)
        self.client.force_login(self.chencheng)
        page = self.client.get(reverse("portal:proposal_detail", args=[proposal.pk]))
        self.assertContains(page, f"The committee received the paper form on {received:%Y-%m-%d}.")

    def test_the_day_received_is_asked_for(self):
        response = self.post(received_on="")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.context["form"].errors["received_on"], ["Give the day the paper form was received."])
        self.assertFalse(Proposal.objects.exists())

    def test_a_scan_that_is_no_pdf_or_image_is_refused_beside_it(self):
        response = self.post(scan=upload("提案.docx", docx_bytes()))
        self.assertEqual(response.status_code, 400)
        self.assertIn("is not a scan", response.context["form"].errors["scan"][0])
        self.assertFalse(Proposal.objects.exists())

    def test_suggestions_and_a_refusal_reason_are_asked_for_beside_their_fields(self):
        response = self.post(suggestions="", publication_consent=None)
        errors = response.context["form"].errors
        self.assertIn("suggestions", errors)
        self.assertEqual(errors["publication_refusal_reason"], ["Give a reason when refusing publication."])

    def test_other_staff_get_403_and_members_the_admin_login(self):
        for user in (self.leader, self.handler, self.unitlead):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(url("paper_entry")).status_code, 403)
                self.assertEqual(self.post().status_code, 403)
        self.client.force_login(self.chencheng)
        response = self.client.get(url("paper_entry"))
        self.assertRedirects(response, f"{reverse('admin:login')}?next={url('paper_entry')}")
        self.assertFalse(Proposal.objects.exists())

    def test_the_proposal_list_links_to_the_entry_for_committee_staff_only(self):
        self.assertContains(self.client.get(url("changelist")), url("paper_entry"))
        self.client.force_login(self.leader)
        self.assertNotContains(self.client.get(url("changelist")), url("paper_entry"))


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class EnteredProposalPagesTests(InEnglish, PersonaTestCase):
    """What the member and the staff see of a proposal entered from paper."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        from proposals import paper

        cls.proposal = paper.enter_paper_proposal(
            actor=cls.committee,
            session=cls.session,
            lead=cls.chencheng,
            cosigners=[cls.wangfang],
            data={"title": TITLE, "suggestions": "一、编制加装电梯工作指引。", "publication_consent": True},
        )

    def detail(self):
        return self.client.get(reverse("portal:proposal_detail", args=[self.proposal.pk]))

    def test_it_is_on_my_proposals_of_the_lead_and_of_the_joint_proposer(self):
        for user, part in ((self.chencheng, "Lead proposer"), (self.wangfang, "Co-signer")):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                response = self.client.get(reverse("portal:home"))
                self.assertEqual(list(response.context["page"].object_list), [self.proposal])
                self.assertContains(response, 'data-testid="paper-badge"')
                self.assertContains(response, part)

    def test_its_page_says_who_entered_it_and_when_and_shows_the_paper_confirmation(self):
        self.client.force_login(self.wangfang)
        response = self.detail()
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="entered-from-paper"')
        self.assertContains(response, "Entered from the paper proposal by 张委办 of the proposal committee at")
        self.assertContains(response, "Confirmed on paper")
        self.assertContains(response, "Paper proposal entered by committee staff")
        self.assertContains(response, "on behalf of 陈澄")
        # The member follows it as their own: withdrawing is offered to the lead, like any submitted proposal.
        self.client.force_login(self.chencheng)
        self.assertTrue(self.detail().context["can_withdraw"])

    def test_the_notifications_lead_to_it(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse("portal:notifications"))
        # Stored in the site's language (Chinese), whoever reads it.
        self.assertContains(response, f"您的纸质提案《{TITLE}》已代为录入并提交")
        self.assertTrue(Notification.objects.filter(user=self.wangfang, proposal=self.proposal).exists())

    def test_the_admin_shows_who_entered_it_and_filters_by_it(self):
        self.client.force_login(self.committee)
        response = self.client.get(url("change", self.proposal.pk))
        self.assertContains(response, "Entered from paper by")
        self.assertContains(response, "张委办")
        listed = self.client.get(url("changelist"), {"paper": "yes"})
        self.assertEqual(list(listed.context["cl"].result_list), [self.proposal])
        self.assertEqual(list(self.client.get(url("changelist"), {"paper": "no"}).context["cl"].result_list), [])
        queue = self.client.get(url("review_queue"))
        self.assertContains(queue, "On paper")

    def test_the_event_is_in_the_audit_log(self):
        event = Event.objects.get(proposal=self.proposal)
        self.assertEqual(event.get_verb_display(), "Paper proposal entered by committee staff (代提交)")
