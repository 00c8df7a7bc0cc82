"""What the dashboard page shows, built from ``Figures``: cards, tables, charts and their drill-down links.

Every number links to the filtered list behind it, with the same filters the
shared FilterSets understand, so a click shows exactly the rows counted
(charts count replies and ratings; their lists show the assignments behind them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from dashboard.stats import Figures, UnitFigures
from proposals.choices import PROPOSAL_STATUS_COLOURS, SUBMITTED_STATUSES, ProposalStatus, SatisfactionRule
from responses.choices import AssignmentRole, AssignmentStatus, Satisfaction

HANDLING = [ProposalStatus.ACCEPTED, ProposalStatus.ASSIGNED]
ANSWERED = [ProposalStatus.REPLIED, ProposalStatus.CLOSED]
REPLYING = [AssignmentRole.LEAD.value, AssignmentRole.SEPARATE.value]
NOT_RETURNED = [s.value for s in AssignmentStatus if s != AssignmentStatus.RETURNED]
OPEN = [AssignmentStatus.PENDING.value, AssignmentStatus.HANDLING.value, AssignmentStatus.RETURN_REQUESTED.value]

# Chart colours: calm official tones, the red of the site for what is late.
GREEN, TEAL, BLUE, AMBER, RED, GREY, INDIGO = (
    "#2f855a",
    "#2c7a7b",
    "#3b6fb6",
    "#d69e2e",
    "#c53030",
    "#a0aec0",
    "#5a67d8",
)
DEFAULT_SATISFIED = SatisfactionRule.levels(SatisfactionRule.SATISFIED_OR_BASICALLY)
LEVEL_COLOURS = {Satisfaction.SATISFIED: GREEN, Satisfaction.BASICALLY: AMBER, Satisfaction.DISSATISFIED: RED}
CATEGORY_COLOURS = [GREEN, BLUE, AMBER, GREY, INDIGO, TEAL]
WEEKS_BACK, WEEKS_AHEAD = 20, 8  # the weekly chart: twenty weeks back and eight ahead


@dataclass
class Links:
    """Builds drill-down URLs for one session (or all) and one scope."""

    session_id: int | None
    proposals_url: str = field(default_factory=lambda: reverse("dashboard:proposals"))
    assignments_url: str = field(default_factory=lambda: reverse("dashboard:assignments"))

    def _url(self, base: str, params: list[tuple[str, str]]) -> str:
        # Values are ids, choice values, ISO dates and "true"/"false": nothing to quote. Built by
        # hand because a dashboard has a few hundred links and urlencode is the slow part of it.
        if self.session_id is not None:
            params = [("session", str(self.session_id)), *params]
        return base + "?" + "&".join(f"{name}={value}" for name, value in params) if params else base

    def proposals(self, **filters) -> str:
        return self._url(self.proposals_url, _pairs(filters))

    def assignments(self, **filters) -> str:
        return self._url(self.assignments_url, _pairs(filters))


def _pairs(filters: dict) -> list[tuple[str, object]]:
    pairs = []
    for name, value in filters.items():
        values = value if isinstance(value, list | tuple) else [value]
        pairs += [(name, str(v)) for v in values]
    return pairs


def _percent(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def status_cards(figures: Figures, links: Links) -> list[dict]:
    counts = figures.by_status
    return [
        {
            "status": status.value,
            "label": str(status.label),
            "colour": PROPOSAL_STATUS_COLOURS[status],
            "count": counts.get(status.value, 0),
            "url": links.proposals(status=status.value),
        }
        for status in SUBMITTED_STATUSES
    ]


def unit_rows(
    figures: Figures, units: dict, links: Links, reply_categories: list, satisfied: tuple[str, ...] = DEFAULT_SATISFIED
) -> list[dict]:
    rows = []
    for unit_id, unit in figures.units.items():
        if not unit.assigned:
            continue
        item = units.get(unit_id)
        row = _unit_row(unit_id, item.name if item else str(unit_id), unit, links, reply_categories, satisfied)
        row["short_name"] = (item.short_name or item.name) if item else str(unit_id)
        rows.append(row)
    rows.sort(key=lambda row: (-row["figures"].overdue, -row["figures"].owed, row["name"]))
    return rows


def satisfied_rate(result: dict, satisfied: tuple[str, ...]) -> str:
    """办理结果满意率: the results rated with one of the ``satisfied`` levels (the session's rule) among all."""
    return _percent(sum(result.get(level, 0) for level in satisfied), sum(result.values()))


def _unit_row(
    unit_id: int,
    name: str,
    unit: UnitFigures,
    links: Links,
    reply_categories: list,
    satisfied: tuple[str, ...] = DEFAULT_SATISFIED,
) -> dict:
    """One unit's line: its figures, rates and drill-down URLs."""
    return {
        "unit_id": unit_id,
        "name": name,
        "figures": unit,
        "category_cells": [(c.code, unit.reply_categories.get(c.pk, 0)) for c in reply_categories],
        # (data-key, count): attitude then result, each by satisfaction level.
        "rating_cells": [
            (f"{kind}_{level.value}", counts.get(level.value, 0))
            for kind, counts in (("attitude", unit.attitude), ("result", unit.result))
            for level in Satisfaction
        ],
        "on_time_rate": _percent(unit.on_time, unit.replied),
        "satisfied_rate": satisfied_rate(unit.result, satisfied),
        "urls": {
            "assigned": links.assignments(unit=unit_id, status=NOT_RETURNED),
            "replied": links.assignments(unit=unit_id, role=REPLYING, status=AssignmentStatus.REPLIED.value),
            "on_time": links.assignments(unit=unit_id, on_time="true"),
            "overdue": links.assignments(unit=unit_id, overdue="true"),
            "open": links.assignments(unit=unit_id, role=REPLYING, status=OPEN),
        },
    }


def total_row(
    figures: Figures, links: Links, reply_categories: list, satisfied: tuple[str, ...] = DEFAULT_SATISFIED
) -> dict:
    total = UnitFigures()
    for unit in figures.units.values():
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
        ):
            setattr(total, name, getattr(total, name) + getattr(unit, name))
        total.attitude.update(unit.attitude)
        total.result.update(unit.result)
        total.reply_categories.update(unit.reply_categories)
    row = _unit_row(0, _("Total"), total, links, reply_categories, satisfied)
    row["urls"] = {
        "assigned": links.assignments(status=NOT_RETURNED),
        "replied": links.assignments(role=REPLYING, status=AssignmentStatus.REPLIED.value),
        "on_time": links.assignments(on_time="true"),
        "overdue": links.assignments(overdue="true"),
        "open": links.assignments(role=REPLYING, status=OPEN),
    }
    return row


