"""Due dates on China's official working-day calendar (DESIGN.md section 4).

The ``chinesecalendar`` package holds the State Council's holiday and 调休
schedule for the years it knows; the admin-editable ``Holiday`` table adds
years the package lacks and overrides single days. A date in a year that
neither knows is computed on plain weekdays and marked provisional, to be
recomputed (``responses.recompute``: the admin's holiday calendar, or ``manage.py recompute_deadlines``)
once the year's schedule is entered and marked published.

Every due date carries a short explanation, stored with it, in the site's
default language (not the language of whoever happened to trigger it).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

import chinese_calendar
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class DueDate:
    """A computed due date with its human-readable explanation."""

    date: dt.date
    note: str
    provisional: bool = False


@dataclass
class WorkCalendar:
    """Answers "is this a working day?" using overrides loaded once, then the package.

    ``overrides`` maps a date to (is_working_day, name). Load it with
    ``WorkCalendar.load()``; tests may pass a dict directly.
    """

    overrides: dict[dt.date, tuple[bool, str]] = field(default_factory=dict)
    published_years: frozenset[int] = frozenset()

    @classmethod
    def load(cls) -> WorkCalendar:
        from responses.models import CalendarYear, Holiday

        rows = Holiday.objects.values_list("date", "is_working_day", "name")
        published = CalendarYear.objects.filter(published=True).values_list("year", flat=True)
        return cls({day: (working, name) for day, working, name in rows}, frozenset(published))

    def known(self, day: dt.date) -> bool:
        """Whether the year's official schedule is known: the package has it, or staff marked the year's
        schedule published. Days entered in the holiday table alone do not make a year known (one
        day entered is not the year's schedule)."""
        return day.year in self.published_years or _package_knows(day.year)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day][0]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            return day.weekday() < 5

    def day_name(self, day: dt.date) -> str:
        """The holiday's Chinese name, or the weekday, for explanations."""
        if day in self.overrides and self.overrides[day][1]:
            return self.overrides[day][1]
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            on_holiday, name = False, None
        if on_holiday and name:
            return _chinese_holiday_name(name)
        return _("weekend") if day.weekday() >= 5 else _("working day")

    def next_working_day(self, day: dt.date) -> dt.date:
        """The day itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The date ``count`` working days after ``start`` (``start`` itself not counted)."""
        day = start
        remaining = count
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def span_provisional(self, start: dt.date, end: dt.date) -> bool:
        return any(not self.known(dt.date(year, 1, 1)) for year in range(start.year, end.year + 1))


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _chinese_holiday_name(english: str) -> str:
    for holiday in chinese_calendar.Holiday:
        if holiday.value == english:
            return holiday.chinese
    return english


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _months_due(cal: WorkCalendar, start: dt.date, months: int, label: str) -> DueDate:
    base = add_months(start, months)
    due = cal.next_working_day(base)
    provisional = cal.span_provisional(start, due)
    if due == base:
        note = _("%(label)s: %(start)s + %(months)d months = %(due)s (a working day).") % {
            "label": label,
            "start": start.isoformat(),
            "months": months,
            "due": due.isoformat(),
        }
    else:
        note = _(
            "%(label)s: %(start)s + %(months)d months = %(base)s (%(why)s), moved to the next working day %(due)s."
        ) % {
            "label": label,
            "start": start.isoformat(),
            "months": months,
            "base": base.isoformat(),
            "why": cal.day_name(base),
            "due": due.isoformat(),
        }
    if provisional:
        note += " " + _("Provisional: the official holiday calendar for this year is not yet published.")
    return DueDate(due, note, provisional)


