"""Leadership statistics: proposals by status and each unit's assignments.

Committee staff and leaders see everything; unit staff see their own unit
(through the same ``visible_to`` methods as every other page); members get
403. Every table is one aggregate query, so the page costs the same number
of queries whatever the data size.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from proposals.choices import PROPOSAL_STATUS_COLOURS, ProposalStatus
from proposals.models import Proposal, Session
from responses.choices import OPEN_ASSIGNMENT_STATUSES, AssignmentRole, AssignmentStatus
from responses.models import Assignment


def _status_row(counts: dict[str, int]) -> list[dict]:
    """One cell per status in the order of the choices, with its label, colour and count."""
    return [
        {
            "status": status.value,
            "label": status.label,
            "colour": PROPOSAL_STATUS_COLOURS[status],
            "count": counts.get(status.value, 0),
        }
        for status in ProposalStatus
    ]


def _selected_session(request, sessions: list[Session]) -> Session | None:
    wanted = request.GET.get("session", "")
    for session in sessions:
        if str(session.pk) == wanted:
            return session
    return next((s for s in sessions if s.is_current), sessions[0] if sessions else None)


@login_required
def index(request):
    user = request.user
    if not user.has_staff_role:
        raise PermissionDenied
    today = timezone.localdate()

    # Session.current() is "is_current, else the newest": computed from this one list, not another query.
    sessions = list(Session.objects.all())
    session = _selected_session(request, sessions)
    proposals = Proposal.objects.visible_to(user)

    # Proposals by session and status, all sessions in one GROUP BY.
    by_session: dict[int, dict[str, int]] = {}
    for row in proposals.order_by().values("session_id", "status").annotate(n=Count("pk")):
        by_session.setdefault(row["session_id"], {})[row["status"]] = row["n"]
    session_rows = [
        {"session": s, "cells": _status_row(by_session[s.pk]), "total": sum(by_session[s.pk].values())}
        for s in sessions
        if s.pk in by_session
    ]
    current_counts = by_session.get(session.pk, {}) if session else {}
    totals: dict[str, int] = {}
    for counts in by_session.values():
        for status, n in counts.items():
            totals[status] = totals.get(status, 0) + n

    # Assignments per unit for the selected session; returned ones were handed back and do not count.
    open_now = Q(status__in=OPEN_ASSIGNMENT_STATUSES)
    overdue = open_now & (
        Q(role=AssignmentRole.COHANDLING, opinion_due__lt=today)
        | (~Q(role=AssignmentRole.COHANDLING) & Q(reply_due__lt=today))
    )
    unit_rows = list(
        Assignment.objects.visible_to(user)
        .filter(proposal__session=session)
        .exclude(status=AssignmentStatus.RETURNED)
        .order_by()
        .values("unit_id", "unit__name")
        .annotate(
            assigned=Count("pk"),
            pending=Count("pk", filter=Q(status=AssignmentStatus.PENDING)),
            handling=Count("pk", filter=Q(status__in=[AssignmentStatus.HANDLING, AssignmentStatus.RETURN_REQUESTED])),
            replied=Count("pk", filter=Q(status__in=[AssignmentStatus.REPLIED, AssignmentStatus.OPINION_SENT])),
            overdue=Count("pk", filter=overdue),
        )
        .order_by("-overdue", "unit__name")
    )
    unit_totals = {
        key: sum(row[key] for row in unit_rows) for key in ("assigned", "pending", "handling", "replied", "overdue")
    }

    return render(
        request,
        "dashboard/index.html",
        {
            "sessions": sessions,
            "session": session,
            "scope_unit": user.unit if user.is_unit_staff else None,
            "current_cells": _status_row(current_counts),
            "current_total": sum(current_counts.values()),
            "session_rows": session_rows,
            "total_cells": _status_row(totals),
            "grand_total": sum(totals.values()),
            "unit_rows": unit_rows,
            "unit_totals": unit_totals,
            "today": today,
        },
    )
