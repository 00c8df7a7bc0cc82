"""The shared FilterSets: every field users filter by has a filter, and each filter narrows correctly."""

import datetime as dt

from django.utils import timezone

from proposals.choices import ProposalStatus
from proposals.filters import ProposalFilterSet
from proposals.models import Category, Proposal
from proposals.similar import similar_to
from responses.choices import AssignmentRole, AssignmentStatus
from responses.filters import AssignmentFilterSet
from responses.models import Assignment
from tests.base import PersonaTestCase, make_proposal

PROPOSAL_FIELDS_USERS_FILTER_BY = {"session", "status", "category", "kind", "is_key"}
ASSIGNMENT_FIELDS_USERS_FILTER_BY = {"unit", "role", "status", "round", "reply_due"}


class FilterSetTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        other_category = Category.objects.create(name="社会事业", order=2)
        cls.fashion = make_proposal(
            cls.chencheng,
            cls.session,
            title="关于推动福田时尚产业发展的建议",
            status=ProposalStatus.ASSIGNED,
            category=cls.category,
            number="2023001",
            is_key=True,
        )
        cls.elderly = make_proposal(
            cls.wangfang,
            cls.session,
            title="关于提升社区养老服务的建议",
            status=ProposalStatus.SUBMITTED,
            category=other_category,
        )
        today = timezone.localdate()
        cls.late = Assignment.objects.create(
            proposal=cls.fashion,
            unit=cls.unit,
            role=AssignmentRole.LEAD,
            status=AssignmentStatus.HANDLING,
            assigned_by=cls.committee,
            reply_due=today - dt.timedelta(days=3),
        )
        cls.cohandling = Assignment.objects.create(
            proposal=cls.fashion,
            unit=cls.other_unit,
            role=AssignmentRole.COHANDLING,
            status=AssignmentStatus.HANDLING,
            assigned_by=cls.committee,
            reply_due=today + dt.timedelta(days=30),
        )

    def proposals(self, **params):
        return set(ProposalFilterSet(params, queryset=Proposal.objects.all()).qs)

    def assignments(self, **params):
        return set(AssignmentFilterSet(params, queryset=Assignment.objects.all()).qs)

    def test_every_field_users_filter_by_has_a_filter(self):
        self.assertLessEqual(PROPOSAL_FIELDS_USERS_FILTER_BY, set(ProposalFilterSet.base_filters))
        self.assertLessEqual(ASSIGNMENT_FIELDS_USERS_FILTER_BY, set(AssignmentFilterSet.base_filters))

    def test_proposals_filter_by_status_category_key_and_text(self):
        self.assertEqual(self.proposals(status=["submitted"]), {self.elderly})
        self.assertEqual(self.proposals(category=[self.category.pk]), {self.fashion})
        self.assertEqual(self.proposals(is_key="true"), {self.fashion})
        self.assertEqual(self.proposals(q="养老"), {self.elderly})
        self.assertEqual(self.proposals(q="2023001"), {self.fashion})

    def test_proposals_filter_by_unit_role_and_overdue(self):
        self.assertEqual(self.proposals(unit=[self.other_unit.pk]), {self.fashion})
        self.assertEqual(self.proposals(unit=[self.other_unit.pk], role=["lead"]), set())
        self.assertEqual(self.proposals(overdue="true"), {self.fashion})
        self.assertEqual(self.proposals(overdue="false"), {self.elderly})

    def test_assignments_filter_by_unit_role_overdue_and_text(self):
        self.assertEqual(self.assignments(unit=[self.unit.pk]), {self.late})
        self.assertEqual(self.assignments(role=["cohandling"]), {self.cohandling})
        self.assertEqual(self.assignments(overdue="true"), {self.late})
        self.assertEqual(self.assignments(q="时尚"), {self.late, self.cohandling})
        self.assertEqual(self.assignments(q="养老"), set())

    def test_an_invalid_value_is_reported_not_ignored(self):
        filterset = ProposalFilterSet({"status": ["nonsense"]}, queryset=Proposal.objects.all())
        self.assertFalse(filterset.is_valid())
        self.assertIn("status", filterset.errors)


class SimilarProposalTests(PersonaTestCase):
    def test_it_finds_an_earlier_proposal_on_the_same_subject(self):
        earlier = make_proposal(self.wangfang, self.session, title="关于福田区构建现代化产业体系的建议")
        lunch = make_proposal(self.wangfang, self.session, title="关于改善学校午餐的建议")
        lunch.background, lunch.suggestions = "部分学校午餐口味差、营养搭配不合理。", "引入营养师，公开午餐食谱。"
        lunch.save()
        new = make_proposal(self.chencheng, self.session, title="关于福田区构建具有竞争力的现代化产业体系的建议")

        self.assertEqual([s.proposal for s in similar_to(new)], [earlier])
