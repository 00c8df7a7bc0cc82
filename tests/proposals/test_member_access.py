"""Who may open each member page: anonymous visitors sign in, other accounts get 404 or 403, nothing leaks."""

from __future__ import annotations

from django.test import override_settings
from django.urls import reverse

from proposals.choices import ProposalStatus, ProposerRole, ProposerStatus
from proposals.models import Event, Proposal
from proposals.services import submit_proposal
from responses.models import Feedback
from tests.base import PersonaTestCase, make_proposal
from tests.proposals.helpers_member import IN_MEMORY_STORAGE, InEnglish, assign, sent_reply

SECRET_TITLE = "关于加快完善香蜜湖新金融中心配套服务的建议"


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class AccessTests(InEnglish, PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.draft = make_proposal(cls.chencheng, cls.session, title=SECRET_TITLE)
        cls.replied = make_proposal(
            cls.chencheng, cls.session, title="关于优化福田区中小学学位供给的建议", status=ProposalStatus.REPLIED
        )
        cls.reply = sent_reply(assign(cls.replied, cls.unit, cls.committee), cls.handler, signer=cls.unitlead)

    def urls(self, proposal) -> list[tuple[str, str]]:
        """(method, url) of every page and step of the portal about one proposal."""
        pk = proposal.pk
        return [
            ("get", reverse("portal:proposal_detail", args=[pk])),
            ("get", reverse("portal:proposal_edit", args=[pk])),
            ("post", reverse("portal:proposal_edit", args=[pk])),
            ("post", reverse("portal:proposal_submit", args=[pk])),
            ("post", reverse("portal:proposal_withdraw", args=[pk])),
            ("post", reverse("portal:attachment_add", args=[pk])),
            ("get", reverse("portal:cosigners", args=[pk])),
            ("get", reverse("portal:member_search", args=[pk]) + "?q=王"),
            ("post", reverse("portal:invite", args=[pk])),
            ("get", reverse("portal:invitation", args=[pk])),
            ("post", reverse("portal:invitation", args=[pk])),
        ]

    def assert_unchanged(self):
        self.draft.refresh_from_db()
        self.assertEqual((self.draft.status, self.draft.title), (ProposalStatus.DRAFT, SECRET_TITLE))
        self.assertEqual(self.draft.proposers.count(), 1)
        self.assertFalse(Event.objects.filter(proposal=self.draft).exists())
        self.assertFalse(Feedback.objects.exists())

    def test_anonymous_visitors_are_sent_to_sign_in_everywhere(self):
        pages = [
            ("get", reverse("portal:home")),
            ("get", reverse("portal:proposal_create")),
            ("post", reverse("portal:proposal_create")),
            ("get", reverse("portal:notifications")),
            ("post", reverse("portal:notifications_mark_all_read")),
            ("post", reverse("portal:feedback", args=[self.replied.pk, self.reply.pk])),
            *self.urls(self.draft),
        ]
        for method, url in pages:
            with self.subTest(method=method, url=url):
                response = getattr(self.client, method)(url, {"title": "篡改", "answer": "confirm"})
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(reverse("login")))
        self.assert_unchanged()

    def test_another_member_finds_nothing_of_a_draft(self):
        self.client.force_login(self.lihua)
        for method, url in self.urls(self.draft):
            with self.subTest(method=method, url=url):
                response = getattr(self.client, method)(url, {"title": "篡改", "member": self.lihua.pk})
                self.assertEqual(response.status_code, 404)
                self.assertNotIn(SECRET_TITLE, response.content.decode())
        self.assert_unchanged()

    def test_a_unit_account_finds_nothing_of_a_draft_and_cannot_rate(self):
        self.client.force_login(self.handler)
        for method, url in self.urls(self.draft):
            with self.subTest(method=method, url=url):
                self.assertEqual(getattr(self.client, method)(url, {"title": "篡改"}).status_code, 404)
        response = self.client.post(
            reverse("portal:feedback", args=[self.replied.pk, self.reply.pk]),
            {"attitude": "satisfied", "result": "satisfied"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertTemplateUsed(response, "proposals/forbidden.html")
        self.assert_unchanged()

    def test_staff_may_not_write_a_proposal_and_are_told_why(self):
        self.client.force_login(self.handler)
        response = self.client.get(reverse("portal:proposal_create"))
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "Only members can write proposals.", status_code=403)

    def test_committee_and_leaders_find_nothing_of_a_draft_until_it_is_submitted(self):
        for user in (self.committee, self.leader):
            self.client.force_login(user)
            for method, url in self.urls(self.draft):
                with self.subTest(user=user.username, method=method, url=url):
                    response = getattr(self.client, method)(url, {"title": "篡改", "member": self.lihua.pk})
                    self.assertEqual(response.status_code, 404)
                    self.assertNotIn(SECRET_TITLE, response.content.decode())
        self.assert_unchanged()
        submit_proposal(self.draft, actor=self.chencheng)
        self.client.force_login(self.committee)
        page = self.client.get(reverse("portal:proposal_detail", args=[self.draft.pk]))
        self.assertContains(page, SECRET_TITLE)
        for method, url in self.urls(self.draft)[1:]:
            with self.subTest(after="submitted", method=method, url=url):
                status = getattr(self.client, method)(url, {"title": "篡改", "member": self.lihua.pk}).status_code
                self.assertIn(status, (403, 404))
        self.draft.refresh_from_db()
        self.assertEqual((self.draft.status, self.draft.title), (ProposalStatus.SUBMITTED, SECRET_TITLE))

    def test_a_confirmed_co_signer_reads_the_proposal_but_only_the_lead_changes_it(self):
        self.draft.proposers.create(
            user=self.wangfang, role=ProposerRole.COSIGNER, status=ProposerStatus.CONFIRMED, order=1
        )
        self.client.force_login(self.wangfang)
        page = self.client.get(reverse("portal:proposal_detail", args=[self.draft.pk]))
        self.assertContains(page, SECRET_TITLE)
        self.assertNotContains(page, reverse("portal:proposal_edit", args=[self.draft.pk]))
        for method, url in self.urls(self.draft)[1:9]:
            with self.subTest(method=method, url=url):
                status = getattr(self.client, method)(url, {"title": "篡改", "member": self.lihua.pk}).status_code
                self.assertEqual(status, 403)
        self.draft.refresh_from_db()
        self.assertEqual((self.draft.status, self.draft.title), (ProposalStatus.DRAFT, SECRET_TITLE))
        self.assertEqual(self.draft.proposers.count(), 2)

    def test_a_missing_proposal_answers_404_on_every_url(self):
        self.client.force_login(self.chencheng)
        missing = Proposal(pk=999999)
        for method, url in self.urls(missing):
            with self.subTest(method=method, url=url):
                self.assertEqual(getattr(self.client, method)(url).status_code, 404)
