"""The filtered lists behind the dashboard, and their Excel exports.

One FilterSet per model (``proposals.filters.ProposalFilterSet``,
``responses.filters.AssignmentFilterSet``) serves the list, the export and the
dashboard's drill-down links, over the rows ``visible_to`` the user. Lists use
keyset pagination (``dashboard.keyset``): one query per page at any depth.
Exports write exactly the filtered rows, read in primary-key batches and
streamed as they are written.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import F, QuerySet
from django.db.models.functions import TruncDate
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dashboard import filter_ui, keyset, reference, xlsx
from dashboard import rows as row_html
from dashboard.access import staff_only
from proposals.filters import ProposalFilterSet
from proposals.models import Proposal
from proposals.templatetags.site_chrome import kept_page
from responses.choices import (
    AssignmentRole,
    AssignmentStatus,
)
from responses.filters import AssignmentFilterSet
from responses.models import Assignment

EXPORT_BATCH = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PROPOSAL_FILTERS = ["q", "session", "status", "category", "unit", "is_key", "overdue"]
PROPOSAL_MORE_FILTERS = ["kind", "role", "submitted", "accepted"]
ASSIGNMENT_FILTERS = ["q", "session", "unit", "role", "status", "overdue", "is_key"]
ASSIGNMENT_MORE_FILTERS = [
    "proposal_status",
    "category",
    "on_time",
    "reply_category",
    "attitude",
    "result",
    "round",
    "reply_due",
    "assigned",
    "replied",
]


# The filters whose options are reference rows (dashboard.reference): which rows, and how an option reads.
REFERENCE_FILTERS = {
    "session": ("sessions", lambda session: session.name),
    "category": ("categories", lambda category: category.name),
    # Units are public inside the system (Unit.visible_to): every staff user may filter by any.
    "unit": ("units", lambda unit: unit.short_name or unit.name),
    "reply_category": ("reply_categories", lambda category: f"{category.code} {category.name}"),
}


def _choices(*names: str) -> dict[str, list[tuple[str, str]]]:
    """Options of the model-choice filters among ``names``."""
    found = {}
    for name in names:
        if name in REFERENCE_FILTERS:
            source, label = REFERENCE_FILTERS[name]
            found[name] = [(str(row.pk), label(row)) for row in reference.rows(source)]
    return found


MAX_KEPT_BARS = 512  # filter bars per process; all dropped when full
_kept_bars: dict[tuple, SafeString] = {}


def _filter_bar(request, filterset, *, filters: list[str], more: list[str], valid: bool, base_query: str, export: str):
    """The filter bar of this request's filters: drawn from them, the language and the reference rows alone,
    so a valid one is kept under those (the same few filters are asked for again and again)."""
    sources = [REFERENCE_FILTERS[name][0] for name in (*filters, *more) if name in REFERENCE_FILTERS]
    key = (type(filterset), get_language(), request.path, base_query, reference.version(*sources))
    bar = _kept_bars.get(key) if valid else None
    if bar is None:
        choices = _choices(*filters, *more)
        export_url = reverse(export) + (f"?{base_query}" if base_query else "")
        bar = filter_ui.bar(
            filter_ui.controls(filterset, filters, choices),
            filter_ui.controls(filterset, more, choices),
            invalid=not valid,
            path=request.path,
            export_url=export_url,
        )
        if valid:
            if len(_kept_bars) >= MAX_KEPT_BARS:
                _kept_bars.clear()
            _kept_bars[key] = bar
    return bar


def _list_page(request, filterset, *, template: str, filters: list[str], more: list[str], table, export: str) -> object:
    """A list page: the filter bar, one keyset page of rows as a table, and the links to other pages.

    The bar, the table and the links are built in Python (``filter_ui``, ``rows``): through the
    template engine they cost more than the page query. The rest of the page is drawn once per
    template, user and language (``site_chrome.kept_page``).
    """
    valid = filterset.is_valid()  # always bound (to an empty QueryDict at least)
    page = keyset.paginate(filterset.qs if valid else filterset.queryset.none(), request.GET)
    bar = _filter_bar(
        request, filterset, filters=filters, more=more, valid=valid, base_query=page.base_query, export=export
    )
    slots = {"filter_bar": bar, "table": table(page.rows), "pagination": row_html.pagination(page)}
    status = 200 if valid else 400
    response = kept_page(request, template, values={"has_rows": bool(page.rows)}, slots=slots, status=status)
    response.page = page  # for the tests: a kept page renders no template, so the test client sees no context
    return response


# Proposals ---------------------------------------------------------------------------------


def _long_text_fields() -> list[str]:
    """Columns the lists never show: long texts, not worth reading fifty of per page."""
    names = {field.name for field in Proposal._meta.get_fields()}
    return [name for name in ("background", "suggestions", "search_text") if name in names]


# The columns a list row shows, read as named tuples (dashboard.rows). Names of sessions, categories
# and units come from the reference rows each process keeps (dashboard.reference), not from joins.
PROPOSAL_LIST_FIELDS = [
    "pk",
    "number",
    "title",
    "status",
    "is_key",
    "category_id",
    "collective_author",
    "session_id",
]
ASSIGNMENT_LIST_FIELDS = [
    "pk",
    "proposal_id",
    "unit_id",
    "role",
    "status",
    "assigned_on",
    "reply_due",
    "replied_on",
    "proposal_number",
    "proposal_title",
    "session_id",
]


# What a list row shows besides the proposal's own columns, kept on its dashboard facts by the
# workflow's refresh (dashboard.summary.list_summaries): one join, not three subqueries a row.
ROW_FACTS = {
    "lead_name": F("dashboard_facts__lead_name"),
    "first_unit_id": F("dashboard_facts__first_unit_id"),
    "unit_count": F("dashboard_facts__unit_count"),
}


@functools.cache
def _proposal_list_rows() -> QuerySet:
    """The list's columns as named rows, over every proposal: built once per process, never evaluated.

    Adding the joined columns and the named rows costs about 0.2 ms a request; each request starts from
    a copy of this instead (``.all()``), and ``visible_to`` still narrows every copy to what its user may see.
    """
    return Proposal.objects.annotate(**ROW_FACTS).values_list(*PROPOSAL_LIST_FIELDS, *ROW_FACTS, named=True)


def _proposals(request, *, export: bool = False) -> ProposalFilterSet:
    # The lead proposer and the first unit come with the page query itself: one query a page.
    if export:
        base = (
            Proposal.objects.visible_to(request.user)
            .annotate(lead_name=ROW_FACTS["lead_name"])
            .select_related("session", "category", "supervisor")
            .defer(*_long_text_fields())
        )
    else:
        base = _proposal_list_rows().all().visible_to(request.user)
    return ProposalFilterSet(request.GET, queryset=base, request=request, only_given=True)


@staff_only
def proposal_list(request):
    return _list_page(
        request,
        _proposals(request),
        template="dashboard/proposal_list.html",
        filters=PROPOSAL_FILTERS,
        more=PROPOSAL_MORE_FILTERS,
        table=row_html.proposal_table,
        export="dashboard:proposals_export",
    )


# Assignments -------------------------------------------------------------------------------


@functools.cache
def _assignment_list_rows() -> QuerySet:
    """The assignment list's columns as named rows, over every assignment (as ``_proposal_list_rows``)."""
    return Assignment.objects.annotate(
        proposal_number=F("proposal__number"),
        proposal_title=F("proposal__title"),
        session_id=F("proposal__session_id"),
        # Local dates computed by the database: cheaper than converting fifty datetimes in Python.
        assigned_on=TruncDate("assigned_at"),
        replied_on=TruncDate("replied_at"),
    ).values_list(*ASSIGNMENT_LIST_FIELDS, named=True)


