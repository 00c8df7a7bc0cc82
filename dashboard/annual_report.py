"""The draft of a session's annual report (年度提案办理情况报告), built from the dashboard's own figures.

``build_report`` turns the dashboard's overview of a session (``dashboard.views.overview``: the
same cached data the page draws, for the same day) into the report's parts: a title, sections of
sentences, tables and charts. The print view (templates/jinja2/dashboard/report.html) and the
.docx writer (``dashboard.report_docx``) only lay these parts out, so the document, its print view
and the dashboard cannot tell different figures. The charts are the dashboard's chart data drawn
as images (``dashboard.report_charts``).

The report is a document of the committee, so it is written in the site's language (Chinese),
whoever builds it; the clerk edits the .docx into the final text.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dashboard import report_charts
from proposals.choices import ProposalStatus, SatisfactionRule
from proposals.models import Proposal, Session
from proposals.notifications import site_language
from responses.choices import Satisfaction
from responses.letters import chinese_date

NUMERALS = "一二三四五六七八九十"
# The proposals accepted (立案), whatever has happened to them since.
ACCEPTED = (ProposalStatus.ACCEPTED, ProposalStatus.ASSIGNED, ProposalStatus.REPLIED, ProposalStatus.CLOSED)
# The dashboard's charts the report shows, in its order, with the section each belongs to.
CHARTS = (("intake", "status"), ("replies", "reply_categories"), ("replies", "units"), ("satisfaction", "satisfaction"))


@dataclass(frozen=True)
class Text:
    text: str
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    key: str
    header: list[str]
    rows: list[list[str]]
    total: list[str] = field(default_factory=list)  # a last row, set apart
    left: tuple[int, ...] = (0,)  # the columns of names and titles, set to the left; figures are centred
    weights: tuple[float, ...] = ()  # relative column widths (equal when empty)
    kind: str = "table"


@dataclass(frozen=True)
class Chart:
    key: str
    caption: str
    png: bytes
    kind: str = "chart"

    @property
    def data_uri(self) -> str:
        """The image inline in the print view (the site's CSP allows data: images)."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Section:
    key: str
    heading: str
    blocks: list[Text | Table | Chart] = field(default_factory=list)

    def text(self, value: str) -> None:
        self.blocks.append(Text(value))


@dataclass
class Report:
    """Everything the report shows, in reading order."""

    title: str
    subtitle: str
    opening: str
    sections: list[Section]
    date: str
    filename: str
    chart_note: str = ""  # why the charts are missing, when they are


def _percent(part: int, whole: int) -> str:
    """As the dashboard writes its rates (``dashboard.pages``): one decimal, "—" without a whole."""
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _heading(index: int, text: str) -> str:
    return f"{NUMERALS[index]}、{text}"


def build_report(session: Session, overview: dict, key_rows: list[Proposal], *, today: dt.date) -> Report:
    """The report of ``session`` from the dashboard's ``overview`` of it (computed for ``today``) and its
    key proposals (``dashboard.views.key_proposals``, all of them)."""
    with site_language():
        return _Builder(session, overview, key_rows, today).build()


class _Builder:
    """Builds the sections one by one from the overview, then puts each chart at the end of its section."""

    def __init__(self, session: Session, overview: dict, key_rows: list[Proposal], today: dt.date) -> None:
        self.session = session
        self.o = overview
        self.key_rows = key_rows
        self.today = today
        self.date = chinese_date(today)
        self.font = report_charts.cjk_font()
        self.chart_number = 0

    def build(self) -> Report:
        name = self.session.full_name or self.session.name
        counts = {card["status"]: card["count"] for card in self.o["status_cards"]}
        sections = [
            self.intake(counts),
            self.handling(),
            self.replies(),
            self.satisfaction(),
            self.overdue(),
            self.unit_table(),
            self.next_steps(),
        ]
        for index, section in enumerate(sections):
            section.heading = _heading(index, section.heading)
        self.add_charts({section.key: section for section in sections})
        return Report(
            title=_("Report on the handling of the proposals of the %(session)s") % {"session": name},
            subtitle=_("(Draft, with the figures as of %(date)s)") % {"date": self.date},
            opening=_(
                "At the %(session)s, %(received)d proposals were received. The handling of the proposals "
                "as of %(date)s is reported as follows:"
            )
            % {"session": name, "received": self.o["total_proposals"], "date": self.date},
            sections=sections,
            date=self.date,
            filename=pgettext("file name", "%(session)s annual report draft.docx") % {"session": self.session.name},
            chart_note=""
            if self.font
            else _(
                "The charts are left out: no font with Chinese characters is installed on the server "
                "(fonts-noto-cjk or fonts-wqy-microhei). Install one and build the report again."
            ),
        )

    # 一、 Proposals received and accepted ---------------------------------------------------------

    def intake(self, counts: dict[str, int]) -> Section:
        section = Section("intake", pgettext("annual report", "Proposals received and accepted"))
        values = {
            "received": self.o["total_proposals"],
            "accepted": sum(counts.get(status, 0) for status in ACCEPTED),
            "merged": counts.get(ProposalStatus.MERGED, 0),
            "rejected": counts.get(ProposalStatus.REJECTED, 0),
            "converted": self.o["converted"],
            "withdrawn": counts.get(ProposalStatus.WITHDRAWN, 0),
            "pending": counts.get(ProposalStatus.SUBMITTED, 0),
        }
        section.text(
            _(
                "%(received)d proposals were received. After review, %(accepted)d were accepted, %(merged)d "
                "merged into others and %(rejected)d not accepted (of which %(converted)d were converted to "
                "opinions); %(withdrawn)d were withdrawn and %(pending)d await review."
            )
            % values
        )
        rows = self.o["category_rows"]
        if rows:
            section.text(_("By category:"))
            section.blocks.append(
                Table(
                    "categories",
                    [_("Category"), _("Total"), _("Accepted and being handled"), _("Replied or closed")],
                    [[row["name"], str(row["total"]), str(row["handling"]), str(row["answered"])] for row in rows],
                    weights=(3, 1, 2, 2),
                )
            )
        return section

    # 二、 Handling units and key proposals -------------------------------------------------------

    def handling(self) -> Section:
        section = Section("handling", pgettext("annual report", "Handling units and key proposals"))
        total = self.o["unit_total"]["figures"]
        values = {
            "units": len(self.o["unit_rows"]),
            "assigned": total.assigned,
            "owed": total.owed,
            "cohandling": total.cohandling,
            "opinions": total.opinions,
        }
        section.text(
            _(
                "The accepted proposals were assigned to %(units)d units, %(assigned)d assignments in all: "
                "%(owed)d to lead or separate units, which reply, and %(cohandling)d to co-handling units, "
                "which have sent %(opinions)d opinions."
            )
            % values
        )
        if not self.key_rows:
            section.text(_("No key proposals were chosen for this session."))
            return section
        section.text(_("%(n)d key proposals (重点提案) are supervised by leaders:") % {"n": self.o["key_total"]})
        overdue = _("Overdue")
        section.blocks.append(
            Table(
                "key",
                [
                    pgettext("annual report", "No."),
                    _("Proposal"),
                    _("Supervising leader"),
                    _("Lead unit"),
                    _("Status"),
                ],
                [
                    [
                        row.number or "—",
                        row.title,
                        row.supervisor.display_name if row.supervisor_id else "—",
                        row.lead_unit or "—",
                        str(row.get_status_display()) + ("，" + overdue if row.is_overdue else ""),
                    ]
                    for row in self.key_rows
                ],
                left=(1, 3),
                weights=(2, 4.6, 1.6, 3.2, 1.8),
            )
        )
        return section

    # 三、 Replies --------------------------------------------------------------------------------

    def replies(self) -> Section:
        section = Section("replies", pgettext("annual report", "Replies"))
        row = self.o["unit_total"]
        total = row["figures"]
        values = {
            "owed": total.owed,
            "replied": total.replied,
            "open": total.open,
            "on_time": total.on_time,
            "rate": row["on_time_rate"],
            "days": _days(total.average_days),
        }
        if total.replied:
            section.text(
                _(
                    "Of %(owed)d assignments that owe a reply, %(replied)d have been replied to and %(open)d are "
                    "still being handled; %(on_time)d replies were sent on time, an on-time rate of %(rate)s. "
                    "A reply took %(days)s days on average."
                )
                % values
            )
        else:
            section.text(_("Of %(owed)d assignments that owe a reply, none has been replied to yet.") % values)
        sent = dict(row["category_cells"])
        names = {category.code: category.name for category in self.o["reply_categories"]}
        replies = sum(total.reply_categories.values())
        if not replies:
            section.text(_("No reply letter has been sent yet."))
            return section
        parts = [
            _("%(code)s (%(name)s): %(n)d, %(share)s")
            % {"code": code, "name": names.get(code, ""), "n": n, "share": _percent(n, replies)}
            for code, n in sent.items()
        ]
        if total.reply_categories.get(0):
            n = total.reply_categories[0]
            parts.append(_("no category: %(n)d") % {"n": n})
        section.text(_("Of the %(n)d reply letters sent: %(parts)s.") % {"n": replies, "parts": "；".join(parts)})
        return section

    # 四、 Satisfaction ---------------------------------------------------------------------------

    def satisfaction(self) -> Section:
        section = Section("satisfaction", pgettext("annual report", "Satisfaction"))
        row = self.o["unit_total"]
        total = row["figures"]
        result, attitude = total.result, total.attitude
        rule = self.o["satisfaction_rule"]
        values = {
            "n": sum(result.values()),
            "satisfied": result.get(Satisfaction.SATISFIED.value, 0),
            "basically": result.get(Satisfaction.BASICALLY.value, 0),
            "dissatisfied": result.get(Satisfaction.DISSATISFIED.value, 0),
            "m": sum(attitude.values()),
            "a_satisfied": attitude.get(Satisfaction.SATISFIED.value, 0),
            "a_basically": attitude.get(Satisfaction.BASICALLY.value, 0),
            "a_dissatisfied": attitude.get(Satisfaction.DISSATISFIED.value, 0),
            "rule": str(SatisfactionRule(rule).label),
            "rate": row["satisfied_rate"],
        }
        if not values["n"] and not values["m"]:
            section.text(_("No proposer has rated a reply yet."))
            return section
        section.text(
            _(
                "Proposers rated the result of %(n)d replies: %(satisfied)d satisfied, %(basically)d basically "
                "satisfied, %(dissatisfied)d dissatisfied; and the handling attitude of %(m)d: %(a_satisfied)d "
                "satisfied, %(a_basically)d basically satisfied, %(a_dissatisfied)d dissatisfied. Under the "
                "session's rule (%(rule)s), the satisfaction rate of the results is %(rate)s."
            )
            % values
        )
        return section

    # 五、 Overdue replies ------------------------------------------------------------------------

    def overdue(self) -> Section:
        section = Section("overdue", pgettext("annual report", "Overdue replies"))
        late = [row for row in self.o["unit_rows"] if row["figures"].overdue]
        if not late:
            section.text(_("As of %(date)s, no reply is overdue.") % {"date": self.date})
            return section
        section.text(
            _("As of %(date)s, %(units)d units have %(n)d assignments past their reply due date:")
            % {"date": self.date, "units": len(late), "n": sum(row["figures"].overdue for row in late)}
        )
        section.blocks.append(
            Table(
                "overdue_units",
                [
                    pgettext("annual report", "Handling unit"),
                    pgettext("annual report", "Overdue"),
                    pgettext("annual report", "Not yet replied"),
                ],
                [[row["name"], str(row["figures"].overdue), str(row["figures"].open)] for row in late],
                weights=(4, 1.5, 1.5),
            )
        )
        rows = self.o["overdue_rows"]
        if rows:
            section.text(_("The assignments longest overdue:"))
            section.blocks.append(
                Table(
                    "overdue_rows",
                    [pgettext("annual report", "No."), _("Proposal"), _("Unit"), _("Reply due"), _("Days overdue")],
                    [
                        [
                            a.proposal.number or "—",
                            a.proposal.title,
                            a.unit.name,
                            a.reply_due.isoformat(),
                            str(a.days_overdue),
                        ]
                        for a in rows
                    ],
                    left=(1, 2),
                    weights=(2, 4.4, 3, 2.4, 1.6),
                )
            )
        return section

    # 六、 Handling by unit -----------------------------------------------------------------------

    def unit_table(self) -> Section:
        section = Section("units", pgettext("annual report", "Handling by unit"))
        header = [
            pgettext("annual report", "Handling unit"),
            pgettext("annual report", "Assigned"),
            _("Replied"),
            _("Replied on time"),
            pgettext("annual report", "Overdue"),
            _("Average days to reply"),
            pgettext("annual report", "Results satisfied"),
        ]

        def cells(row: dict, name: str) -> list[str]:
            f = row["figures"]
            numbers = [f.assigned, f.replied, f.on_time, f.overdue]
            return [name, *map(str, numbers), _days(f.average_days), row["satisfied_rate"]]

        rows = self.o["unit_rows"]
        if not rows:
            section.text(_("No proposal of this session has been assigned yet."))
            return section
        section.text(_("Each unit's figures (assignments; replies count lead and separate units):"))
        section.blocks.append(
            Table(
                "units",
                header,
                [cells(row, row["name"]) for row in rows],
                total=cells(self.o["unit_total"], _("Total")) if len(rows) > 1 else [],
                weights=(4, 1, 1, 1, 1, 1.3, 1.3),
            )
        )
        return section

    # 七、 Next steps -----------------------------------------------------------------------------

    def next_steps(self) -> Section:
        section = Section("next", pgettext("annual report", "Next steps"))
        section.text(_("(The drafter writes the next steps here.)"))
        return section

    # Charts --------------------------------------------------------------------------------------

    def add_charts(self, sections: dict[str, Section]) -> None:
        """The dashboard's charts as images, each at the end of its section, numbered in reading order."""
        if not self.font:
            return
        captions = {
            "status": pgettext("annual report chart", "Proposals by status"),
            "reply_categories": pgettext("annual report chart", "Reply letters by category"),
            "units": pgettext("annual report chart", "Replies by handling unit"),
            "satisfaction": pgettext("annual report chart", "Satisfaction of proposers"),
        }
        for section_key, chart_key in CHARTS:
            png = report_charts.draw(self.o["charts"][chart_key], self.font)
            if png is None:
                continue
            self.chart_number += 1
            caption = _("Figure %(n)d  %(title)s") % {"n": self.chart_number, "title": captions[chart_key]}
            sections[section_key].blocks.append(Chart(chart_key, caption, png))
