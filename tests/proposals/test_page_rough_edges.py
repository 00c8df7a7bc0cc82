"""Rough edges of the member's and the committee's pages (issue 18, item 12): the page after submitting,
the header's badges, the merge choice, the admin's list titles."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from proposals.choices import ProposalStatus, ProposerStatus
from proposals.models import Notification
from proposals.services import invite_cosigner
from proposals.workflow import WorkflowError
from tests.base import PersonaTestCase, make_proposal


def detail(proposal) -> str:
    return reverse("portal:proposal_detail", args=[proposal.pk])


class AfterSubmittingTests(PersonaTestCase):
    def test_a_draft_whose_co_signers_confirmed_can_be_submitted_and_says_so(self):
        draft = make_proposal(self.chencheng, self.session, cosigners=[self.wangfang])
        self.client.force_login(self.chencheng)
        html = self.client.get(detail(draft)).content.decode()
        self.assertIn("现在可以提交。", html)
        self.assertIn('data-testid="manage-cosigners"', html)

    def test_a_submitted_proposal_no_longer_says_it_can_be_submitted_nor_offers_invitations(self):
        submitted = make_proposal(
            self.chencheng, self.session, status=ProposalStatus.SUBMITTED, cosigners=[self.wangfang]
        )
        self.client.force_login(self.chencheng)
        html = self.client.get(detail(submitted)).content.decode()
        self.assertNotIn("现在可以提交。", html)
        self.assertNotIn("邀请联名人", html)
        with self.assertRaises(WorkflowError):
            invite_cosigner(submitted, actor=self.chencheng, user=self.lihua)

    def test_an_invited_co_signer_may_still_answer_after_submission(self):
        submitted = make_proposal(
            self.chencheng,
            self.session,
            status=ProposalStatus.SUBMITTED,
            cosigners=[self.wangfang],
            cosigner_status=ProposerStatus.INVITED,
        )
        self.client.force_login(self.wangfang)
        response = self.client.get(reverse("portal:invitation", args=[submitted.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["is_open"])


class HeaderBadgeTests(PersonaTestCase):
    def test_invitations_waiting_get_their_own_badge_beside_the_unread_count(self):
        for title in ("关于优化福田区中小学学位供给的建议", "关于增设福田区夜间儿科门诊的建议"):
            make_proposal(self.chencheng, self.session, title=title, cosigners=[self.lihua], cosigner_status="invited")
        answered = make_proposal(self.wangfang, self.session, cosigners=[self.lihua])  # confirmed: not waiting
        Notification.objects.create(user=self.lihua, title="联名邀请", read_at=None)
        Notification.objects.create(user=self.lihua, title="已读的消息", read_at=timezone.now())
        self.assertTrue(answered.pk)
        self.client.force_login(self.lihua)
        html = self.client.get(reverse("portal:home")).content.decode()
        self.assertIn('data-testid="invitation-count" title="待您答复的联名邀请">2</span>', html)
        self.assertIn('data-testid="unread-count" title="未读">1</span>', html)

    def test_no_badge_without_waiting_invitations(self):
        self.client.force_login(self.wangfang)
        html = self.client.get(reverse("portal:home")).content.decode()
        self.assertNotIn('data-testid="invitation-count"', html)


class MergeChoiceTests(PersonaTestCase):
    def test_a_proposal_without_a_number_is_offered_in_chinese(self):
        proposal = make_proposal(self.chencheng, self.session, status=ProposalStatus.SUBMITTED, title="关于甲的建议")
        make_proposal(self.wangfang, self.session, status=ProposalStatus.SUBMITTED, title="关于乙的建议")
        self.client.force_login(self.committee)
        html = self.client.get(reverse("admin:proposals_proposal_review", args=[proposal.pk])).content.decode()
        self.assertIn("（未编号） 关于乙的建议", html)
        self.assertNotIn("(no number)", html)


class AdminTitleTests(PersonaTestCase):
    def test_list_titles_read_the_same_way_whether_one_may_change_or_only_view(self):
        self.client.force_login(self.committee)
        html = self.client.get("/admin/responses/replycategory/").content.decode()
        self.assertNotIn("选择 答复类别 来修改", html)
        self.assertRegex(html, r"选择要(修改|查看)的答复类别")
        self.client.force_login(self.handler)
        html = self.client.get("/admin/responses/assignment/").content.decode()
        self.assertRegex(html, r"选择要(修改|查看)的交办")
