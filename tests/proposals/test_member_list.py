"""我的提案: filtered with the shared ProposalFilterSet by session, status and category; paginated; fixed cost."""

from __future__ import annotations

from django.urls import reverse

from proposals.choices import ProposalStatus, ProposerStatus
from proposals.models import Category, Notification, Proposal
from tests.base import PersonaTestCase, make_proposal, make_session
from tests.proposals.helpers_member import InEnglish

HOME = "portal:home"


class MyProposalsFilterTests(InEnglish, PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.old_session = make_session(name="六届三次会议旧", term=6, meeting=2, year=2022, is_current=False)
        cls.education = Category.objects.create(name="文化教育", order=4)
        cls.draft = make_proposal(cls.chencheng, cls.session, title="关于加快完善香蜜湖新金融中心配套服务的建议")
        cls.submitted = make_proposal(
            cls.chencheng,
            cls.session,
            title="关于优化福田区中小学学位供给的建议",
            status=ProposalStatus.SUBMITTED,
            category=cls.education,
        )
        cls.old = make_proposal(
            cls.chencheng,
            cls.old_session,
            title="关于福田区构建具有竞争力的现代化产业体系的建议",
            status=ProposalStatus.CLOSED,
            category=cls.category,
            number="2023160",
        )
        cls.cosigned = make_proposal(
            cls.wangfang,
            cls.session,
            title="关于完善福田区“一老一小”服务体系的建议",
            status=ProposalStatus.SUBMITTED,
            category=cls.category,
            cosigners=[cls.chencheng],
        )
        cls.not_mine = make_proposal(cls.lihua, cls.session, title="关于优化福田区公交线网的建议")

    def listed(self, **params) -> list[int]:
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse(HOME), params)
        self.assertEqual(response.status_code, 200)
        return sorted(p.pk for p in response.context["page"])

    def test_without_filters_it_lists_what_i_lead_or_co_sign(self):
        self.assertEqual(self.listed(), sorted([self.draft.pk, self.submitted.pk, self.old.pk, self.cosigned.pk]))

    def test_it_filters_by_session(self):
        self.assertEqual(self.listed(session=self.old_session.pk), [self.old.pk])

    def test_it_filters_by_status(self):
        self.assertEqual(self.listed(status="submitted"), sorted([self.submitted.pk, self.cosigned.pk]))

    def test_it_filters_by_category(self):
        self.assertEqual(self.listed(category=self.category.pk), sorted([self.old.pk, self.cosigned.pk]))

    def test_filters_combine(self):
        self.assertEqual(
            self.listed(session=self.session.pk, status="submitted", category=self.education.pk), [self.submitted.pk]
        )

    def test_filters_never_widen_what_a_member_sees(self):
        self.assertNotIn(self.not_mine.pk, self.listed(status="draft"))
        self.assertNotIn(self.not_mine.pk, self.listed(q="公交线网"))

    def test_nonsense_values_are_ignored(self):
        self.assertEqual(len(self.listed(session="abc", status="nonsense", category="999999")), 4)

    def test_the_form_keeps_the_choices_and_pagination_keeps_the_filters(self):
        for i in range(21):
            make_proposal(self.chencheng, self.session, title=f"关于福田区第{i}项工作的建议")
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse(HOME), {"status": "draft"})
        self.assertEqual(response.context["page"].paginator.count, 22)
        self.assertContains(response, '<option value="draft" selected>', html=False)
        self.assertContains(response, "?status=draft&amp;page=2")
        second = self.client.get(reverse(HOME), {"status": "draft", "page": 2})
        self.assertEqual(len(second.context["page"].object_list), 2)

    def test_an_empty_result_says_so_and_offers_to_clear(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse(HOME), {"status": "rejected"})
        self.assertContains(response, "None of your proposals match these filters.")
        self.assertContains(response, f'href="{reverse(HOME)}"')

    def test_the_filtered_list_costs_the_same_queries_for_3_and_30_rows(self):
        self.client.force_login(self.lihua)
        for total in (3, 30):
            Proposal.objects.filter(created_by=self.lihua).delete()
            for i in range(total):
                make_proposal(self.lihua, self.session, title=f"关于福田区第{i}项工作的建议", category=self.category)
            # session, user (with the unread count), session and category choices checked, count, rows,
            # sessions and categories listed, invitations, session save (in a savepoint: 3)
            with self.assertNumQueries(12):
                response = self.client.get(
                    reverse(HOME), {"session": self.session.pk, "status": "draft", "category": self.category.pk}
                )
            self.assertEqual(len(response.context["page"].object_list), min(total, 20))


class MyProposalsPageTests(InEnglish, PersonaTestCase):
    def test_a_member_without_proposals_is_offered_to_write_one(self):
        self.client.force_login(self.lihua)
        response = self.client.get(reverse(HOME))
        self.assertContains(response, "You have no proposals yet.")
        self.assertContains(response, reverse("portal:proposal_create"))

    def test_invitations_to_answer_are_listed_first_and_answered_ones_are_not(self):
        waiting = make_proposal(
            self.chencheng,
            self.session,
            title="关于完善福田区“一老一小”服务体系的建议",
            cosigners=[self.wangfang],
            cosigner_status=ProposerStatus.INVITED,
        )
        make_proposal(self.lihua, self.session, title="关于优化福田区公交线网的建议", cosigners=[self.wangfang])
        self.client.force_login(self.wangfang)
        response = self.client.get(reverse(HOME))
        self.assertEqual([row.proposal_id for row in response.context["invitations"]], [waiting.pk])
        self.assertEqual(response.context["invitations"][0].lead_name, "陈澄")
        self.assertContains(response, 'data-testid="invitations"')

    def test_the_header_shows_the_unread_count_and_the_new_proposal_link(self):
        Notification.objects.create(user=self.chencheng, title="联名邀请")
        Notification.objects.create(user=self.chencheng, title="收到答复")
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse(HOME))
        self.assertContains(
            response, '<span class="count" data-testid="unread-count" title="Unread">2</span>', html=True
        )
        self.assertContains(response, 'data-testid="nav-new-proposal"')

    def test_staff_get_no_new_proposal_link(self):
        self.client.force_login(self.committee)
        self.assertNotContains(self.client.get(reverse(HOME)), 'data-testid="nav-new-proposal"')


class NavigationTests(InEnglish, PersonaTestCase):
    def test_the_current_page_is_marked_in_the_navigation(self):
        self.client.force_login(self.chencheng)
        for url, testid in (
            (reverse("portal:proposal_create"), "nav-new-proposal"),
            (reverse("portal:notifications"), "nav-notifications"),
        ):
            with self.subTest(url=url):
                content = self.client.get(url).content.decode()
                link = content[content.index(f'data-testid="{testid}"') :]
                self.assertIn('aria-current="page"', link[: link.index(">")])
                self.assertEqual(content.count('aria-current="page"'), 1)

    def test_a_proposal_page_belongs_to_my_proposals(self):
        proposal = make_proposal(self.chencheng, self.session)
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse("portal:proposal_detail", args=[proposal.pk]))
        self.assertEqual(response.context["nav_section"], "home")
