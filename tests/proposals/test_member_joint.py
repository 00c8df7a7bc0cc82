"""Joint proposals (联名): finding members by name, inviting them, their answer, the session's rule."""

from __future__ import annotations

import datetime as dt

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from proposals.choices import ProposalKind, ProposalStatus, ProposerRole, ProposerStatus
from proposals.models import Notification, Proposal, Proposer, Session
from tests.base import PersonaTestCase, make_proposal, make_user
from tests.proposals.helpers_member import InEnglish

HTMX = {"HTTP_HX_REQUEST": "true"}


class JointTestCase(InEnglish, PersonaTestCase):
    def setUp(self):
        super().setUp()
        self.proposal = make_proposal(
            self.chencheng,
            self.session,
            title="关于完善福田区“一老一小”服务体系的建议",
            category=self.category,
        )
        Proposal.objects.filter(pk=self.proposal.pk).update(kind=ProposalKind.JOINT)
        self.proposal.refresh_from_db()

    def url(self, name: str) -> str:
        return reverse(f"portal:{name}", args=[self.proposal.pk])


class MemberSearchTests(JointTestCase):
    def test_the_htmx_lookup_returns_matching_members_with_their_sector(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(self.url("member_search"), {"q": "王"}, **HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "proposals/_member_results.html")
        self.assertTemplateNotUsed(response, "base.html")
        self.assertContains(response, "王芳")
        self.assertContains(response, "经济界")  # the sector
        self.assertNotContains(response, "李华")
        self.assertContains(response, f'name="member" value="{self.wangfang.pk}"')

    def test_without_htmx_the_co_signers_page_shows_the_same_results(self):
        self.client.force_login(self.chencheng)
        redirect = self.client.get(self.url("member_search"), {"q": "王芳"})
        self.assertRedirects(redirect, f"{self.url('cosigners')}?q=%E7%8E%8B%E8%8A%B3", fetch_redirect_response=False)
        response = self.client.get(self.url("cosigners"), {"q": "王芳"})
        self.assertEqual([user.pk for user in response.context["results"]], [self.wangfang.pk])
        self.assertContains(response, 'data-testid="member-wangfang"')

    def test_only_active_members_not_already_on_the_proposal_are_found(self):
        make_user("wangwei", "王伟", is_active=False)
        self.proposal.proposers.create(user=self.wangfang, role=ProposerRole.COSIGNER, order=1)
        self.client.force_login(self.chencheng)
        response = self.client.get(self.url("member_search"), {"q": "王"}, **HTMX)
        self.assertEqual(response.context["results"], [])
        for staff in ("张委办", "刘经办", "周主席"):
            response = self.client.get(self.url("member_search"), {"q": staff}, **HTMX)
            self.assertEqual(response.context["results"], [], staff)
        response = self.client.get(self.url("member_search"), {"q": "陈澄"}, **HTMX)
        self.assertEqual(response.context["results"], [])  # the lead is on it already

    def test_a_declined_member_can_be_found_and_asked_again(self):
        self.proposal.proposers.create(
            user=self.wangfang, role=ProposerRole.COSIGNER, status=ProposerStatus.DECLINED, order=1
        )
        self.client.force_login(self.chencheng)
        response = self.client.get(self.url("member_search"), {"q": "王芳"}, **HTMX)
        self.assertEqual([user.pk for user in response.context["results"]], [self.wangfang.pk])

    def test_the_search_costs_the_same_queries_for_few_and_many_members(self):
        self.client.force_login(self.chencheng)
        for count in (2, 25):
            User.objects.filter(username__startswith="li_").delete()
            for i in range(count):
                make_user(f"li_{i}", f"李{i}号")
            # session, user, proposal, lead check, matching members, session save (in a savepoint: 3)
            with self.assertNumQueries(8):
                response = self.client.get(self.url("member_search"), {"q": "李"}, **HTMX)
            self.assertEqual(len(response.context["results"]), min(count + 1, 20))  # and 李华

    def test_only_the_lead_proposer_may_search_or_open_the_co_signers_page(self):
        self.proposal.proposers.create(
            user=self.wangfang, role=ProposerRole.COSIGNER, status=ProposerStatus.CONFIRMED, order=1
        )
        for user, status in ((self.wangfang, 403), (self.lihua, 404), (self.handler, 404)):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url("cosigners")).status_code, status)
                self.assertEqual(self.client.get(self.url("member_search"), {"q": "李"}, **HTMX).status_code, status)
        self.client.logout()
        self.assertEqual(self.client.get(self.url("cosigners")).status_code, 302)


