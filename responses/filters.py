"""The FilterSet of assignments, shared by the unit's list, staff lists, exports and dashboard drill-downs."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from proposals import search
from proposals.choices import ProposalStatus
from proposals.filters import SearchFilter, SearchFilterSetMixin
from proposals.models import Category, Proposal, Session
from responses.choices import OPEN_ASSIGNMENT_STATUSES, AssignmentRole, AssignmentStatus, ReplyStatus, Satisfaction
from responses.models import Assignment, Feedback, Reply, ReplyCategory


class AssignmentFilterSet(SearchFilterSetMixin, django_filters.FilterSet):
    """Filters by session, unit, role, status, proposal status and category, key, overdue, due dates and text;
    and, for the dashboard's drill-downs, replied on time, reply dates, reply category and satisfaction."""

    q = SearchFilter(method="filter_text", label=_("Search"))
    session = django_filters.ModelMultipleChoiceFilter(
        field_name="proposal__session", queryset=Session.objects.all(), distinct=False, label=_("Session")
    )
    unit = django_filters.ModelMultipleChoiceFilter(queryset=Unit.objects.all(), distinct=False, label=_("Unit"))
    role = django_filters.MultipleChoiceFilter(choices=AssignmentRole.choices, distinct=False, label=_("Role"))
    status = django_filters.MultipleChoiceFilter(choices=AssignmentStatus.choices, distinct=False, label=_("Status"))
    proposal_status = django_filters.MultipleChoiceFilter(
        field_name="proposal__status", choices=ProposalStatus.choices, distinct=False, label=_("Proposal status")
    )
    category = django_filters.ModelMultipleChoiceFilter(
        field_name="proposal__category", queryset=Category.objects.all(), distinct=False, label=_("Category")
    )
    is_key = django_filters.BooleanFilter(field_name="proposal__is_key", label=_("Key proposal"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    round = django_filters.NumberFilter(label=_("Handling round"))
    reply_due = django_filters.DateFromToRangeFilter(label=_("Reply due between"))
    assigned = django_filters.DateFromToRangeFilter(field_name="assigned_on", label=_("Assigned between"))
    replied = django_filters.DateFromToRangeFilter(field_name="replied_at__date", label=_("Replied between"))
    on_time = django_filters.BooleanFilter(method="filter_on_time", label=_("Replied on time"))
    reply_category = django_filters.ModelMultipleChoiceFilter(
        queryset=ReplyCategory.objects.all(), method="filter_reply_category", label=_("Reply category")
    )
    attitude = django_filters.MultipleChoiceFilter(
        choices=Satisfaction.choices, method="filter_attitude", label=_("Rating of the handling attitude")
    )
    result = django_filters.MultipleChoiceFilter(
        choices=Satisfaction.choices, method="filter_result", label=_("Rating of the handling result")
    )

    class Meta:
        model = Assignment
        fields = ["q", "session", "unit", "role", "status", "proposal_status", "category", "is_key", "overdue"]

    # The dashboard counts replies of lead and separate units; these filters list exactly those rows.
    REPLYING = [AssignmentRole.LEAD, AssignmentRole.SEPARATE]

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

    def filter_on_time(self, queryset, name, value):
        """Replied (lead or separate) by the reply due date, or (false) after it."""
        if value is None:
            return queryset
        replied = queryset.filter(
            role__in=self.REPLYING, status=AssignmentStatus.REPLIED, replied_at__isnull=False, reply_due__isnull=False
        )
        on_time = Q(replied_at__date__lte=F("reply_due"))
        return replied.filter(on_time) if value else replied.exclude(on_time)

    def filter_reply_category(self, queryset, name, value: list[ReplyCategory]):
        """Has a sent reply (not a follow-up) of one of these categories."""
        if not value:
            return queryset
        replies = Reply.objects.filter(
            assignment_id=OuterRef("pk"), status=ReplyStatus.SENT, is_followup=False, category__in=value
        )
        return queryset.filter(Exists(replies))

    def _rated(self, queryset, field: str, value):
        if not value:
            return queryset
        return queryset.filter(
            Exists(Feedback.objects.filter(reply__assignment_id=OuterRef("pk"), **{f"{field}__in": value}))
        )

    def filter_attitude(self, queryset, name, value):
        """Has a rating of the handling attitude at one of these levels."""
        return self._rated(queryset, "attitude", value)

    def filter_result(self, queryset, name, value):
        """Has a rating of the handling result at one of these levels."""
        return self._rated(queryset, "result", value)


class ReplyFilterSet(django_filters.FilterSet):
    """Filters reply letters by session, unit, proposal, status, category, follow-up and sent dates."""

    session = django_filters.ModelMultipleChoiceFilter(
        field_name="assignment__proposal__session", queryset=Session.objects.all(), distinct=False, label=_("Session")
    )
    unit = django_filters.ModelMultipleChoiceFilter(
        field_name="assignment__unit", queryset=Unit.objects.all(), distinct=False, label=_("Unit")
    )
    proposal = django_filters.NumberFilter(field_name="assignment__proposal", label=_("Proposal"))
    status = django_filters.MultipleChoiceFilter(choices=ReplyStatus.choices, distinct=False, label=_("Status"))
    category = django_filters.ModelMultipleChoiceFilter(
        queryset=ReplyCategory.objects.all(), distinct=False, label=_("Reply category")
    )
    is_followup = django_filters.BooleanFilter(label=_("Follow-up reply"))
    sent = django_filters.DateFromToRangeFilter(field_name="sent_at__date", label=_("Sent between"))

    class Meta:
        model = Reply
        fields = ["session", "unit", "proposal", "status", "category", "is_followup", "sent"]
