"""Recomputing due dates when the holiday calendar changes (a new year's schedule, a correction).

``plan`` works out, without saving, every date of every open assignment that would change; the admin
shows that list and ``apply`` saves it after the staff member confirms, one ``Event`` per assignment on
the proposal's timeline. The rules:

- each date counts from the assignment's own date (``assigned_on``), never from the day of the click;
- a window that had already closed (return window, contact expected by) stays closed: reopening a
  window the unit was told had ended would let it ask for a return weeks late;
- an extended reply date (the committee's decision) is kept, but re-checked: if the new calendar makes
  it a holiday it moves to the next working day, never past the recomputed cap;
- a date stays provisional while its year's schedule is not marked published.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from proposals.choices import EventVerb
from proposals.workflow import record_event
from responses.deadlines import WorkCalendar, assignment_deadlines
from responses.models import Assignment

# The dates a change is shown and recorded by, in the order the preview lists them.
DATE_FIELDS = ("reply_due", "reply_cap", "opinion_due", "return_window_ends", "contact_due")
# Windows that, once closed, stay closed whatever the new calendar says (date field -> its note field).
CLOSING_WINDOWS = {"return_window_ends": "return_window_note", "contact_due": "contact_due_note"}


@dataclass
class Change:
    """What recomputing would do to one assignment: the new field values and the dates that move."""

    assignment: Assignment
    fields: dict
    diff: dict  # field name -> [old, new] as ISO strings (the dates and the provisional flag)


def _candidates(today: dt.date):
    # Open assignments whose dates may still matter: provisional ones, and any with a date still ahead.
    return (
        Assignment.objects.open()
        .filter(Q(deadlines_provisional=True) | Q(reply_cap__gte=today) | Q(reply_due__gte=today))
        .select_related("proposal__session", "unit")
        .order_by("reply_due", "pk")
    )


def _recheck_extension(assignment: Assignment, fields: dict, cal: WorkCalendar) -> None:
    """Keep an approved extension's date, moved off a holiday and within the recomputed cap."""
    extended = assignment.reply_due
    due = cal.next_working_day(extended)
    if fields["reply_cap"] and due > fields["reply_cap"]:
        due = fields["reply_cap"]
    fields["original_reply_due"] = fields["reply_due"]
    fields["reply_due"] = due
    fields["reply_due_provisional"] = cal.span_provisional(due, due)
    if due == extended:
        fields["reply_due_note"] = assignment.reply_due_note
    else:
        fields["reply_due_note"] = _(
            "Extended date %(old)s (%(why)s) moved to the next working day %(new)s when the calendar changed."
        ) % {"old": extended.isoformat(), "why": cal.day_name(extended), "new": due.isoformat()}


def _proposed(assignment: Assignment, cal: WorkCalendar, today: dt.date) -> dict:
    fields = assignment_deadlines(
        assignment.proposal.session, assignment.assigned_on, with_opinion=assignment.opinion_due is not None, cal=cal
    )
    if assignment.original_reply_due and assignment.reply_due != assignment.original_reply_due:
        _recheck_extension(assignment, fields, cal)
    for name, note in CLOSING_WINDOWS.items():
        old = getattr(assignment, name)
        if old is not None and old < today and fields[name] != old:
            fields[name], fields[note] = old, getattr(assignment, note)
    dates = [fields[name] for name in DATE_FIELDS if fields.get(name)]
    fields["deadlines_provisional"] = any(cal.span_provisional(day, day) for day in dates)
    return fields


def plan(cal: WorkCalendar | None = None, today: dt.date | None = None) -> list[Change]:
    """Every open assignment whose dates (or provisional flag) the calendar as it stands would change."""
    cal = cal or WorkCalendar.load()
    today = today or timezone.localdate()
    changes = []
    with translation.override(settings.LANGUAGE_CODE):
        for assignment in _candidates(today).iterator(chunk_size=500):
            fields = _proposed(assignment, cal, today)
            diff = {
                name: [str(getattr(assignment, name)), str(fields[name])]
                for name in (*DATE_FIELDS, "deadlines_provisional")
                if getattr(assignment, name) != fields[name]
            }
            if diff:
                changes.append(Change(assignment, fields, diff))
    return changes


def apply(changes: list[Change], *, actor: User | None) -> int:
    """Save the planned changes, each with its event on the proposal's timeline; returns how many."""
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        for change in changes:
            a = change.assignment
            Assignment.objects.filter(pk=a.pk).update(**change.fields)
            moved = "; ".join(f"{name} {old} → {new}" for name, (old, new) in change.diff.items())
            record_event(
                a.proposal,
                actor,
                EventVerb.DEADLINE_RECOMPUTED,
                obj=a,
                note=_("Due dates recomputed after a calendar change (%(unit)s): %(moved)s.")
                % {"unit": a.unit.name, "moved": moved},
                data={"changes": change.diff, "reply_due_note": change.fields["reply_due_note"]},
            )
    return len(changes)