class InviteTests(JointTestCase):
    def test_the_lead_proposer_invites_a_member_who_is_notified(self):
        self.client.force_login(self.chencheng)
        response = self.client.post(self.url("invite"), {"member": self.wangfang.pk})
        self.assertRedirects(response, self.url("cosigners"))
        proposer = Proposer.objects.get(proposal=self.proposal, user=self.wangfang)
        self.assertEqual((proposer.role, proposer.status), (ProposerRole.COSIGNER, ProposerStatus.INVITED))
        notification = Notification.objects.get(user=self.wangfang)
        self.assertEqual(notification.proposal, self.proposal)
        page = self.client.get(self.url("cosigners"))
        self.assertContains(page, 'data-testid="proposer-wangfang"')

    def test_inviting_makes_an_individual_draft_joint(self):
        Proposal.objects.filter(pk=self.proposal.pk).update(kind=ProposalKind.INDIVIDUAL)
        self.client.force_login(self.chencheng)
        self.client.post(self.url("invite"), {"member": self.wangfang.pk})
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.kind, ProposalKind.JOINT)

    def test_inviting_staff_or_nobody_is_refused_with_a_message(self):
        self.client.force_login(self.chencheng)
        for value in (self.handler.pk, "abc", 999999):
            with self.subTest(value=value):
                response = self.client.post(self.url("invite"), {"member": value})
                self.assertRedirects(response, self.url("cosigners"))
                self.assertEqual(
                    [str(m) for m in get_messages(response.wsgi_request)], ["Choose a member from the search results."]
                )
        self.assertEqual(self.proposal.proposers.count(), 1)

    def test_inviting_twice_shows_the_services_message(self):
        self.client.force_login(self.chencheng)
        self.client.post(self.url("invite"), {"member": self.wangfang.pk})
        response = self.client.post(self.url("invite"), {"member": self.wangfang.pk}, follow=True)
        self.assertContains(response, "王芳 is already on this proposal.")

    def test_after_the_cutoff_nobody_can_be_invited(self):
        Session.objects.filter(pk=self.session.pk).update(cosign_cutoff=timezone.now() - dt.timedelta(hours=1))
        self.client.force_login(self.chencheng)
        page = self.client.get(self.url("cosigners"))
        self.assertFalse(page.context["is_open"])
        self.assertNotContains(page, 'data-testid="member-search"')
        response = self.client.post(self.url("invite"), {"member": self.wangfang.pk}, follow=True)
        self.assertContains(response, "Co-signers can no longer be added to this proposal.")
        self.assertFalse(Proposer.objects.filter(user=self.wangfang).exists())

    def test_a_co_signer_or_another_member_cannot_invite(self):
        self.proposal.proposers.create(
            user=self.wangfang, role=ProposerRole.COSIGNER, status=ProposerStatus.CONFIRMED, order=1
        )
        self.client.force_login(self.wangfang)
        self.assertEqual(self.client.post(self.url("invite"), {"member": self.lihua.pk}).status_code, 403)
        self.client.force_login(self.lihua)
        self.assertEqual(self.client.post(self.url("invite"), {"member": self.lihua.pk}).status_code, 404)
        self.assertFalse(Proposer.objects.filter(user=self.lihua).exists())

    def test_inviting_needs_post(self):
        self.client.force_login(self.chencheng)
        self.assertEqual(self.client.get(self.url("invite")).status_code, 405)


