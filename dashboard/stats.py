"""The dashboard's figures, for a session (or all sessions) and a user's scope, from the live tables.

``from_live_tables`` computes everything the overview shows as numbers with a few
grouped queries through ``visible_to(user)``: unit staff count their unit's work,
oversight users everything. The overview keeps the result in the shared cache
(``dashboard.views``) under the data's version, so it is computed again only after
the data changed. "Overdue now" depends on the day, so it takes ``today``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from proposals.choices import ProposalStatus
from proposals.models import Proposal
from responses.choices import (
    OPEN_ASSIGNMENT_STATUSES,
    REPLYING_ROLES,
    AssignmentRole,
    AssignmentStatus,
    ReplyStatus,
    Satisfaction,
)
from responses.models import Assignment, Feedback, Reply

LEVELS = [Satisfaction.SATISFIED.value, Satisfaction.BASICALLY.value, Satisfaction.DISSATISFIED.value]
OPEN = {str(s) for s in OPEN_ASSIGNMENT_STATUSES}
REPLYING = {str(r) for r in REPLYING_ROLES}
RETURNED = AssignmentStatus.RETURNED.value
REJECTED = ProposalStatus.REJECTED.value
SUPERSEDED = AssignmentStatus.SUPERSEDED.value
REPLIED = AssignmentStatus.REPLIED.value
COHANDLING = AssignmentRole.COHANDLING.value
OPINION_SENT = AssignmentStatus.OPINION_SENT.value


@dataclass
class UnitFigures:
    """One unit's handling figures; reply figures count lead and separate assignments (the ones that reply)."""

    assigned: int = 0  # every role, returned ones excluded
    owed: int = 0  # lead and separate, returned excluded
    replied: int = 0
    on_time: int = 0
    overdue: int = 0  # open and past the reply due date, today
    cohandling: int = 0
    opinions: int = 0  # co-handling opinions sent
    days_sum: int = 0
    days_n: int = 0
    attitude: Counter = field(default_factory=Counter)
    result: Counter = field(default_factory=Counter)
    reply_categories: Counter = field(default_factory=Counter)  # category id (0: none) -> sent replies

    @property
    def open(self) -> int:
        return self.owed - self.replied

    @property
    def average_days(self) -> float | None:
        return round(self.days_sum / self.days_n, 1) if self.days_n else None

    def add_assignments(self, role: str, status: str, n: int) -> None:
        if status in (RETURNED, SUPERSEDED):  # handed back, or replaced by a later round: not this unit's work
            return
        self.assigned += n
        if role in REPLYING:
            self.owed += n
            if status == REPLIED:
                self.replied += n
        elif role == COHANDLING:
            self.cohandling += n
            if status == OPINION_SENT:
                self.opinions += n


@dataclass
class Figures:
    """Everything the dashboard shows as numbers."""

    proposals: Counter = field(default_factory=Counter)  # (category id or 0, status) -> proposals
    converted: int = 0  # proposals not accepted and converted to opinions (意见建议)
    key_proposals: Counter = field(default_factory=Counter)  # status -> key proposals
    units: dict[int, UnitFigures] = field(default_factory=dict)
    weeks: dict[str, Counter] = field(default_factory=dict)  # Monday ISO -> {"due", "replied", "on_time"}
    first_overdue: dt.date | None = None  # the earliest reply due date among overdue assignments

    def unit(self, unit_id: int) -> UnitFigures:
        if unit_id not in self.units:
            self.units[unit_id] = UnitFigures()
        return self.units[unit_id]

    def week(self, monday: str) -> Counter:
        if monday not in self.weeks:
            self.weeks[monday] = Counter()
        return self.weeks[monday]

    @property
    def by_status(self) -> Counter:
        counts: Counter = Counter()
        for (_category, status), n in self.proposals.items():
            counts[status] += n
        return counts

    @property
    def by_category(self) -> dict[int, Counter]:
        counts: dict[int, Counter] = defaultdict(Counter)
        for (category, status), n in self.proposals.items():
            counts[category][status] += n
        return dict(counts)

    @property
    def total(self) -> int:
        return sum(self.proposals.values())

    def comparable(self) -> dict:
        """Plain data without zero entries, for comparing two Figures in tests."""

        def clean(counter) -> dict:
            return {key: value for key, value in counter.items() if value}

        units = {}
        for unit_id, unit in self.units.items():
            data = {
                name: getattr(unit, name)
                for name in (
                    "assigned",
                    "owed",
                    "replied",
                    "on_time",
                    "overdue",
                    "cohandling",
                    "opinions",
                    "days_sum",
                    "days_n",
                )
            }
            data.update(
                attitude=clean(unit.attitude), result=clean(unit.result), reply_categories=clean(unit.reply_categories)
            )
            if any(data.values()):
                units[unit_id] = data
        weeks = {week: clean(counts) for week, counts in self.weeks.items() if clean(counts)}
        return {
            "proposals": clean(self.proposals),
            "key_proposals": clean(self.key_proposals),
            "converted": self.converted,
            "units": units,
            "weeks": weeks,
        }