def _workdays_due(cal: WorkCalendar, start: dt.date, workdays: int, label: str) -> DueDate:
    due = cal.add_working_days(start, workdays)
    skipped = (due - start).days - workdays
    provisional = cal.span_provisional(start, due)
    values = {"label": label, "count": workdays, "start": start.isoformat(), "due": due.isoformat(), "skipped": skipped}
    if skipped:
        note = (
            _(
                "%(label)s: %(count)d working days after %(start)s = %(due)s (%(skipped)d weekend or holiday days skipped)."
            )
            % values
        )
    else:
        note = _("%(label)s: %(count)d working days after %(start)s = %(due)s.") % values
    if provisional:
        note += " " + _("Provisional: the official holiday calendar for this year is not yet published.")
    return DueDate(due, note, provisional)


def _site_due(rule, count: int, start: dt.date, cal: WorkCalendar | None, label) -> DueDate:
    """One due date by ``rule`` (months or working days), explained in the site's language."""
    cal = cal or WorkCalendar.load()
    with translation.override(settings.LANGUAGE_CODE):
        return rule(cal, start, count, str(label))


def reply_due(session, start: dt.date, cal: WorkCalendar | None = None) -> DueDate:
    return _site_due(_months_due, session.reply_months, start, cal, gettext_lazy("Reply due"))


def reply_cap(session, start: dt.date, cal: WorkCalendar | None = None) -> DueDate:
    return _site_due(_months_due, session.reply_cap_months, start, cal, gettext_lazy("Latest date with extensions"))


def opinion_due(session, start: dt.date, cal: WorkCalendar | None = None) -> DueDate:
    return _site_due(_months_due, session.opinion_months, start, cal, gettext_lazy("Co-handling opinion due"))


def return_window_ends(session, start: dt.date, cal: WorkCalendar | None = None) -> DueDate:
    return _site_due(_workdays_due, session.return_window_workdays, start, cal, gettext_lazy("Return window"))


def contact_due(session, start: dt.date, cal: WorkCalendar | None = None) -> DueDate:
    label = gettext_lazy("Contact with the proposer expected")
    return _site_due(_workdays_due, session.contact_workdays, start, cal, label)


def feedback_window_ends(session, sent_on: dt.date, cal: WorkCalendar | None = None) -> DueDate:
    return _site_due(_workdays_due, session.feedback_workdays, sent_on, cal, gettext_lazy("Feedback window"))


def publication_due(session, sent_on: dt.date, cal: WorkCalendar | None = None) -> DueDate:
    return _site_due(_workdays_due, session.publication_workdays, sent_on, cal, gettext_lazy("Publication due"))


def assignment_deadlines(session, assigned_on: dt.date, *, with_opinion: bool, cal: WorkCalendar | None = None) -> dict:
    """All due-date fields of an Assignment assigned on ``assigned_on``, ready for ``Assignment(**fields)``."""
    cal = cal or WorkCalendar.load()
    reply = reply_due(session, assigned_on, cal)
    cap = reply_cap(session, assigned_on, cal)
    window = return_window_ends(session, assigned_on, cal)
    contact = contact_due(session, assigned_on, cal)
    fields = {
        "reply_due": reply.date,
        "reply_due_note": reply.note,
        "reply_due_provisional": reply.provisional,
        "original_reply_due": reply.date,
        "reply_cap": cap.date,
        "reply_cap_note": cap.note,
        "return_window_ends": window.date,
        "return_window_note": window.note,
        "contact_due": contact.date,
        "contact_due_note": contact.note,
        "opinion_due": None,
        "opinion_due_note": "",
    }
    provisional = [reply, cap, window, contact]
    if with_opinion:
        opinion = opinion_due(session, assigned_on, cal)
        fields["opinion_due"] = opinion.date
        fields["opinion_due_note"] = opinion.note
        provisional.append(opinion)
    fields["deadlines_provisional"] = any(d.provisional for d in provisional)
    return fields


def recompute_provisional(cal: WorkCalendar | None = None) -> list[tuple[int, dict]]:
    """Recompute the due dates of open assignments against the calendar as it stands now (see
    ``responses.recompute``); returns (assignment id, changed fields). Kept for the command and callers."""
    from responses.recompute import apply, plan

    changes = plan(cal)
    apply(changes, actor=None)
    return [(change.assignment.pk, change.diff) for change in changes]