class InvitationTests(JointTestCase):
    def setUp(self):
        super().setUp()
        self.proposer = self.proposal.proposers.create(
            user=self.wangfang, role=ProposerRole.COSIGNER, status=ProposerStatus.INVITED, order=1
        )

    def test_the_invitation_shows_on_my_proposals_and_on_the_proposal_page(self):
        self.client.force_login(self.wangfang)
        home = self.client.get(reverse("portal:home"))
        self.assertEqual([p.pk for p in home.context["invitations"]], [self.proposer.pk])
        self.assertContains(home, f'data-testid="invitation-{self.proposal.pk}"')
        self.assertContains(home, self.url("invitation"))
        detail = self.client.get(self.url("proposal_detail"))
        self.assertContains(detail, 'data-testid="invitation-box"')
        page = self.client.get(self.url("invitation"))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "关于完善福田区“一老一小”服务体系的建议")
        self.assertContains(page, "一、加强规划引领；二、深化深港合作；三、强化政策扶持。")
        self.assertContains(page, 'data-testid="confirm-cosign"')

    def test_confirming_makes_the_member_a_co_signer_and_tells_the_lead(self):
        self.client.force_login(self.wangfang)
        response = self.client.post(self.url("invitation"), {"answer": "confirm"})
        self.assertRedirects(response, self.url("proposal_detail"))
        self.proposer.refresh_from_db()
        self.assertEqual(self.proposer.status, ProposerStatus.CONFIRMED)
        self.assertTrue(Notification.objects.filter(user=self.chencheng, proposal=self.proposal).exists())
        home = self.client.get(reverse("portal:home"))
        self.assertEqual(home.context["invitations"], [])

    def test_declining_removes_the_proposal_from_the_members_view(self):
        self.client.force_login(self.wangfang)
        response = self.client.post(self.url("invitation"), {"answer": "decline"})
        self.assertRedirects(response, reverse("portal:home"))
        self.proposer.refresh_from_db()
        self.assertEqual(self.proposer.status, ProposerStatus.DECLINED)
        self.assertEqual(self.client.get(self.url("proposal_detail")).status_code, 404)

    def test_a_nonsense_answer_changes_nothing(self):
        self.client.force_login(self.wangfang)
        response = self.client.post(self.url("invitation"), {"answer": "maybe"})
        self.assertRedirects(response, self.url("invitation"))
        self.proposer.refresh_from_db()
        self.assertEqual(self.proposer.status, ProposerStatus.INVITED)

    def test_answering_twice_shows_the_services_message(self):
        self.client.force_login(self.wangfang)
        self.client.post(self.url("invitation"), {"answer": "confirm"})
        response = self.client.post(self.url("invitation"), {"answer": "decline"}, follow=True)
        self.assertContains(response, "This invitation has already been answered.")
        self.proposer.refresh_from_db()
        self.assertEqual(self.proposer.status, ProposerStatus.CONFIRMED)

    def test_after_the_cutoff_the_invitation_can_no_longer_be_answered(self):
        Session.objects.filter(pk=self.session.pk).update(cosign_cutoff=timezone.now() - dt.timedelta(minutes=1))
        self.client.force_login(self.wangfang)
        self.assertEqual(self.client.get(reverse("portal:home")).context["invitations"], [])
        page = self.client.get(self.url("invitation"))
        self.assertNotContains(page, 'data-testid="confirm-cosign"')
        response = self.client.post(self.url("invitation"), {"answer": "confirm"}, follow=True)
        self.assertContains(response, "The time to answer this invitation has passed.")
        self.proposer.refresh_from_db()
        self.assertEqual(self.proposer.status, ProposerStatus.INVITED)

    def test_nobody_else_can_answer_it(self):
        for user in (self.chencheng, self.lihua, self.handler, self.committee):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url("invitation")).status_code, 404)
                self.assertEqual(self.client.post(self.url("invitation"), {"answer": "confirm"}).status_code, 404)
        self.proposer.refresh_from_db()
        self.assertEqual(self.proposer.status, ProposerStatus.INVITED)

    def test_the_lead_submits_once_the_rule_is_met(self):
        self.client.force_login(self.chencheng)
        refused = self.client.post(self.url("proposal_submit"), follow=True)
        self.assertContains(refused, "confirmed co-signers before it is submitted")
        self.assertContains(refused, 'data-testid="joint-status"')
        self.client.force_login(self.wangfang)
        self.client.post(self.url("invitation"), {"answer": "confirm"})
        self.client.force_login(self.chencheng)
        page = self.client.get(self.url("proposal_detail"))
        self.assertTrue(page.context["joint"]["met"])
        self.client.post(self.url("proposal_submit"))
        self.proposal.refresh_from_db()
        self.assertEqual(self.proposal.status, ProposalStatus.SUBMITTED)
