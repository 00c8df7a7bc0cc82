"""The filtered lists behind the dashboard, and their Excel exports.

One FilterSet per model (``proposals.filters.ProposalFilterSet``,
``responses.filters.AssignmentFilterSet``) serves the list, the export and the
dashboard's drill-down links, over the rows ``visible_to`` the user. Lists use
keyset pagination (``dashboard.keyset``): one query per page at any depth.
Exports write exactly the filtered rows, read in primary-key batches and
streamed as they are written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Case, F, Value, When
from django.db.models.expressions import RawSQL
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from accounts.models import User
from dashboard import filter_ui, keyset, reference, xlsx
from dashboard import rows as row_html
from dashboard.access import staff_only
from proposals.choices import PROPOSAL_STATUS_COLOURS, ProposerRole
from proposals.filters import ProposalFilterSet
from proposals.models import Proposal, Proposer
from responses.choices import (
    ASSIGNMENT_STATUS_COLOURS,
    OPEN_ASSIGNMENT_STATUSES,
    REPLYING_ROLES,
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


def _choices(request, *names: str) -> dict[str, list[tuple[str, str]]]:
    """Options of the model-choice filters (reference rows, kept by dashboard.reference)."""
    found: dict[str, list[tuple[str, str]]] = {}
    if "session" in names:
        found["session"] = [(str(s.pk), s.name) for s in reference.sessions()]
    if "category" in names:
        found["category"] = [(str(c.pk), c.name) for c in reference.categories()]
    if "unit" in names:
        # Units are public inside the system (Unit.visible_to): every staff user may filter by any.
        found["unit"] = [(str(u.pk), u.short_name or u.name) for u in reference.units()]
    if "reply_category" in names:
        found["reply_category"] = [(str(c.pk), f"{c.code} {c.name}") for c in reference.reply_categories()]
    return found


def _list_page(request, filterset, *, template: str, filters: list[str], more: list[str], decorate, html) -> object:
    choices = _choices(request, *filters, *more)
    valid = filterset.is_valid()  # always bound (to an empty QueryDict at least)
    page = keyset.paginate(filterset.qs if valid else filterset.queryset.none(), request.GET)
    decorate(page.rows)
    controls = filter_ui.controls(filterset, filters, choices)
    more_controls = filter_ui.controls(filterset, more, choices)
    return render(
        request,
        template,
        {
            "page": page,
            "rows_html": html(page.rows),
            "controls": controls,
            "more_controls": more_controls,
            "more_open": any(c.active or c.errors for c in more_controls),
            "filter_errors": not valid,
            "export_query": page.base_query,
            "today": timezone.localdate(),
        },
        status=200 if valid else 400,
    )


# Proposals ---------------------------------------------------------------------------------


# Lead unit first, then separate units, then co-handling units.
ROLE_ORDER = Case(
    When(role=AssignmentRole.LEAD, then=Value(0)),
    When(role=AssignmentRole.SEPARATE, then=Value(1)),
    default=Value(2),
)


def _long_text_fields() -> list[str]:
    """Columns the lists never show: long texts, not worth reading fifty of per page."""
    names = {field.name for field in Proposal._meta.get_fields()}
    return [name for name in ("background", "suggestions", "search_text") if name in names]


# The columns a list row shows. Names of sessions, categories and units come from the reference rows
# each process keeps (dashboard.reference), not from joins.
PROPOSAL_LIST_FIELDS = [
    "pk",
    "number",
    "title",
    "status",
    "is_key",
    "category_id",
    "collective_author",
    "session_id",
    "handling_round",
]
ASSIGNMENT_LIST_FIELDS = ["pk", "proposal_id", "unit_id", "role", "status", "assigned_at", "reply_due", "replied_at"]


def _row_subqueries() -> dict[str, RawSQL]:
    """The lead proposer's name, the first unit of the current handling (lead, then separate, then
    co-handling; returned ones left out) and the number of such units, as subqueries of the page query.

    Written in SQL: built from ORM expressions, these three subqueries cost more Python time to
    assemble and compile than the rest of the page (about 3.5 of 7.5 ms, measured in-process at 1M rows).
    Plain SQL that SQLite and PostgreSQL both run; table names are the models' own, values are parameters.
    """
    proposal, proposer = Proposal._meta.db_table, Proposer._meta.db_table
    user, assignment = User._meta.db_table, Assignment._meta.db_table
    current = (
        f"FROM {assignment} a WHERE a.proposal_id = {proposal}.id "
        f"AND a.round = {proposal}.handling_round AND a.status <> %s"
    )
    returned = AssignmentStatus.RETURNED.value
    return {
        "lead_name": RawSQL(  # nosec B611
            f"SELECT COALESCE(NULLIF(u.full_name, ''), u.username) FROM {proposer} pr "  # nosec B608
            f"INNER JOIN {user} u ON u.id = pr.user_id WHERE pr.proposal_id = {proposal}.id AND pr.role = %s LIMIT 1",
            (ProposerRole.LEAD.value,),
        ),
        "first_unit_id": RawSQL(  # nosec B611
            f"SELECT a.unit_id {current} "  # nosec B608
            "ORDER BY CASE a.role WHEN %s THEN 0 WHEN %s THEN 1 ELSE 2 END, a.id LIMIT 1",
            (returned, AssignmentRole.LEAD.value, AssignmentRole.SEPARATE.value),
        ),
        "unit_count": RawSQL(f"SELECT COUNT(*) {current}", (returned,)),  # nosec B608, B611
    }


def _proposals(request, *, export: bool = False) -> ProposalFilterSet:
    # The lead proposer and the first unit come as subqueries of the page query itself: one query a page.
    base = Proposal.objects.visible_to(request.user)
    if export:
        base = (
            base.annotate(lead_name=_row_subqueries()["lead_name"])
            .select_related("session", "category", "supervisor")
            .defer(*_long_text_fields())
        )
    else:
        base = base.only(*PROPOSAL_LIST_FIELDS).annotate(**_row_subqueries())
    return ProposalFilterSet(request.GET, queryset=base, request=request, only_given=True)


def _detail_urls():
    """A format string for proposal detail URLs: reversed once per page, not once per row."""
    return reverse("portal:proposal_detail", args=[987654321]).replace("987654321", "{}")


def _decorate_proposals(rows: list) -> None:
    url = _detail_urls()
    sessions = reference.names("sessions", {row.session_id for row in rows})
    categories = reference.names("categories", {row.category_id for row in rows if row.category_id})
    units = reference.names("units", {row.first_unit_id for row in rows if row.first_unit_id})
    for row in rows:
        row.badge = PROPOSAL_STATUS_COLOURS.get(row.status, "grey")
        row.url = url.format(row.pk)
        row.session_name = sessions.get(row.session_id, "")
        row.category_name = categories.get(row.category_id, "")
        row.first_unit = units.get(row.first_unit_id, "")


@staff_only
def proposal_list(request):
    return _list_page(
        request,
        _proposals(request),
        template="dashboard/proposal_list.html",
        filters=PROPOSAL_FILTERS,
        more=PROPOSAL_MORE_FILTERS,
        decorate=_decorate_proposals,
        html=row_html.proposal_rows,
    )


# Assignments -------------------------------------------------------------------------------


def _assignments(request, *, export: bool = False) -> AssignmentFilterSet:
    base = Assignment.objects.visible_to(request.user)
    if export:
        base = base.select_related("proposal", "proposal__session", "unit").defer(
            *[f"proposal__{name}" for name in _long_text_fields()]
        )
    else:
        base = base.only(*ASSIGNMENT_LIST_FIELDS).annotate(
            proposal_number=F("proposal__number"),
            proposal_title=F("proposal__title"),
            session_id=F("proposal__session_id"),
        )
    return AssignmentFilterSet(request.GET, queryset=base, request=request, only_given=True)


def _decorate_assignments(rows: list, today=None) -> None:
    today = today or timezone.localdate()
    url = _detail_urls()
    for row in rows:
        row.url = url.format(row.proposal_id)
        row.badge = ASSIGNMENT_STATUS_COLOURS.get(row.status, "grey")
        row.days_overdue = (
            (today - row.reply_due).days
            if row.status in OPEN_ASSIGNMENT_STATUSES
            and row.role in REPLYING_ROLES
            and row.reply_due
            and row.reply_due < today
            else 0
        )


def _decorate_assignment_rows(rows: list) -> None:
    """A list page's rows: the export's decoration, and the names of sessions and units."""
    _decorate_assignments(rows)
    sessions = reference.names("sessions", {row.session_id for row in rows})
    units = reference.names("units", {row.unit_id for row in rows})
    for row in rows:
        row.session_name = sessions.get(row.session_id, "")
        row.unit_short_name = units.get(row.unit_id, "")


@staff_only
def assignment_list(request):
    return _list_page(
        request,
        _assignments(request),
        template="dashboard/assignment_list.html",
        filters=ASSIGNMENT_FILTERS,
        more=ASSIGNMENT_MORE_FILTERS,
        decorate=_decorate_assignment_rows,
        html=row_html.assignment_rows,
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
    """Each proposal's units of its current handling (returned ones left out): one query per export batch."""
    units: dict[int, list[str]] = defaultdict(list)
    rows = (
        Assignment.objects.filter(proposal_id__in=proposal_ids, round=F("proposal__handling_round"))
        .exclude(status=AssignmentStatus.RETURNED)
        .order_by("proposal_id", ROLE_ORDER, "pk")
        .values_list("proposal_id", "unit__name")
    )
    for proposal_id, name in rows:
        units[proposal_id].append(name)
    return units


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
