"""满意度测评 on the proposal page: only proposers rate, attitude and result apart, 不满意 starts re-handling."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from proposals.choices import ProposalStatus, ProposerStatus
from proposals.models import Proposal
from responses.choices import AssignmentRole, ReplyStatus, Satisfaction
from responses.models import Assignment, Feedback, Reply
from tests.base import PersonaTestCase, make_proposal
from tests.proposals.helpers_member import InEnglish, assign, sent_reply


class FeedbackTestCase(InEnglish, PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.proposal = make_proposal(
            cls.chencheng,
            cls.session,
            title="关于优化福田区中小学学位供给的建议",
            status=ProposalStatus.REPLIED,
            category=cls.category,
            cosigners=[cls.wangfang],
            number="2023004",
        )
        cls.assignment = assign(cls.proposal, cls.unit, cls.committee, role=AssignmentRole.LEAD)
        cls.reply = sent_reply(cls.assignment, cls.handler, signer=cls.unitlead, category=cls.reply_categories["B"])

    def url(self, reply=None, proposal=None) -> str:
        return reverse("portal:feedback", args=[(proposal or self.proposal).pk, (reply or self.reply).pk])

    def detail(self) -> str:
        return reverse("portal:proposal_detail", args=[self.proposal.pk])

    def rate(self, attitude=Satisfaction.SATISFIED, result=Satisfaction.BASICALLY, comment="", **extra):
        return self.client.post(self.url(), {"attitude": attitude, "result": result, "comment": comment}, **extra)


class FeedbackFormTests(FeedbackTestCase):
    def test_the_form_stands_under_the_letter_for_each_proposer(self):
        for user in (self.chencheng, self.wangfang):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(self.detail())
                self.assertContains(response, f'data-testid="feedback-{self.reply.pk}"')
                self.assertContains(response, f'action="{self.url()}"')
                self.assertContains(response, 'name="attitude"')
                self.assertContains(response, 'name="result"')
                self.assertTrue(response.context["rater"])

    def test_staff_see_the_letter_but_no_form(self):
        for user in (self.handler, self.committee, self.leader):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(self.detail())
                self.assertContains(response, "福工信函〔2023〕160号")
                self.assertNotContains(response, 'name="attitude"')

    def test_a_proposer_rates_attitude_and_result_separately(self):
        self.client.force_login(self.wangfang)
        response = self.rate(Satisfaction.SATISFIED, Satisfaction.BASICALLY, "沟通充分")
        self.assertRedirects(response, f"{self.detail()}#reply-{self.reply.pk}")
        feedback = Feedback.objects.get()
        self.assertEqual(
            (feedback.user, feedback.attitude, feedback.result, feedback.comment),
            (self.wangfang, Satisfaction.SATISFIED, Satisfaction.BASICALLY, "沟通充分"),
        )
        page = self.client.get(self.detail())
        self.assertContains(page, 'data-testid="my-rating"')
        self.assertNotContains(page, 'name="attitude"')

    def test_when_every_proposer_has_rated_the_proposal_closes(self):
        for user in (self.chencheng, self.wangfang):
            self.client.force_login(user)
            self.rate()
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.CLOSED)

    def test_dissatisfied_without_a_comment_is_refused_beside_the_comment(self):
        self.client.force_login(self.chencheng)
        response = self.rate(Satisfaction.SATISFIED, Satisfaction.DISSATISFIED, "")
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "proposals/feedback.html")
        self.assertEqual(set(response.context["form"].errors), {"comment"})
        self.assertFalse(Feedback.objects.exists())

    def test_a_missing_rating_is_refused_beside_it(self):
        self.client.force_login(self.chencheng)
        response = self.client.post(self.url(), {"attitude": Satisfaction.SATISFIED, "result": "excellent"})
        self.assertEqual(set(response.context["form"].errors), {"result"})
        self.assertFalse(Feedback.objects.exists())

    def test_dissatisfied_starts_handling_again(self):
        self.client.force_login(self.chencheng)
        response = self.rate(
            Satisfaction.BASICALLY, Satisfaction.DISSATISFIED, "学位缺口问题未见具体时间表", follow=True
        )
        self.assertContains(response, "the proposal will be handled again")
        self.proposal.refresh_from_db()
        self.assertEqual((self.proposal.status, self.proposal.handling_round), (ProposalStatus.ASSIGNED, 2))
        self.assertTrue(Assignment.objects.filter(proposal=self.proposal, round=2, unit=self.unit).exists())

    def test_rating_twice_shows_the_services_message(self):
        self.client.force_login(self.chencheng)
        self.rate()
        response = self.rate(Satisfaction.DISSATISFIED, Satisfaction.DISSATISFIED, "改变主意")
        self.assertContains(response, "You have already rated this reply.")
        self.assertEqual(Feedback.objects.count(), 1)
        self.assertEqual(Feedback.objects.get().attitude, Satisfaction.SATISFIED)

    def test_after_the_feedback_window_the_reply_can_no_longer_be_rated(self):
        Reply.objects.filter(pk=self.reply.pk).update(sent_at=timezone.now() - dt.timedelta(days=60))
        self.client.force_login(self.chencheng)
        page = self.client.get(self.detail())
        self.assertNotContains(page, 'name="attitude"')
        self.assertContains(page, "The time to rate this reply ended on")
        response = self.rate()
        self.assertContains(response, "The time to rate this reply ended on")
        self.assertFalse(Feedback.objects.exists())

    def test_the_feedback_page_shows_the_form_and_the_letter(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="attitude"')
        self.assertContains(response, "福工信函〔2023〕160号")


class FeedbackPermissionTests(FeedbackTestCase):
    """Only a proposer of that proposal can rate it, whatever URL another account posts to."""

    def assert_nothing_rated(self):
        self.assertFalse(Feedback.objects.exists())
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.REPLIED)

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        response = self.rate()
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))
        self.assert_nothing_rated()

    def test_another_member_gets_404(self):
        self.client.force_login(self.lihua)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.assertEqual(self.rate().status_code, 404)
        self.assert_nothing_rated()

    def test_the_replying_unit_and_the_committee_see_the_reply_but_get_403(self):
        for user in (self.handler, self.unitlead, self.committee, self.leader):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url()).status_code, 403)
                self.assertEqual(self.rate().status_code, 403)
        self.assert_nothing_rated()

    def test_another_unit_gets_404(self):
        self.client.force_login(self.other_handler)
        self.assertEqual(self.rate().status_code, 404)
        self.assert_nothing_rated()

    def test_a_declined_co_signer_gets_404(self):
        self.proposal.proposers.filter(user=self.wangfang).update(status=ProposerStatus.DECLINED)
        self.client.force_login(self.wangfang)
        self.assertEqual(self.rate().status_code, 404)
        self.assert_nothing_rated()

    def test_a_reply_of_another_proposal_cannot_be_rated_through_this_one(self):
        others = make_proposal(
            self.lihua, self.session, title="关于优化福田区公交线网的建议", status=ProposalStatus.REPLIED
        )
        their_reply = sent_reply(assign(others, self.unit, self.committee), self.handler, signer=self.unitlead)
        self.client.force_login(self.chencheng)
        response = self.client.post(
            self.url(reply=their_reply), {"attitude": "satisfied", "result": "satisfied", "comment": ""}
        )
        self.assertEqual(response.status_code, 404)
        self.client.force_login(self.lihua)
        self.assertEqual(self.client.post(self.url(reply=their_reply), {}).status_code, 404)
        self.assertFalse(Feedback.objects.exists())

    def test_an_unsent_reply_answers_404(self):
        Reply.objects.filter(pk=self.reply.pk).update(status=ReplyStatus.SIGNED)
        self.client.force_login(self.chencheng)
        self.assertEqual(self.rate().status_code, 404)
        self.assert_nothing_rated()

    def test_the_proposer_of_a_merged_proposal_rates_the_reply_it_receives(self):
        merged = make_proposal(
            self.lihua,
            self.session,
            title="关于增加香蜜湖片区学位的建议",
            status=ProposalStatus.MERGED,
            merged_into=self.proposal,
        )
        self.assertEqual(merged.merged_into, self.proposal)
        self.client.force_login(self.lihua)
        response = self.rate()
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Feedback.objects.get().user, self.lihua)

    def test_rating_needs_post_or_shows_the_form(self):
        self.client.force_login(self.chencheng)
        self.assertEqual(self.client.get(self.url()).status_code, 200)
        self.assertFalse(Feedback.objects.exists())
        self.assertEqual(Proposal.objects.get(pk=self.proposal.pk).status, ProposalStatus.REPLIED)