def _assignments(request, *, export: bool = False) -> AssignmentFilterSet:
    if export:
        base = (
            Assignment.objects.visible_to(request.user)
            .select_related("proposal", "proposal__session", "unit")
            .defer(*[f"proposal__{name}" for name in _long_text_fields()])
        )
    else:
        base = _assignment_list_rows().all().visible_to(request.user)
    return AssignmentFilterSet(request.GET, queryset=base, request=request, only_given=True)


def _decorate_assignments(rows: list) -> None:
    """The export's rows: how many days each is overdue today."""
    today = timezone.localdate()
    for row in rows:
        row.days_overdue = row_html.days_overdue(row.status, row.role, row.reply_due, today)


@staff_only
def assignment_list(request):
    return _list_page(
        request,
        _assignments(request),
        template="dashboard/assignment_list.html",
        filters=ASSIGNMENT_FILTERS,
        more=ASSIGNMENT_MORE_FILTERS,
        table=row_html.assignment_table,
        export="dashboard:assignments_export",
    )


# Exports -----------------------------------------------------------------------------------


def _batches(queryset, decorate=None) -> Iterator:
    """Every row of ``queryset``, newest first, read in primary-key batches (flat memory, no OFFSET)."""
    last = None
    while True:
        batch = queryset.order_by("-pk")
        if last is not None:
            batch = batch.filter(pk__lt=last)
        rows = list(batch[:EXPORT_BATCH])
        if not rows:
            return
        if decorate:
            decorate(rows)
        yield from rows
        if len(rows) < EXPORT_BATCH:
            return
        last = rows[-1].pk


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _xlsx_response(filename: str, chunks: Iterator[bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def _invalid(request, filterset, list_view):
    """An export asked with bad filters gets the list page with the messages next to the fields."""
    return list_view(request)


def _units_of(proposal_ids: list[int]) -> dict[int, list[str]]:
    """Each proposal's units of its current handling (returned ones left out), in the lists' order (the lead
    unit, then separate units, then co-handling units: ``summary.UNIT_ORDER``): one query per export batch."""
    units: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = (
        Assignment.objects.filter(proposal_id__in=proposal_ids, round=F("proposal__handling_round"))
        .exclude(status=AssignmentStatus.RETURNED)
        .order_by("proposal_id", "pk")
        .values_list("proposal_id", "role", "unit__name")
    )
    for proposal_id, role, name in rows:
        units[proposal_id].append((AssignmentRole.rank(role), name))
    # A stable sort: within one place, units stay in the order they were assigned.
    return {
        proposal_id: [name for _place, name in sorted(found, key=lambda pair: pair[0])]
        for proposal_id, found in units.items()
    }


def _decorate_export(rows: list) -> None:
    units = _units_of([row.pk for row in rows])
    for row in rows:
        row.unit_names = units.get(row.pk, [])


def _proposal_rows(filterset) -> Iterator[tuple]:
    yes = _("Yes")  # looked up now: the rows are written after the view has returned
    for p in _batches(filterset.qs, _decorate_export):
        yield (
            p.number,
            p.session.name,
            p.title,
            p.lead_name or p.collective_author,
            p.category.name if p.category else "",
            p.get_kind_display(),
            p.get_status_display(),
            yes if p.is_key else "",
            p.supervisor.display_name if p.supervisor else "",
            "、".join(p.unit_names),
            _local(p.submitted_at),
            _local(p.accepted_at),
        )


@staff_only
def proposal_export(request):
    filterset = _proposals(request, export=True)
    if not filterset.is_valid():
        return _invalid(request, filterset, proposal_list)
    headers = [
        _("Proposal number"),
        _("Session"),
        _("Title"),
        _("Lead proposer"),
        _("Category"),
        _("Kind"),
        _("Status"),
        _("Key proposal"),
        _("Supervising leader"),
        _("Handling units"),
        _("Submitted at"),
        _("Accepted at"),
    ]
    widths = [12, 14, 50, 12, 12, 8, 10, 8, 10, 30, 18, 18]
    chunks = xlsx.stream_xlsx(_("Proposals"), headers, _proposal_rows(filterset), widths)
    return _xlsx_response(f"{_('Proposals')}-{timezone.localdate():%Y%m%d}.xlsx", chunks)


def _assignment_rows(filterset) -> Iterator[tuple]:
    for a in _batches(filterset.qs, _decorate_assignments):
        yield (
            a.proposal.number,
            a.proposal.session.name,
            a.proposal.title,
            a.unit.name,
            a.get_role_display(),
            a.get_status_display(),
            a.round,
            timezone.localdate(a.assigned_at) if a.assigned_at else None,
            a.reply_due,
            timezone.localdate(a.replied_at) if a.replied_at else None,
            a.days_overdue or None,
        )


@staff_only
def assignment_export(request):
    filterset = _assignments(request, export=True)
    if not filterset.is_valid():
        return _invalid(request, filterset, assignment_list)
    headers = [
        _("Proposal number"),
        _("Session"),
        _("Title"),
        _("Unit"),
        _("Role"),
        _("Status"),
        _("Handling round"),
        _("Assigned on"),
        _("Reply due"),
        _("Replied on"),
        _("Days overdue"),
    ]
    widths = [12, 14, 50, 30, 16, 10, 8, 12, 12, 12, 10]
    chunks = xlsx.stream_xlsx(_("Assignments"), headers, _assignment_rows(filterset), widths)
    return _xlsx_response(f"{_('Assignments')}-{timezone.localdate():%Y%m%d}.xlsx", chunks)
