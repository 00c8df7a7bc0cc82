"""The FilterSet of assignments, shared by the unit's list, staff lists, exports and dashboard drill-downs."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from proposals import search
from proposals.choices import ProposalStatus
from proposals.models import Category, Proposal, Session
from responses.choices import OPEN_ASSIGNMENT_STATUSES, AssignmentRole, AssignmentStatus
from responses.models import Assignment


class AssignmentFilterSet(django_filters.FilterSet):
    """Filters by session, unit, role, status, proposal status and category, key, overdue, due dates and text."""

    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    session = django_filters.ModelMultipleChoiceFilter(
        field_name="proposal__session", queryset=Session.objects.all(), distinct=False, label=_("Session")
    )
    unit = django_filters.ModelMultipleChoiceFilter(queryset=Unit.objects.all(), distinct=False, label=_("Unit"))
    role = django_filters.MultipleChoiceFilter(choices=AssignmentRole.choices, label=_("Role"))
    status = django_filters.MultipleChoiceFilter(choices=AssignmentStatus.choices, label=_("Status"))
    proposal_status = django_filters.MultipleChoiceFilter(
        field_name="proposal__status", choices=ProposalStatus.choices, label=_("Proposal status")
    )
    category = django_filters.ModelMultipleChoiceFilter(
        field_name="proposal__category", queryset=Category.objects.all(), distinct=False, label=_("Category")
    )
    is_key = django_filters.BooleanFilter(field_name="proposal__is_key", label=_("Key proposal"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    round = django_filters.NumberFilter(label=_("Handling round"))
    reply_due = django_filters.DateFromToRangeFilter(label=_("Reply due between"))
    assigned = django_filters.DateFromToRangeFilter(field_name="assigned_at__date", label=_("Assigned between"))

    class Meta:
        model = Assignment
        fields = ["q", "session", "unit", "role", "status", "proposal_status", "category", "is_key", "overdue"]

    def filter_text(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(proposal__in=search.search(Proposal.objects.all(), value))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(
            status__in=OPEN_ASSIGNMENT_STATUSES,
            role__in=[AssignmentRole.LEAD, AssignmentRole.SEPARATE],
            reply_due__lt=timezone.localdate(),
        )
        return queryset.filter(late) if value else queryset.exclude(late)
