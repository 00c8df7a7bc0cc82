"""The proposal form's "asked and answered before" panel: earlier proposals like the typed title, with replies."""

from django.urls import reverse
from django.utils import timezone

from proposals.choices import ProposalStatus
from responses.choices import AssignmentRole, AssignmentStatus, ReplyStatus
from responses.models import Assignment, Reply
from tests.base import PersonaTestCase, make_proposal

URL = reverse("portal:similar")


class SimilarPanelTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.published = make_proposal(
            cls.wangfang,
            cls.session,
            status=ProposalStatus.CLOSED,
            number="2023160",
            title="关于福田区构建具有竞争力的现代化产业体系的建议",
            is_published=True,
        )
        assignment = Assignment.objects.create(
            proposal=cls.published,
            unit=cls.unit,
            role=AssignmentRole.SEPARATE,
            status=AssignmentStatus.REPLIED,
            assigned_by=cls.committee,
        )
        Reply.objects.create(
            assignment=assignment,
            status=ReplyStatus.SENT,
            category=cls.reply_categories["B"],
            body="答复",
            drafted_by=cls.handler,
            sent_at=timezone.now(),
        )
        cls.private = make_proposal(
            cls.lihua, cls.session, status=ProposalStatus.SUBMITTED, title="关于现代化产业体系人才培养的建议"
        )

    def test_a_member_sees_a_published_earlier_proposal_and_its_reply(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(URL, {"title": "关于推进现代化产业体系建设的建议"})

        self.assertContains(response, "关于福田区构建具有竞争力的现代化产业体系的建议")
        self.assertContains(response, self.unit.name)
        self.assertContains(response, reverse("public:detail", args=[self.published.pk]))

    def test_another_members_unpublished_proposal_is_not_shown(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(URL, {"title": "关于推进现代化产业体系建设的建议"})

        self.assertNotContains(response, "人才培养")

    def test_the_member_sees_their_own_earlier_proposals_too(self):
        self.client.force_login(self.lihua)
        response = self.client.get(URL, {"title": "关于现代化产业体系的建议"})

        self.assertContains(response, "人才培养")
        self.assertContains(response, reverse("portal:proposal_detail", args=[self.private.pk]))

    def test_a_short_title_only_explains_the_panel(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(URL, {"title": "关于"})

        self.assertNotContains(response, 'data-testid="similar-results"')

    def test_the_form_wires_the_title_to_the_panel(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse("portal:proposal_create"))

        self.assertContains(response, f'hx-post="{URL}"')
        self.assertContains(response, 'hx-include="[name=csrfmiddlewaretoken],[name=title],[name=background]')
        self.assertContains(response, 'id="similar-panel"')

    def test_the_text_being_written_counts_not_only_the_title(self):
        self.client.force_login(self.chencheng)
        data = {
            "title": "关于回应企业关切的建议",
            "background": "福田区时尚产业基础好，但产业体系竞争力仍需提升。",
            "suggestions": "加强规划引领，深化深港合作，强化政策扶持。",
        }
        response = self.client.post(URL, data)

        self.assertContains(response, "关于福田区构建具有竞争力的现代化产业体系的建议")
        self.assertContains(response, 'data-testid="similar-score"')
        self.assertContains(response, 'data-testid="similar-shared"')
        self.assertContains(response, "产业体系")

    def test_anonymous_visitors_are_sent_to_login(self):
        self.assertEqual(self.client.get(URL, {"title": "现代化产业体系"}).status_code, 302)

    def test_the_panel_costs_a_fixed_number_of_queries(self):
        self.client.force_login(self.chencheng)
        self.client.get(URL, {"title": "关于现代化产业体系的建议"})  # warm the segmenter's dictionary check
        # session, user, the number of proposals and their stored words (for the word weights),
        # candidates, which are the member's own, replies, session save (3 with savepoint)
        with self.assertNumQueries(10):
            self.client.get(URL, {"title": "关于现代化产业体系的建议"})