def category_rows(figures: Figures, categories: list, links: Links) -> list[dict]:
    by_category = figures.by_category
    names = {c.pk: c.name for c in categories}
    rows = []
    for category_id in [c.pk for c in categories] + [0]:
        counts = by_category.get(category_id)
        if not counts:
            continue
        handling = sum(counts.get(s, 0) for s in HANDLING)
        answered = sum(counts.get(s, 0) for s in ANSWERED)
        total = sum(counts.values())
        url = links.proposals(category=category_id) if category_id else ""
        rows.append(
            {
                "category_id": category_id,
                "name": names.get(category_id, _("No category")),
                "total": total,
                "handling": handling,
                "answered": answered,
                "other": total - handling - answered,
                "url": url,
                "handling_url": links.proposals(category=category_id, status=HANDLING) if category_id else "",
                "answered_url": links.proposals(category=category_id, status=ANSWERED) if category_id else "",
            }
        )
    return rows


def week_rows(figures: Figures, today: dt.date, links: Links) -> list[dict]:
    """Weeks with anything due or replied, from twenty weeks back to eight ahead, oldest first,
    with running totals since the first week of the session."""
    weeks = sorted(figures.weeks)
    this_monday = today - dt.timedelta(days=today.weekday())
    first = (this_monday - dt.timedelta(weeks=WEEKS_BACK)).isoformat()
    last = (this_monday + dt.timedelta(weeks=WEEKS_AHEAD)).isoformat()
    due_total = replied_total = 0
    rows = []
    for week in weeks:
        counts = figures.weeks[week]
        due_total += counts.get("due", 0)
        replied_total += counts.get("replied", 0)
        if not first <= week <= last:
            continue
        monday = dt.date.fromisoformat(week)
        sunday = (monday + dt.timedelta(days=6)).isoformat()
        rows.append(
            {
                "week": week,
                "label": f"{monday:%m-%d}",
                "due": counts.get("due", 0),
                "replied": counts.get("replied", 0),
                "on_time": counts.get("on_time", 0),
                "due_total": due_total,
                "replied_total": replied_total,
                "due_url": links.assignments(
                    role=REPLYING, status=NOT_RETURNED, reply_due_after=week, reply_due_before=sunday
                ),
                "replied_url": links.assignments(
                    role=REPLYING, status=AssignmentStatus.REPLIED.value, replied_after=week, replied_before=sunday
                ),
            }
        )
    return rows