def week_of(day: dt.date) -> str:
    """The Monday of ``day``'s week (ISO), the key of the weekly figures."""
    return (day - dt.timedelta(days=day.weekday())).isoformat()


def from_live_tables(user, *, session_id: int | None, today: dt.date | None = None) -> Figures:
    """The figures of what ``user`` may see (``visible_to``), for one session or all (``session_id`` None)."""
    today = today or timezone.localdate()
    figures = Figures()
    proposals = Proposal.objects.visible_to(user).order_by()
    assignments = Assignment.objects.visible_to(user).order_by()
    if session_id is not None:
        proposals = proposals.filter(session_id=session_id)
        assignments = assignments.filter(proposal__session_id=session_id)
    for category, status, converted, n in proposals.values_list(
        "category_id", "status", "converted_to_suggestion"
    ).annotate(n=Count("pk")):
        figures.proposals[(category or 0, status)] += n
        if converted and status == REJECTED:  # 不予立案, kept as an opinion (responses.models.Suggestion)
            figures.converted += n
    for status, n in proposals.filter(is_key=True).values_list("status").annotate(n=Count("pk")):
        figures.key_proposals[status] += n

    replying = Q(role__in=REPLYING) & ~Q(status=RETURNED)
    for unit, role, status, n in assignments.values_list("unit_id", "role", "status").annotate(n=Count("pk")):
        figures.unit(unit).add_assignments(role, status, n)
    for unit, n, first in (
        assignments.filter(replying, status__in=OPEN, reply_due__lt=today)
        .values_list("unit_id")
        .annotate(n=Count("pk"), first=Min("reply_due"))
    ):
        figures.unit(unit).overdue += n
        if figures.first_overdue is None or first < figures.first_overdue:
            figures.first_overdue = first
    # Weeks, on-time replies and days to reply, grouped by the database (local dates: Asia/Shanghai).
    for due, n in (
        assignments.filter(replying, reply_due__isnull=False).values_list("reply_due").annotate(n=Count("pk"))
    ):
        figures.week(week_of(due))["due"] += n
    replied = assignments.filter(replying, status=REPLIED, replied_at__isnull=False).annotate(
        replied_on=TruncDate("replied_at")
    )
    on_time = Q(reply_due__isnull=False, reply_due__gte=F("replied_on"))
    for day, n, in_time in replied.values_list("replied_on").annotate(
        n=Count("pk"), in_time=Count("pk", filter=on_time)
    ):
        week = figures.week(week_of(day))
        week["replied"] += n
        week["on_time"] += in_time
    days = ExpressionWrapper(F("replied_on") - F("assigned_on"), output_field=DurationField())
    dated = Q(assigned_on__isnull=False)
    for unit, in_time, days_n, days_sum in replied.values_list("unit_id").annotate(
        in_time=Count("pk", filter=on_time),
        days_n=Count("pk", filter=dated),
        days_sum=Sum(days, filter=dated),
    ):
        row = figures.unit(unit)
        row.on_time += in_time
        row.days_n += days_n
        row.days_sum += days_sum.days if days_sum else 0

    visible = assignments.filter(replying).values("pk")
    for unit, category, n in (
        Reply.objects.filter(assignment__in=visible, status=ReplyStatus.SENT, is_followup=False)
        .order_by()
        .values_list("assignment__unit_id", "category_id")
        .annotate(n=Count("pk"))
    ):
        figures.unit(unit).reply_categories[category or 0] += n
    for unit, attitude, result, n in (
        Feedback.objects.filter(reply__assignment__in=visible)
        .order_by()
        .values_list("reply__assignment__unit_id", "attitude", "result")
        .annotate(n=Count("pk"))
    ):
        if attitude in LEVELS:
            figures.unit(unit).attitude[attitude] += n
        if result in LEVELS:
            figures.unit(unit).result[result] += n
    return figures
