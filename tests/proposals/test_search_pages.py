"""Every page that takes a search (``q``) finds nothing for a query with nothing searchable, and says so."""

from django.urls import reverse

from proposals.choices import ProposalStatus
from proposals.filters import ProposalFilterSet
from proposals.models import Proposal
from responses.filters import AssignmentFilterSet
from responses.models import Assignment
from tests.base import PersonaTestCase, make_proposal

NOTHING = ["。，！？", "……", "《》", "「」", "&", "|", "%", "_", "🙂"]
MESSAGE = "中没有可检索的汉字、字母或数字"


class NothingSearchableTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.published = make_proposal(
            cls.chencheng,
            cls.session,
            status=ProposalStatus.CLOSED,
            number="2023160",
            is_published=True,
            title="关于福田区构建具有竞争力的现代化产业体系的建议",
        )
        cls.waiting = make_proposal(cls.wangfang, cls.session, status=ProposalStatus.SUBMITTED, title="关于养老的建议")

    def test_the_filtersets_report_the_field_and_find_nothing(self):
        for text in NOTHING:
            with self.subTest(text=text):
                proposals = ProposalFilterSet({"q": text}, queryset=Proposal.objects.all())
                self.assertFalse(proposals.is_valid())
                self.assertIn(MESSAGE, str(proposals.errors["q"]))
                self.assertEqual(list(proposals.qs), [])
                assignments = AssignmentFilterSet({"q": text}, queryset=Assignment.objects.all())
                self.assertIn("q", assignments.errors)
                self.assertEqual(list(assignments.qs), [])

    def test_full_width_text_is_searched_not_refused(self):
        proposals = ProposalFilterSet({"q": "２０２３１６０"}, queryset=Proposal.objects.all())
        self.assertTrue(proposals.is_valid())
        self.assertEqual(list(proposals.qs), [self.published])

    def test_the_public_page_lists_nothing_and_says_why(self):
        for text in ("。，！？", "🙂"):
            with self.subTest(text=text):
                response = self.client.get(reverse("public:index"), {"q": text})
                self.assertNotContains(response, reverse("public:detail", args=[self.published.pk]))
                self.assertContains(response, 'data-testid="unsearchable"')
                self.assertContains(response, MESSAGE)

    def test_the_review_queue_lists_nothing_and_says_why(self):
        self.client.force_login(self.committee)
        response = self.client.get(reverse("admin:proposals_proposal_review_queue"), {"q": "《》"})
        self.assertEqual(list(response.context["page"].object_list), [])
        self.assertContains(response, 'data-testid="unsearchable"')

    def test_the_dashboard_list_lists_nothing_and_shows_the_error_on_the_field(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("dashboard:proposals"), {"q": "&"})
        # Like every invalid filter there: 400, the field marked, no rows.
        self.assertNotContains(response, self.published.title, status_code=400)
        self.assertContains(response, MESSAGE, status_code=400)

    def test_the_unit_worklist_lists_nothing_and_shows_the_error_on_the_field(self):
        self.client.force_login(self.handler)
        response = self.client.get(reverse("admin:responses_assignment_worklist"), {"q": "……"})
        self.assertContains(response, 'data-testid="filter-error"')
        self.assertContains(response, MESSAGE)
        self.assertContains(response, 'data-testid="worklist-empty"')