def charts(
    *,
    figures: Figures,
    cards: list[dict],
    units: list[dict],
    categories: list[dict],
    weeks: list[dict],
    reply_categories: list,
    links: Links,
    total: dict,
) -> dict:
    """Chart.js data for static/js/dashboard.js: labels, datasets and one URL per bar."""
    shown_units = sorted(units, key=lambda r: (-r["figures"].owed, r["name"]))[:15]
    satisfaction_levels = list(Satisfaction)
    totals = total["figures"]
    reply_counts = totals.reply_categories
    reply_labels = [(c.pk, f"{c.code} {c.name}") for c in reply_categories if reply_counts.get(c.pk)]
    if reply_counts.get(0):
        reply_labels.append((0, _("No category")))
    return {
        "status": {
            "type": "bar",
            "labels": [c["label"] for c in cards],
            "datasets": [
                {
                    "label": _("Proposals"),
                    "data": [c["count"] for c in cards],
                    "colour": [_css_colour(c["colour"]) for c in cards],
                    "urls": [c["url"] for c in cards],
                }
            ],
        },
        "units": {
            "type": "bar",
            "horizontal": True,
            "stacked": True,
            "labels": [r["short_name"] for r in shown_units],
            "datasets": [
                {
                    "label": _("Replied on time"),
                    "data": [r["figures"].on_time for r in shown_units],
                    "colour": GREEN,
                    "urls": [r["urls"]["on_time"] for r in shown_units],
                },
                {
                    "label": _("Replied late"),
                    "data": [r["figures"].replied - r["figures"].on_time for r in shown_units],
                    "colour": AMBER,
                    "urls": [links.assignments(unit=r["unit_id"], on_time="false") for r in shown_units],
                },
                {
                    "label": _("Open, not yet due"),
                    "data": [r["figures"].open - r["figures"].overdue for r in shown_units],
                    "colour": BLUE,
                    "urls": [links.assignments(unit=r["unit_id"], overdue="false", status=OPEN) for r in shown_units],
                },
                {
                    "label": _("Overdue now"),
                    "data": [r["figures"].overdue for r in shown_units],
                    "colour": RED,
                    "urls": [r["urls"]["overdue"] for r in shown_units],
                },
            ],
        },
        "categories": {
            "type": "bar",
            "stacked": True,
            "labels": [r["name"] for r in categories],
            "datasets": [
                {
                    "label": _("Accepted and being handled"),
                    "data": [r["handling"] for r in categories],
                    "colour": BLUE,
                    "urls": [r["handling_url"] for r in categories],
                },
                {
                    "label": _("Replied or closed"),
                    "data": [r["answered"] for r in categories],
                    "colour": GREEN,
                    "urls": [r["answered_url"] for r in categories],
                },
                {
                    "label": _("Other"),
                    "data": [r["other"] for r in categories],
                    "colour": GREY,
                    "urls": [r["url"] for r in categories],
                },
            ],
        },
        "satisfaction": {
            "type": "bar",
            "horizontal": True,
            "stacked": True,
            "labels": [_("handling attitude"), _("handling result")],
            "datasets": [
                {
                    "label": str(level.label),
                    "data": [totals.attitude.get(level.value, 0), totals.result.get(level.value, 0)],
                    "colour": LEVEL_COLOURS[level],
                    "urls": [links.assignments(attitude=level.value), links.assignments(result=level.value)],
                }
                for level in satisfaction_levels
            ],
        },
        "reply_categories": {
            "type": "doughnut",
            "labels": [label for _pk, label in reply_labels],
            "datasets": [
                {
                    "label": _("Replies"),
                    "data": [reply_counts.get(pk, 0) for pk, _label in reply_labels],
                    "colour": [CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i in range(len(reply_labels))],
                    "urls": [links.assignments(reply_category=pk) if pk else "" for pk, _label in reply_labels],
                }
            ],
        },
        "weeks": {
            "type": "bar",
            "labels": [w["label"] for w in weeks],
            "datasets": [
                {
                    "label": _("Due that week"),
                    "data": [w["due"] for w in weeks],
                    "colour": GREY,
                    "urls": [w["due_url"] for w in weeks],
                },
                {
                    "label": _("Replied that week"),
                    "data": [w["replied"] for w in weeks],
                    "colour": GREEN,
                    "urls": [w["replied_url"] for w in weeks],
                },
                {
                    "label": _("Of which on time"),
                    "data": [w["on_time"] for w in weeks],
                    "colour": TEAL,
                    "type": "line",
                    "urls": [w["replied_url"] for w in weeks],
                },
            ],
        },
    }


def _css_colour(name: str) -> str:
    return {"grey": GREY, "blue": BLUE, "indigo": INDIGO, "amber": AMBER, "green": GREEN, "teal": TEAL}.get(
        name, {"red": RED, "purple": "#805ad5"}.get(name, GREY)
    )
