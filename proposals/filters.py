"""The FilterSet of proposals, shared by the member list, staff lists, exports and dashboard drill-downs."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from proposals import search
from proposals.choices import OPEN_ASSIGNMENT_STATUSES, AssignmentRole, ProposalKind, ProposalStatus
from proposals.models import Category, Proposal, Session


class SearchField(forms.CharField):
    """The search box: text with nothing to search for (only punctuation, symbols, emoji) is an error
    shown on the field, and the list it filters is empty, never everything."""

    def clean(self, value):
        value = super().clean(value)
        if value and not search.searchable(value):
            raise forms.ValidationError(
                _("“%(text)s” has no Chinese characters, letters or digits to search for; nothing was found."),
                code="unsearchable",
                params={"text": value[:20]},
            )
        return value


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


class SearchFilterSetMixin:
    """A FilterSet whose text search was not valid finds nothing (django-filter would skip the field)."""

    def filter_queryset(self, queryset):
        if "q" in self.form.errors:
            return queryset.none()
        return super().filter_queryset(queryset)


class ProposalFilterSet(SearchFilterSetMixin, django_filters.FilterSet):
    """Filters by session, status, category, kind, unit and role of its assignments, key, overdue, dates and text."""

    q = SearchFilter(method="filter_text", label=_("Search"))
    session = django_filters.ModelMultipleChoiceFilter(
        queryset=Session.objects.all(), distinct=False, label=_("Session")
    )
    status = django_filters.MultipleChoiceFilter(choices=ProposalStatus.choices, distinct=False, label=_("Status"))
    category = django_filters.ModelMultipleChoiceFilter(
        queryset=Category.objects.all(), distinct=False, label=_("Category")
    )
    kind = django_filters.MultipleChoiceFilter(choices=ProposalKind.choices, distinct=False, label=_("Kind"))
    unit = django_filters.ModelMultipleChoiceFilter(
        queryset=Unit.objects.all(), method="filter_unit", label=_("Handling unit")
    )
    role = django_filters.MultipleChoiceFilter(
        choices=AssignmentRole.choices, method="filter_role", label=_("Unit role")
    )
    is_key = django_filters.BooleanFilter(label=_("Key proposal"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    submitted = django_filters.DateFromToRangeFilter(field_name="submitted_at__date", label=_("Submitted between"))
    accepted = django_filters.DateFromToRangeFilter(field_name="accepted_at__date", label=_("Accepted between"))

    class Meta:
        model = Proposal
        fields = ["q", "session", "status", "category", "kind", "unit", "role", "is_key", "overdue"]

    def _assignments(self):
        # The model behind the ``assignments`` relation, named by the lookup: proposals sits below responses.
        assignment = Proposal._meta.get_field("assignments").related_model
        return assignment._default_manager.filter(proposal_id=OuterRef("pk"))

    def filter_text(self, queryset, name, value):
        return search.search(queryset, value) if value else queryset

    def filter_unit(self, queryset, name, value: list[Unit]):
        if not value:
            return queryset
        return queryset.filter(Exists(self._assignments().filter(unit__in=value)))

    def filter_role(self, queryset, name, value):
        if not value:
            return queryset
        units = self.form.cleaned_data.get("unit") if hasattr(self.form, "cleaned_data") else None
        assignments = self._assignments().filter(role__in=value)
        if units:
            assignments = assignments.filter(unit__in=units)
        return queryset.filter(Exists(assignments))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Exists(
            self._assignments().filter(
                status__in=OPEN_ASSIGNMENT_STATUSES,
                role__in=[AssignmentRole.LEAD, AssignmentRole.SEPARATE],
                reply_due__lt=timezone.localdate(),
            )
        )
        return queryset.filter(late) if value else queryset.filter(~Q(late))
