"""The filtered lists behind the dashboard, and their Excel exports.

One FilterSet per model (``proposals.filters.ProposalFilterSet``,
``responses.filters.AssignmentFilterSet``) serves the list, the export and the
dashboard's drill-down links, over the rows ``visible_to`` the user. Lists use
keyset pagination (``dashboard.keyset``): one query per page at any depth.
Exports write exactly the filtered rows, read in primary-key batches and
streamed as they are written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import F
from django.db.models.functions import TruncDate
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from dashboard import keyset, xlsx
from dashboard.access import staff_only
from dashboard.controls import controls
from dashboard.options import reference
from proposals.choices import PROPOSAL_STATUS_COLOURS, ProposalStatus
from proposals.filters import ProposalFilterSet
from proposals.models import Proposal
from responses.choices import (
    ASSIGNMENT_STATUS_COLOURS,
    OPEN_ASSIGNMENT_STATUSES,
    REPLYING_ROLES,
    AssignmentRole,
    AssignmentStatus,
    ReplyStatus,
    Satisfaction,
)
from responses.filters import AssignmentFilterSet
from responses.models import Assignment, Feedback, Reply

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


def _filter_bar(
    filterset, reference, *, valid: bool, filters: list[str], more: list[str], base_query: str, export: str
):
    """What the filter bar (``dashboard/_filter_bar.html``) draws: its controls, with their options from
    the cached reference rows, and the export link."""
    folded = controls(filterset, more, reference.options)
    return {
        "controls": controls(filterset, filters, reference.options),
        "more_controls": folded,
        "more_open": any(c.active or c.errors for c in folded),
        "export_url": reverse(export) + (f"?{base_query}" if base_query else ""),
        "invalid": not valid,
    }


def _list_page(request, filterset, *, template: str, filters: list[str], more: list[str], rows, export: str):
    """A list page: the filter bar, one keyset page of rows as a table, and the links to other pages.

    Queries: the page's rows (one), the reference rows (none when cached, four otherwise), and one
    per model-choice filter given (the FilterSet's own validation): the same at any page size.
    """
    valid = filterset.is_valid()  # always bound (to an empty QueryDict at least)
    page = keyset.paginate(filterset.qs if valid else filterset.queryset.none(), request.GET)
    ref = reference()
    context = {
        "page": page,
        "rows": rows(page.rows, ref),
        "bar": _filter_bar(
            filterset, ref, valid=valid, filters=filters, more=more, base_query=page.base_query, export=export
        ),
    }
    return render(request, template, context, status=200 if valid else 400)


# Proposals ---------------------------------------------------------------------------------


def _long_text_fields() -> list[str]:
    """Columns the lists never show: long texts, not worth reading fifty of per page."""
    names = {field.name for field in Proposal._meta.get_fields()}
    return [name for name in ("background", "suggestions", "search_text") if name in names]


# The columns a list row shows: the proposal's own, and the list columns the services keep on it
# (lead_display, first_unit, unit_count). Names of sessions, categories and units come from the
# reference rows (dashboard.options), not from joins.
PROPOSAL_LIST_FIELDS = [
    "pk",
    "number",
    "title",
    "status",
    "is_key",
    "category_id",
    "collective_author",
    "session_id",
    "lead_display",
    "first_unit_id",
    "unit_count",
    "handling_round",
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
    "proposal__number",
    "proposal__title",
    "proposal__session_id",
    "round",
]


def _proposals(request, *, export: bool = False) -> ProposalFilterSet:
    base = Proposal.objects.visible_to(request.user)
    if export:
        base = base.select_related("session", "category", "supervisor").defer(*_long_text_fields())
    else:
        base = base.values_list(*PROPOSAL_LIST_FIELDS, named=True)
    return ProposalFilterSet(request.GET, queryset=base, request=request)


def _names(rows) -> dict[int, str]:
    return {row.pk: getattr(row, "short_name", "") or row.name for row in rows}


def _labels(choices) -> dict[str, str]:
    """A choices class's labels, translated once for the page rather than once per row."""
    return {value: str(label) for value, label in choices.choices}


def _detail_urls():
    """The proposal page's address for a primary key: reversed once per page, not once per row."""
    prefix, suffix = reverse("portal:proposal_detail", args=[0]).rsplit("0", 1)
    return lambda pk: f"{prefix}{pk}{suffix}"


def proposal_rows(rows: list, ref) -> list[dict]:
    """What each row of the proposal list shows (``dashboard/_proposal_table.html``)."""
    sessions, categories, units = _names(ref.sessions), _names(ref.categories), _names(ref.units)
    statuses, url = _labels(ProposalStatus), _detail_urls()
    return [
        {
            "pk": p.pk,
            "url": url(p.pk),
            "number": p.number,
            "title": p.title,
            "category": categories.get(p.category_id, "") if p.category_id else "",
            "is_key": p.is_key,
            "lead": p.lead_display or p.collective_author,
            "session": sessions.get(p.session_id, ""),
            "unit": units.get(p.first_unit_id, "") if p.first_unit_id else "",
            "more_units": max((p.unit_count or 0) - 1, 0),
            "status": statuses.get(p.status, p.status),
            "badge": PROPOSAL_STATUS_COLOURS.get(p.status, "grey"),
            # Handled again after a proposer was dissatisfied (重新办理): round 2 and later.
            "round": p.handling_round if p.handling_round > 1 else None,
        }
        for p in rows
    ]


@staff_only
def proposal_list(request):
    return _list_page(
        request,
        _proposals(request),
        template="dashboard/proposal_list.html",
        filters=PROPOSAL_FILTERS,
        more=PROPOSAL_MORE_FILTERS,
        rows=proposal_rows,
        export="dashboard:proposals_export",
    )


# Assignments -------------------------------------------------------------------------------


def _assignments(request, *, export: bool = False) -> AssignmentFilterSet:
    base = Assignment.objects.visible_to(request.user)
    if export:
        base = base.select_related("proposal", "proposal__session", "unit").defer(
            *[f"proposal__{name}" for name in _long_text_fields()]
        )
    else:
        # Local dates computed by the database: cheaper than converting fifty datetimes in Python.
        base = base.annotate(replied_on=TruncDate("replied_at")).values_list(*ASSIGNMENT_LIST_FIELDS, named=True)
    return AssignmentFilterSet(request.GET, queryset=base, request=request)


def days_overdue(status: str, role: str, reply_due: dt.date | None, today: dt.date) -> int:
    """Days an open lead or separate assignment is past its reply due date (0 if it is not)."""
    if status in OPEN_ASSIGNMENT_STATUSES and role in REPLYING_ROLES and reply_due and reply_due < today:
        return (today - reply_due).days
    return 0


def assignment_rows(rows: list, ref) -> list[dict]:
    """What each row of the assignment list shows (``dashboard/_assignment_table.html``)."""
    sessions, units = _names(ref.sessions), _names(ref.units)
    roles, statuses, url = _labels(AssignmentRole), _labels(AssignmentStatus), _detail_urls()
    today = timezone.localdate()
    return [
        {
            "pk": a.pk,
            "url": url(a.proposal_id),
            "proposal_id": a.proposal_id,
            "number": a.proposal__number,
            "title": a.proposal__title,
            "session": sessions.get(a.proposal__session_id, ""),
            "unit": units.get(a.unit_id, ""),
            "role": roles.get(a.role, a.role),
            "status": statuses.get(a.status, a.status),
            "badge": ASSIGNMENT_STATUS_COLOURS.get(a.status, "grey"),
            "days_overdue": days_overdue(a.status, a.role, a.reply_due, today),
            "assigned_on": a.assigned_on,
            "reply_due": a.reply_due,
            "replied_on": a.replied_on,
            "round": a.round if a.round > 1 else None,
        }
        for a in rows
    ]


def _decorate_assignments(rows: list) -> None:
    """The export's rows: how many days each is overdue today."""
    today = timezone.localdate()
    for row in rows:
        row.days_overdue = days_overdue(row.status, row.role, row.reply_due, today)


@staff_only
def assignment_list(request):
    return _list_page(
        request,
        _assignments(request),
        template="dashboard/assignment_list.html",
        filters=ASSIGNMENT_FILTERS,
        more=ASSIGNMENT_MORE_FILTERS,
        rows=assignment_rows,
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
    unit, then separate units, then co-handling units: ``AssignmentRole.in_order``): one query per batch."""
    units: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = (
        Assignment.objects.live()
        .filter(proposal_id__in=proposal_ids)
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


def _replies_of(proposal_ids: list[int]) -> dict[int, dict]:
    """Each proposal's sent replies of its current round (follow-ups aside): their categories, the date of
    the last one, and the proposers' ratings of the result, counted by rating: two queries per batch."""
    found: dict[int, dict] = defaultdict(lambda: {"categories": [], "sent": None, "results": defaultdict(int)})
    replies = (
        Reply.objects.filter(
            assignment__proposal_id__in=proposal_ids,
            round=F("assignment__proposal__handling_round"),
            is_followup=False,
            status=ReplyStatus.SENT,
        )
        .order_by("assignment__proposal_id", "sent_at", "pk")
        .values_list("assignment__proposal_id", "category__code", "sent_at")
    )
    for proposal_id, code, sent_at in replies:
        entry = found[proposal_id]
        if code and code not in entry["categories"]:
            entry["categories"].append(code)
        entry["sent"] = sent_at
    ratings = (
        Feedback.objects.filter(
            reply__assignment__proposal_id__in=proposal_ids,
            reply__round=F("reply__assignment__proposal__handling_round"),
        )
        .order_by()
        .values_list("reply__assignment__proposal_id", "result")
    )
    for proposal_id, result in ratings:
        found[proposal_id]["results"][result] += 1
    return found


def _satisfaction(results: dict[str, int]) -> str:
    """The result ratings as "满意 2、基本满意 1", in the choices' order."""
    labels = _labels(Satisfaction)
    return "、".join(f"{labels[value]} {results[value]}" for value in labels if results.get(value))


def _decorate_export(rows: list) -> None:
    ids = [row.pk for row in rows]
    units = _units_of(ids)
    replies = _replies_of(ids)
    for row in rows:
        row.unit_names = units.get(row.pk, [])
        reply = replies.get(row.pk)
        row.reply_categories = "、".join(reply["categories"]) if reply else ""
        row.reply_sent = timezone.localdate(reply["sent"]) if reply and reply["sent"] else None
        row.satisfaction = _satisfaction(reply["results"]) if reply else ""


def _proposal_rows(filterset) -> Iterator[tuple]:
    yes = _("Yes")  # looked up now: the rows are written after the view has returned
    for p in _batches(filterset.qs, _decorate_export):
        yield (
            p.number,
            p.session.name,
            p.title,
            p.lead_display or p.collective_author,
            p.category.name if p.category else "",
            p.get_kind_display(),
            p.get_status_display(),
            yes if p.is_key else "",
            p.supervisor.display_name if p.supervisor else "",
            "、".join(p.unit_names),
            _local(p.submitted_at),
            _local(p.accepted_at),
            p.handling_round,
            p.reply_categories,
            p.reply_sent,
            p.satisfaction,
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
        _("Handling round"),
        _("Reply category"),
        _("Reply date"),
        _("Satisfaction with the result"),
    ]
    widths = [12, 14, 50, 12, 12, 8, 10, 8, 10, 30, 18, 18, 8, 10, 12, 24]
    chunks = xlsx.stream_xlsx(_("Proposals"), headers, _proposal_rows(filterset), widths)
    name = _("Proposals")  # outside the f-string, where makemessages finds it
    return _xlsx_response(f"{name}-{timezone.localdate():%Y%m%d}.xlsx", chunks)


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
            a.assigned_on,
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
    name = _("Assignments")  # outside the f-string, where makemessages finds it
    return _xlsx_response(f"{name}-{timezone.localdate():%Y%m%d}.xlsx", chunks)
