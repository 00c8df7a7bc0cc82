"""Each sent reply on the member's proposal page: the formal letter, with its print view and .docx download."""

from __future__ import annotations

import unittest

from django.urls import NoReverseMatch, reverse

from proposals.choices import ProposalStatus, ProposerStatus
from proposals.models import Notification
from responses.choices import AssignmentRole, ReplyStatus
from responses.models import Reply
from tests.base import PersonaTestCase, make_proposal
from tests.proposals.helpers_member import InEnglish, assign, sent_reply


def letters_built() -> bool:
    try:
        reverse("letters:print", args=[1])
        reverse("letters:docx", args=[1])
    except NoReverseMatch:
        return False
    return True


class LetterTestCase(InEnglish, PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.proposal = make_proposal(
            cls.chencheng,
            cls.session,
            status=ProposalStatus.REPLIED,
            category=cls.category,
            cosigners=[cls.wangfang],
            number="2023160",
        )
        cls.assignment = assign(cls.proposal, cls.unit, cls.committee, role=AssignmentRole.SEPARATE)
        cls.reply = sent_reply(cls.assignment, cls.handler, signer=cls.unitlead, category=cls.reply_categories["B"])
        other_assignment = assign(cls.proposal, cls.other_unit, cls.committee, role=AssignmentRole.SEPARATE)
        cls.unsent = Reply.objects.create(
            assignment=other_assignment,
            status=ReplyStatus.AWAITING_SIGNOFF,
            body="待签发",
            drafted_by=cls.other_handler,
        )

    def detail(self):
        self.client.force_login(self.chencheng)
        return self.client.get(reverse("portal:proposal_detail", args=[self.proposal.pk]))


class LetterOnThePageTests(LetterTestCase):
    def test_every_sent_reply_is_shown_as_the_formal_letter(self):
        response = self.detail()
        self.assertEqual([reply.pk for reply in response.context["replies"]], [self.reply.pk])
        self.assertContains(response, f'id="reply-{self.reply.pk}"')
        self.assertContains(response, "福工信函〔2023〕160号")
        self.assertContains(response, "<p>二是深化深港合作。</p>", html=True)
        self.assertNotContains(response, "待签发")

    def test_a_joint_proposals_letter_addresses_every_confirmed_proposer_lead_first(self):
        response = self.detail()
        self.assertContains(response, "尊敬的陈澄、王芳委员：")

    def test_a_co_signer_who_declined_is_not_addressed(self):
        self.proposal.proposers.filter(user=self.wangfang).update(status=ProposerStatus.DECLINED)
        response = self.detail()
        self.assertContains(response, "尊敬的陈澄委员：")
        self.assertNotContains(response, "王芳委员")

    def test_the_letter_marks_its_reply_category_and_who_signed_it_off(self):
        self.assertContains(self.detail(), "答复类别：B类")
        self.assertContains(self.detail(), "签发人：赵局长")

    def test_the_timeline_and_the_handling_units_are_shown(self):
        response = self.detail()
        self.assertContains(response, self.unit.name)
        self.assertContains(response, self.assignment.reply_due.strftime("%Y-%m-%d"))

    def test_a_notification_about_the_reply_links_to_the_proposal(self):
        Notification.objects.create(user=self.chencheng, proposal=self.proposal, title="收到答复")
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse("portal:notifications"))
        self.assertContains(response, f'href="{reverse("portal:proposal_detail", args=[self.proposal.pk])}"')


@unittest.skipUnless(letters_built(), "letters URLs not yet built")
class LetterLinkTests(LetterTestCase):
    def test_each_letter_links_to_its_print_view_and_docx_download(self):
        response = self.detail()
        self.assertContains(response, f'href="{reverse("letters:print", args=[self.reply.pk])}"')
        self.assertContains(response, f'href="{reverse("letters:docx", args=[self.reply.pk])}"')
        self.assertNotContains(response, reverse("letters:print", args=[self.unsent.pk]))

    def test_the_linked_letter_opens_for_the_proposer(self):
        self.client.force_login(self.chencheng)
        self.assertEqual(self.client.get(reverse("letters:print", args=[self.reply.pk])).status_code, 200)
        self.assertEqual(self.client.get(reverse("letters:docx", args=[self.reply.pk])).status_code, 200)

    def test_another_member_cannot_open_the_letter(self):
        self.client.force_login(self.lihua)
        self.assertEqual(self.client.get(reverse("letters:print", args=[self.reply.pk])).status_code, 404)
