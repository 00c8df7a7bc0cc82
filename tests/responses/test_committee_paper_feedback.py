"""代评价 on the pages: the committee's paper-ratings page, the rating on the reply's pages for the unit, the
committee and the member, and the paper form's download (permission checked)."""

from __future__ import annotations

from django.urls import reverse

from proposals.choices import ProposalStatus
from responses.choices import Satisfaction
from responses.models import Feedback
from responses.services import give_feedback, record_paper_feedback
from tests.proposals.helpers_committee import url
from tests.proposals.helpers_member import docx_bytes, pdf_bytes, upload
from tests.responses.helpers_units import LEAD, admin_url
from tests.responses.test_paper_feedback import PaperFeedbackTestCase, paper_form

SATISFIED, BASICALLY, DISSATISFIED = Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.DISSATISFIED


class PaperFeedbackPageTests(PaperFeedbackTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.committee)

    def page_url(self) -> str:
        return url("paper_feedback", self.proposal.pk)

    def post(self, **overrides):
        data = {
            "reply": self.reply.pk,
            "member": self.wangfang.pk,
            "attitude": SATISFIED,
            "result": BASICALLY,
            "comment": "答复具体，沟通充分。",
            "paper_form": upload("王芳满意度测评表.pdf", pdf_bytes()),
        }
        data.update(overrides)
        return self.client.post(self.page_url(), {k: v for k, v in data.items() if v is not None})

    def test_the_page_lists_each_reply_with_every_proposers_rating_and_offers_the_form(self):
        give_feedback(self.reply, actor=self.chencheng, attitude=SATISFIED, result=SATISFIED, comment="满意")
        response = self.client.get(self.page_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'id="reply-{self.reply.pk}"')
        self.assertContains(response, "Rated online at")
        self.assertContains(response, 'data-testid="not-rated"')
        form = response.context["form"]
        self.assertEqual(form.initial["reply"], self.reply.pk)  # the only reply that can still be rated
        self.assertEqual(set(form.fields["member"].queryset), {self.chencheng, self.wangfang})
        self.assertContains(response, 'enctype="multipart/form-data"')

    def test_committee_staff_record_a_paper_rating_and_see_it_marked(self):
        response = self.post()
        self.assertRedirects(response, f"{self.page_url()}#reply-{self.reply.pk}", fetch_redirect_response=False)
        feedback = Feedback.objects.get()
        self.assertEqual((feedback.user, feedback.recorded_by), (self.wangfang, self.committee))
        page = self.client.get(self.page_url())
        self.assertContains(page, "paper rating was recorded on their behalf")
        self.assertContains(page, "Rated on paper; recorded on the member's behalf by 张委办")
        self.assertContains(
            page, reverse("portal:feedback_paper_form", args=[self.proposal.pk, self.reply.pk, feedback.pk])
        )

    def test_a_dissatisfied_rating_says_the_proposal_is_handled_again(self):
        self.post(attitude=DISSATISFIED, result=DISSATISFIED, comment="没有具体措施。")
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.ASSIGNED)
        self.assertContains(self.client.get(self.page_url()), "the proposal is handled again")

    def test_the_form_is_required_and_checked_beside_its_field(self):
        response = self.post(paper_form=None)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.context["form"].errors["paper_form"],
            ["Attach the scan of the paper rating form (PDF or image)."],
        )
        response = self.post(paper_form=upload("测评表.docx", docx_bytes()))
        self.assertIn("is not a scan", response.context["form"].errors["paper_form"][0])
        self.assertFalse(Feedback.objects.exists())

    def test_a_member_who_is_no_proposer_or_already_rated_is_refused_beside_the_member(self):
        response = self.post(member=self.lihua.pk)
        self.assertEqual(response.context["form"].errors["member"], ["Choose one of the proposers of this proposal."])
        give_feedback(self.reply, actor=self.wangfang, attitude=SATISFIED, result=SATISFIED)
        response = self.post()
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.context["form"].errors["member"], ["王芳 has already rated this reply."])
        self.assertEqual(Feedback.objects.count(), 1)

    def test_dissatisfied_without_the_comment_is_refused_beside_the_comment(self):
        response = self.post(result=DISSATISFIED, comment="")
        self.assertIn("Write down what the member is dissatisfied with", response.context["form"].errors["comment"][0])
        self.assertFalse(Feedback.objects.exists())

    def test_a_reply_of_another_proposal_is_no_choice(self):
        (other,) = self.handling([(self.unit, LEAD)], cosigners=[self.wangfang], title="关于另一件事的建议")
        self.contact(other)
        foreign = self.sent(other)
        response = self.post(reply=foreign.pk)
        self.assertIn("Choose a sent reply of this proposal", response.context["form"].errors["reply"][0])
        self.assertFalse(Feedback.objects.exists())

    def test_when_everyone_has_rated_there_is_no_form(self):
        for user in (self.chencheng, self.wangfang):
            give_feedback(self.reply, actor=user, attitude=SATISFIED, result=SATISFIED)
        response = self.client.get(self.page_url())
        self.assertContains(response, 'data-testid="nothing-to-record"')
        self.assertNotContains(response, 'data-testid="paper-feedback-form"')
        # A forged POST is told, not silently dropped.
        response = self.post()
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Choose a sent reply of this proposal", status_code=400)

    def test_other_staff_get_403_members_the_admin_login_and_a_missing_proposal_404(self):
        for user in (self.leader, self.handler, self.unitlead):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(self.page_url()).status_code, 403)
                self.assertEqual(self.post().status_code, 403)
        self.client.force_login(self.wangfang)
        self.assertRedirects(self.client.get(self.page_url()), f"{reverse('admin:login')}?next={self.page_url()}")
        self.client.force_login(self.committee)
        self.assertEqual(self.client.get(url("paper_feedback", 999999)).status_code, 404)
        self.assertFalse(Feedback.objects.exists())

    def test_the_proposal_form_and_the_letter_link_to_the_page_for_committee_staff(self):
        self.assertContains(self.client.get(url("change", self.proposal.pk)), self.page_url())
        letter = self.client.get(admin_url("reply_review", self.reply.pk))
        self.assertContains(letter, f"{self.page_url()}?reply={self.reply.pk}")


