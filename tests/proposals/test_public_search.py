"""The public pages search published proposals in Chinese, best match first, with highlighted snippets."""

from django.urls import reverse

from proposals.choices import ProposalStatus
from tests.base import PersonaTestCase, make_proposal

URL = reverse("public:index")


class PublicSearchTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.fashion = make_proposal(
            cls.chencheng,
            cls.session,
            status=ProposalStatus.CLOSED,
            number="2023160",
            is_published=True,
            title="关于福田区构建具有竞争力的现代化产业体系的建议",
        )
        cls.hidden = make_proposal(
            cls.wangfang, cls.session, status=ProposalStatus.SUBMITTED, title="关于发展时尚<b>消费</b>的建议"
        )

    def test_a_search_finds_published_proposals_and_marks_the_words(self):
        response = self.client.get(URL, {"q": "时尚"})

        self.assertContains(response, reverse("public:detail", args=[self.fashion.pk]))
        self.assertContains(response, "<mark>时尚</mark>")
        self.assertNotContains(response, "时尚<b>消费")

    def test_a_search_with_no_match_says_so(self):
        response = self.client.get(URL, {"q": "低空经济"})

        self.assertNotContains(response, reverse("public:detail", args=[self.fashion.pk]))
        self.assertNotContains(response, 'data-testid="snippet"')

    def test_without_a_search_there_are_no_snippets(self):
        response = self.client.get(URL)

        self.assertContains(response, reverse("public:detail", args=[self.fashion.pk]))
        self.assertNotContains(response, 'data-testid="snippet"')
