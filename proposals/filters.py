"""The FilterSet of proposals, shared by the member list, staff lists, exports and dashboard drill-downs."""

from __future__ import annotations

import copy

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from proposals import search
from proposals.choices import OPEN_ASSIGNMENT_STATUSES, AssignmentRole, ProposalKind, ProposalStatus
from proposals.models import Category, Proposal, Session


class FilterForm(forms.Form):
    """A filter form that can be made with only some of its fields (``given``): the others are
    neither copied nor validated, and filter nothing, exactly as when they are left empty."""

    def __init__(self, *args, given: frozenset[str] | None = None, **kwargs):
        if given is not None:
            # Read by BaseForm.__init__, which deep-copies what it finds here.
            self.base_fields = {name: field for name, field in self.base_fields.items() if name in given}
        super().__init__(*args, **kwargs)


class SharedFieldsFilterSet(django_filters.FilterSet):
    """A FilterSet that builds its form once per class instead of once per request.

    django-filter deep-copies every filter (model-choice filters copy their querysets) and
    builds a new form class from them on each instantiation: most of a list page's Python
    time. Our filters hold no per-request state but their parent, so each instance gets
    shallow copies of them (a method filter re-bound to its copy) and every instance of a
    class shares one form class; Django's form still copies its fields per instance.

    ``only_given=True`` (for pages that draw their own filter controls and never render the
    form) copies, and makes the form with, just the filters the request names: a list page with
    one filter then copies and validates one, not seventeen. ``filters`` then holds only those;
    the class's ``base_filters`` still has them all.
    """

    _form_classes: dict[type, type] = {}

    class Meta:
        form = FilterForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, only_given: bool = False):
        self.only_given = only_given
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        # With only_given, the filters the request leaves out are neither copied nor in the form.
        self._given = self.given() if only_given else None
        for name, base in self.base_filters.items():
            if self._given is not None and name not in self._given:
                continue
            filter_ = copy.copy(base)
            if base.method is not None:
                filter_.method = base.method  # a FilterMethod of the copy, which knows its parent
            filter_.model = queryset.model
            filter_.parent = self
            self.filters[name] = filter_

    def given(self) -> frozenset[str]:
        """The filters the data names (a date range arrives as ``<name>_after`` and ``<name>_before``)."""
        keys = [key for key, values in self.data.lists() if any(values)]
        return frozenset(name for name in self.base_filters if any(k == name or k.startswith(f"{name}_") for k in keys))

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form_class = self.get_form_class()
            if self.is_bound:
                self._form = form_class(self.data, prefix=self.form_prefix, given=self._given)
            else:
                self._form = form_class(prefix=self.form_prefix, given=self._given)
        return self._form

    def get_form_class(self):
        cls = type(self)
        form_class = self._form_classes.get(cls)
        if form_class is None:
            fields = {name: filter_.field for name, filter_ in self.base_filters.items()}
            form_class = type(f"{cls.__name__}Form", (self._meta.form,), fields)
            self._form_classes[cls] = form_class
        return form_class


class ProposalFilterSet(SharedFieldsFilterSet):
    """Filters by session, status, category, kind, unit and role of its assignments, key, overdue, dates and text."""

    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
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

    class Meta(SharedFieldsFilterSet.Meta):
        model = Proposal
        fields = ["q", "session", "status", "category", "kind", "unit", "role", "is_key", "overdue"]

    def _assignments(self):
        # The model behind the ``assignments`` relation, named by the lookup: proposals sits below responses.
        assignment = Proposal._meta.get_field("assignments").related_model
        return assignment._default_manager.filter(proposal_id=OuterRef("pk"))

    def filter_text(self, queryset, name, value):
        return search.search(queryset, value) if value else queryset

    def filter_unit(self, queryset, name, value):
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
