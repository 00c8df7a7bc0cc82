"""The dashboard's figures, for a session (or all sessions) and a scope (everything, or one unit).

Two implementations of the same ``Figures``:

- ``from_summary`` reads the counters (``dashboard.models.Stat``) in one query
  of a few hundred rows: what the pages use, at any data size;
- ``from_live_tables`` computes the same figures with aggregates over the
  live tables, independently of the counters: the tests compare the two after
  every kind of workflow step, and ``manage.py refresh_dashboard --check`` can.

"Overdue now" depends on the day, so both take ``today``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, F, Min, Q, Sum, Value, When
from django.utils import timezone

from dashboard.models import Stat
from dashboard.summary import LEVELS, OPEN, REPLIED, REPLYING, RETURNED, week_of
from proposals.models import Proposal
from responses.choices import AssignmentRole, AssignmentStatus, ReplyStatus
from responses.models import Assignment, Feedback, Reply

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
        if status == RETURNED:
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
            "units": units,
            "weeks": weeks,
        }


def _split(key: str) -> tuple[str, str]:
    first, _sep, second = key.partition(":")
    return first, second


SCOPE_METRICS = ["pc", "pk", "wd", "wr", "wo"]  # read at the scope's unit key (0: everything)
UNIT_METRICS = ["as", "ot", "rn", "rd", "rc", "fa", "fr", "od"]  # read per unit
WEEK_FIGURES = {"wd": "due", "wr": "replied", "wo": "on_time"}


def from_summary(*, session_id: int | None, unit_id: int | None, today: dt.date | None = None) -> Figures:
    """The figures from the counters, in one query of a few hundred rows. ``session_id`` None: all
    sessions; ``unit_id`` None: the whole committee, else what that unit's staff see."""
    today = today or timezone.localdate()
    figures = Figures()
    stats = Stat.objects.order_by().exclude(value=0)
    if session_id is not None:
        stats = stats.filter(session_id=session_id)
    units = Q(unit_key=unit_id) if unit_id else Q(unit_key__gt=0)
    # Open assignments are counted by due date; only "before today" (overdue) matters here,
    # so the database folds the dates into two keys.
    key = Case(
        When(metric="od", key__lt=today.isoformat(), then=Value("overdue")),
        When(metric="od", then=Value("later")),
        default=F("key"),
        output_field=CharField(),
    )
    rows = (
        stats.filter(Q(unit_key=unit_id or 0, metric__in=SCOPE_METRICS) | (units & Q(metric__in=UNIT_METRICS)))
        .annotate(k=key)
        .values_list("metric", "unit_key", "k")
        .annotate(n=Sum("value"), first=Min("key"))
    )
    for metric, unit, key, n, first in rows:
        if metric == "pc":
            category, status = _split(key)
            figures.proposals[(int(category), status)] += n
        elif metric == "pk":
            figures.key_proposals[key] += n
        elif metric in WEEK_FIGURES:
            figures.week(key)[WEEK_FIGURES[metric]] += n
        elif metric == "as":
            role, status = _split(key)
            figures.unit(unit).add_assignments(role, status, n)
        elif metric == "od":
            if key == "overdue":
                figures.unit(unit).overdue += n
                first_due = dt.date.fromisoformat(first)
                if figures.first_overdue is None or first_due < figures.first_overdue:
                    figures.first_overdue = first_due
        elif metric == "ot":
            figures.unit(unit).on_time += n
        elif metric == "rn":
            figures.unit(unit).days_n += n
        elif metric == "rd":
            figures.unit(unit).days_sum += n
        elif metric == "rc":
            figures.unit(unit).reply_categories[int(key)] += n
        elif metric == "fa":
            figures.unit(unit).attitude[key] += n
        elif metric == "fr":
            figures.unit(unit).result[key] += n
    return figures


def from_live_tables(user, *, session_id: int | None, today: dt.date | None = None) -> Figures:
    """The same figures computed from the live tables through ``visible_to(user)`` (slow at scale)."""
    today = today or timezone.localdate()
    figures = Figures()
    proposals = Proposal.objects.visible_to(user).order_by()
    assignments = Assignment.objects.visible_to(user).order_by()
    if session_id is not None:
        proposals = proposals.filter(session_id=session_id)
        assignments = assignments.filter(proposal__session_id=session_id)
    for category, status, n in proposals.values_list("category_id", "status").annotate(n=Count("pk")):
        figures.proposals[(category or 0, status)] += n
    for status, n in proposals.filter(is_key=True).values_list("status").annotate(n=Count("pk")):
        figures.key_proposals[status] += n

    replying = Q(role__in=REPLYING) & ~Q(status=RETURNED)
    for unit, role, status, n in assignments.values_list("unit_id", "role", "status").annotate(n=Count("pk")):
        figures.unit(unit).add_assignments(role, status, n)
    for unit, n in (
        assignments.filter(replying, status__in=OPEN, reply_due__lt=today)
        .values_list("unit_id")
        .annotate(n=Count("pk"))
    ):
        figures.unit(unit).overdue += n
    for unit, due, assigned_at, replied_at, status in assignments.filter(replying).values_list(
        "unit_id", "reply_due", "assigned_at", "replied_at", "status"
    ):
        if due:
            figures.week(week_of(due))["due"] += 1
        if status != REPLIED or not replied_at:
            continue
        replied_on = timezone.localdate(replied_at)
        week = figures.week(week_of(replied_on))
        week["replied"] += 1
        row = figures.unit(unit)
        if assigned_at:
            row.days_n += 1
            row.days_sum += (replied_on - timezone.localdate(assigned_at)).days
        if due and replied_on <= due:
            row.on_time += 1
            week["on_time"] += 1

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
