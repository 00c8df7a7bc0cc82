"""The leadership dashboard (领导驾驶舱) and a trivial page for measuring the cost of the stack.

Leadership and committee staff see everything; unit staff see the same page
limited to their unit; members get 403. Everything the overview shows (figures,
charts, key proposals, the most overdue assignments) is computed from the live
tables through ``visible_to`` (``dashboard.stats.from_live_tables`` and two
bounded queries), and kept, as data, in the shared cache under a key that carries all it
depends on: the data's versions (bumped by every workflow event and by a change
of the reference rows), the session, the user's visibility scope, the language
and the day. The page says when its figures were computed.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from dashboard import pages, stats
from dashboard.access import scope_key, scope_unit_id, staff_only
from dashboard.options import reference
from proposals import cache_versions
from proposals.choices import PROPOSAL_STATUS_COLOURS, SatisfactionRule
from proposals.models import Proposal, Session
from responses.choices import OPEN_ASSIGNMENT_STATUSES, REPLYING_ROLES
from responses.models import Assignment

ALL = "all"
# The data's versions in the key make a change show at once; the timeout bounds how long an edit
# that writes no workflow event (a proposal changed in the admin) takes to show.
TIMEOUT = 300
KEY_ROWS = 12
OVERDUE_ROWS = 10
# What the overdue table shows: the proposals' long texts stay in the database.
OVERDUE_FIELDS = [
    "pk",
    "proposal_id",
    "unit_id",
    "role",
    "status",
    "reply_due",
    "proposal__number",
    "proposal__title",
    "unit__name",
    "unit__short_name",
]


def _choose_session(request, sessions: list[Session]) -> Session | None:
    """The session asked for, else the current one (as ``Session.current`` has it); None for all sessions."""
    wanted = request.GET.get("session", "")
    if wanted == ALL:
        return None
    for session in sessions:
        if str(session.pk) == wanted:
            return session
    return next((s for s in sessions if s.is_current), sessions[0] if sessions else None)


def key_proposals(user, session: Session | None, today, *, limit: int | None = KEY_ROWS) -> list[Proposal]:
    """The newest key proposals in scope, with their supervisor, state, lead unit and whether overdue
    (``limit`` of them; all with None, for the annual report)."""
    replying = Assignment.objects.live(OuterRef("pk"), OuterRef("handling_round")).filter(role__in=REPLYING_ROLES)
    rows = Proposal.objects.visible_to(user).filter(is_key=True)
    if session is not None:
        rows = rows.filter(session=session)
    rows = list(
        rows.select_related("supervisor")
        .only("pk", "number", "title", "status", "handling_round", "supervisor")
        .annotate(
            lead_unit=Subquery(replying.order_by("role", "pk").values("unit__name")[:1]),
            is_overdue=Exists(replying.filter(status__in=OPEN_ASSIGNMENT_STATUSES, reply_due__lt=today)),
        )
        .order_by("-pk")[:limit]
    )
    for row in rows:
        row.badge = PROPOSAL_STATUS_COLOURS.get(row.status, "grey")
    return rows


def _most_overdue(user, session: Session | None, today, first_due) -> list[Assignment]:
    """The open lead/separate assignments longest past their reply due date.

    Bounded at any size: the figures give the earliest overdue due date in scope
    (``first_due``), and each open status is read along the (status, reply_due)
    index from there, ten rows at most; on PostgreSQL the three reads are one
    UNION query. Rows sharing a due date are equally overdue; which of them fill
    the last places is not specified.
    """
    if first_due is None:
        return []
    base = (
        Assignment.objects.visible_to(user)
        .filter(role__in=REPLYING_ROLES, reply_due__gte=first_due, reply_due__lt=today)
        .select_related("proposal", "unit")
        .only(*OVERDUE_FIELDS)
    )
    if session is not None:
        base = base.filter(proposal__session=session)
    parts = [base.filter(status=status).order_by("reply_due")[:OVERDUE_ROWS] for status in OPEN_ASSIGNMENT_STATUSES]
    if connection.features.supports_slicing_ordering_in_compound:
        rows = list(parts[0].union(*parts[1:], all=True))
    else:
        rows = list(base.filter(status__in=OPEN_ASSIGNMENT_STATUSES).order_by("reply_due", "pk")[:OVERDUE_ROWS])
    rows = sorted(rows, key=lambda row: (row.reply_due, row.pk))[:OVERDUE_ROWS]
    for row in rows:
        row.days_overdue = (today - row.reply_due).days
    return rows


@staff_only
def index(request):
    ref = reference()
    session = _choose_session(request, ref.sessions)
    all_sessions = session is None and request.GET.get("session") == ALL
    return render(request, "dashboard/index.html", overview(request.user, session, all_sessions=all_sessions, ref=ref))


def overview(user, session: Session | None, *, all_sessions: bool = False, ref=None, today=None) -> dict:
    """Everything the overview shows for ``user`` and ``session`` (None: all sessions), as plain data.

    Kept in the shared cache under everything it depends on: computing the figures is the costly
    part; a page is drawn from them each time. The annual report (``dashboard.annual_report``) reads
    its figures from here too, so the two always agree.
    """
    today = today or timezone.localdate()
    ref = ref or reference()
    key = ":".join(
        [
            "dashboard:overview",
            str(cache_versions.version(cache_versions.PROPOSALS)),
            str(cache_versions.version(cache_versions.REFERENCE)),
            str(session.pk) if session else ALL,
            scope_key(user),  # never shared by users whom visible_to shows different rows
            get_language(),
            today.isoformat(),  # "overdue" changes at midnight
        ]
    )
    return cache_versions.get_or_compute(
        key, lambda: _overview(user, ref, session, all_sessions, scope_unit_id(user), today), TIMEOUT
    )


def _overview(user, ref, session, all_sessions, unit_id, today) -> dict:
    """Everything the overview shows, for one scope, session and day: plain data, kept in the cache."""
    session_id = session.pk if session else None
    figures = stats.from_live_tables(user, session_id=session_id, today=today)
    units = {unit.pk: unit for unit in ref.units}  # public inside the system (Unit.visible_to)
    categories = ref.categories
    reply_categories = ref.reply_categories

    links = pages.Links(session_id)
    cards = pages.status_cards(figures, links)
    # The satisfaction rule of the session shown; across all sessions, the current session's.
    rule_session = session or next((s for s in ref.sessions if s.is_current), None)
    rule = rule_session.satisfaction_rule if rule_session else SatisfactionRule.SATISFIED_OR_BASICALLY
    satisfied = SatisfactionRule.levels(rule)
    unit_rows = pages.unit_rows(figures, units, links, reply_categories, satisfied)
    total = pages.total_row(figures, links, reply_categories, satisfied)
    category_rows = pages.category_rows(figures, categories, links)
    week_rows = pages.week_rows(figures, today, links)
    return {
        "computed_at": timezone.now(),
        "sessions": ref.sessions,
        "session": session,
        "all_sessions": all_sessions,
        "scope_unit": units.get(unit_id) if unit_id else None,
        "today": today,
        "figures": figures,
        "total_proposals": figures.total,
        "total_url": links.proposals(),
        "converted": figures.converted,
        "status_cards": cards,
        "unit_rows": unit_rows,
        "unit_total": total,
        "satisfaction_rule": rule,
        "category_rows": category_rows,
        "week_rows": week_rows,
        "weeks_due": sum(row["due"] for row in week_rows),
        "weeks_replied": sum(row["replied"] for row in week_rows),
        "reply_categories": reply_categories,
        "key_total": sum(figures.key_proposals.values()),
        "key_url": links.proposals(is_key="true"),
        "key_rows": key_proposals(user, session, today),
        "overdue_rows": _most_overdue(user, session, today, figures.first_overdue),
        "overdue_url": links.assignments(overdue="true"),
        "charts": pages.charts(
            figures=figures,
            cards=cards,
            units=unit_rows,
            categories=category_rows,
            weeks=week_rows,
            reply_categories=reply_categories,
            links=links,
            total=total,
        ),
    }


@never_cache
@staff_only
def ping(request):
    """A few bytes behind the same sign-in as every page: the floor of the benchmark (the stack's own cost)."""
    return HttpResponse(b"ok\n", content_type="text/plain")