class RecordedRatingPagesTests(PaperFeedbackTestCase):
    """The recorded rating where the reply is shown: the letter's review page (unit, committee, leaders), the
    member's proposal page, the admin's feedback list; and the paper form's download."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.feedback = record_paper_feedback(
            cls.reply,
            actor=cls.committee,
            member=cls.wangfang,
            attitude=SATISFIED,
            result=BASICALLY,
            comment="希望加快规划落地。",
            paper_form=paper_form(),
        )
        cls.online = give_feedback(cls.reply, actor=cls.chencheng, attitude=SATISFIED, result=SATISFIED)

    def download_url(self, feedback=None, proposal=None, reply=None) -> str:
        feedback = feedback or self.feedback
        return reverse(
            "portal:feedback_paper_form",
            args=[(proposal or self.proposal).pk, (reply or self.reply).pk, feedback.pk],
        )

    def test_the_letters_review_page_shows_the_ratings_to_the_unit_and_the_oversight_roles(self):
        for user in (self.handler, self.unitlead, self.committee, self.leader):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                response = self.client.get(admin_url("reply_review", self.reply.pk))
                self.assertContains(response, 'data-testid="reply-ratings"')
                self.assertContains(response, "Rated on paper; recorded on the member's behalf by 张委办")
                self.assertContains(response, "Rated online at")
                self.assertContains(response, self.download_url())
                self.assertEqual(
                    'data-testid="record-paper-feedback-link"' in response.content.decode(), user == self.committee
                )

    def test_the_member_sees_it_was_recorded_on_their_behalf(self):
        self.client.force_login(self.wangfang)
        response = self.client.get(reverse("portal:proposal_detail", args=[self.proposal.pk]))
        self.assertContains(response, 'data-testid="recorded-on-behalf"')
        self.assertContains(response, "Recorded on your behalf by 张委办 of the proposal committee at")
        self.assertContains(response, self.download_url())
        self.assertContains(response, "Paper rating recorded by committee staff")
        self.assertContains(response, "on behalf of 王芳")
        # The other proposer rated online: no such mark on their rating.
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse("portal:proposal_detail", args=[self.proposal.pk]))
        self.assertContains(response, 'data-testid="my-rating"')
        self.assertNotContains(response, 'data-testid="recorded-on-behalf"')

    def test_the_paper_form_downloads_for_those_who_may_see_the_rating(self):
        for user in (self.wangfang, self.handler, self.unitlead, self.committee, self.leader):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                response = self.client.get(self.download_url())
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Type"], "application/pdf")
                self.assertIn("attachment;", response["Content-Disposition"])
                self.assertTrue(b"".join(response.streaming_content).startswith(b"%PDF"))

    def test_anyone_else_gets_404_and_visitors_the_sign_in(self):
        for user in (self.chencheng, self.lihua, self.other_handler):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(self.download_url()).status_code, 404)
        self.client.logout()
        response = self.client.get(self.download_url())
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_a_rating_given_online_and_ids_that_do_not_belong_together_answer_404(self):
        self.client.force_login(self.committee)
        self.assertEqual(self.client.get(self.download_url(feedback=self.online)).status_code, 404)
        (other,) = self.handling([(self.unit, LEAD)], title="关于另一件事的建议")
        self.assertEqual(self.client.get(self.download_url(proposal=other.proposal)).status_code, 404)

    def test_the_admins_feedback_list_filters_and_links_the_form(self):
        self.client.force_login(self.committee)
        listed = self.client.get(reverse("admin:responses_feedback_changelist"), {"paper": "yes"})
        self.assertEqual(list(listed.context["cl"].result_list), [self.feedback])
        online = self.client.get(reverse("admin:responses_feedback_changelist"), {"paper": "no"})
        self.assertEqual(list(online.context["cl"].result_list), [self.online])
        change = self.client.get(reverse("admin:responses_feedback_change", args=[self.feedback.pk]))
        self.assertContains(change, self.download_url())
        self.assertNotContains(change, self.feedback.paper_form.name)  # never the storage address
