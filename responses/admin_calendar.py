"""The holiday calendar in the admin: a year's official schedule entered at once, and recomputing due dates.

- ``schedule/``: the official notice's holiday ranges and make-up working days (调休) for one year, in
  one form, shown as a day-by-day preview before they replace that year's entries; the year becomes
  final (its dates no longer provisional) only when "schedule published" is ticked.
- ``recompute/``: every date of every open assignment that the calendar as it stands would change,
  shown first; saved (each change on its proposal's timeline) only when staff confirm.

Committee staff only. The work is done by ``responses.recompute``; these views parse and redirect.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin_base import RoleScopedAdmin
from proposals.admin_common import committee_only, render_page, textarea
from responses import recompute
from responses.models import CalendarYear, Holiday


def _parse_day(text: str, year: int) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise forms.ValidationError(_("“%(text)s” is not a date like 2027-01-01.") % {"text": text}) from None
    if day.year != year:
        raise forms.ValidationError(_("%(date)s is not in %(year)d.") % {"date": day.isoformat(), "year": year})
    return day


class ScheduleForm(forms.Form):
    """One year's notice: holiday ranges (name, first day, last day) and make-up working days."""

    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000, max_value=2100)
    notice = forms.CharField(
        label=gettext_lazy("official notice"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For example 国务院办公厅关于2027年部分节假日安排的通知"),
    )
    holidays = forms.CharField(
        label=gettext_lazy("holidays"),
        widget=textarea(8),
        help_text=gettext_lazy(
            "One line per holiday: its name, first day and last day, e.g. 春节 2027-02-06 2027-02-13"
        ),
    )
    working_days = forms.CharField(
        label=gettext_lazy("make-up working days (调休)"),
        widget=textarea(4),
        required=False,
        help_text=gettext_lazy("One line per weekend day that becomes a working day, e.g. 2027-02-20 春节调休"),
    )
    published = forms.BooleanField(
        label=gettext_lazy("This is the whole official schedule: mark the year published"),
        required=False,
        help_text=gettext_lazy("Until then the year's due dates stay provisional."),
    )

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        if year is None or self.errors:
            return cleaned
        days: dict[dt.date, tuple[bool, str]] = {}
        problems = []
        for line in cleaned.get("holidays", "").splitlines():
            parts = line.split()
            if not parts:
                continue
            try:
                if len(parts) not in (2, 3):
                    raise forms.ValidationError(
                        _("“%(line)s”: write a name, a first day and a last day.") % {"line": line.strip()}
                    )
                first = _parse_day(parts[1], year)
                last = _parse_day(parts[2], year) if len(parts) == 3 else first
                if last < first:
                    raise forms.ValidationError(
                        _("“%(line)s”: the last day is before the first.") % {"line": line.strip()}
                    )
                day = first
                while day <= last:
                    days[day] = (False, parts[0])
                    day += dt.timedelta(days=1)
            except forms.ValidationError as exc:
                problems.extend(exc.messages)
        for line in cleaned.get("working_days", "").splitlines():
            parts = line.split(maxsplit=1)
            if not parts:
                continue
            try:
                day = _parse_day(parts[0], year)
                if day in days:
                    raise forms.ValidationError(
                        _("%(date)s is both a holiday and a working day.") % {"date": day.isoformat()}
                    )
                if day.weekday() < 5:
                    raise forms.ValidationError(
                        _("%(date)s is a weekday: only a weekend day becomes a make-up working day.")
                        % {"date": day.isoformat()}
                    )
                days[day] = (True, parts[1].strip() if len(parts) > 1 else _("make-up working day"))
            except forms.ValidationError as exc:
                problems.extend(exc.messages)
        if problems:
            raise forms.ValidationError(problems)
        if not days:
            raise forms.ValidationError(_("Enter the year's holidays."))
        cleaned["days"] = dict(sorted(days.items()))
        return cleaned


@transaction.atomic
def save_schedule(data: dict, *, actor) -> CalendarYear:
    """Replace the year's entries in the holiday table with the notice's days, and record the year."""
    year = data["year"]
    Holiday.objects.filter(date__year=year).delete()
    Holiday.objects.bulk_create(
        Holiday(date=day, name=name, is_working_day=working) for day, (working, name) in data["days"].items()
    )
    published = data["published"]
    row, _created = CalendarYear.objects.update_or_create(
        year=year,
        defaults={
            "notice": data["notice"],
            "published": published,
            "published_at": timezone.now() if published else None,
            "published_by": actor if published else None,
        },
    )
    return row


@committee_only
def schedule_view(request, model_admin):
    form = ScheduleForm(request.POST or None, initial={"year": timezone.localdate().year + 1})
    preview = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("step") == "confirm":
            row = save_schedule(form.cleaned_data, actor=request.user)
            messages.success(
                request,
                (
                    _("The %(year)d schedule is saved and marked published. Check the due dates it changes.")
                    if row.published
                    else _(
                        "The %(year)d schedule is saved; its due dates stay provisional until it is marked published."
                    )
                )
                % {"year": row.year},
            )
            return redirect(reverse("admin:responses_holiday_recompute"))
        preview = [
            {"date": day, "weekday": day.weekday(), "name": name, "working": working}
            for day, (working, name) in form.cleaned_data["days"].items()
        ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "model_admin": model_admin,
        "title": _("Enter a year's holiday schedule"),
        "form": form,
        "preview": preview,
        "replaced": Holiday.objects.filter(date__year=form.cleaned_data["year"]).count() if preview else 0,
    }
    return render_page(request, "admin/responses/holiday/schedule.html", context, status=400 if form.errors else 200)


@committee_only
def recompute_view(request, model_admin):
    changes = recompute.plan()
    shown = {"True": _("provisional"), "False": _("final")}  # the provisional flag, in words
    if request.method == "POST":
        count = recompute.apply(changes, actor=request.user)
        messages.success(request, _("Due dates recomputed for %(count)d assignments.") % {"count": count})
        return redirect(reverse("admin:responses_holiday_changelist"))
    rows = [
        {
            "assignment": change.assignment,
            "dates": [
                (str(recompute_label(name)), shown.get(old, old), shown.get(new, new))
                for name, (old, new) in change.diff.items()
            ],
        }
        for change in changes
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "model_admin": model_admin,
        "title": _("Recompute due dates"),
        "rows": rows,
        "years": CalendarYear.objects.all(),
    }
    return render_page(request, "admin/responses/holiday/recompute.html", context)


def recompute_label(name: str) -> str:
    from responses.models import Assignment

    return Assignment._meta.get_field(name).verbose_name


@admin.register(Holiday)
class HolidayAdmin(RoleScopedAdmin):
    reference_data = True
    list_display = ("date", "name", "is_working_day")
    list_filter = ("is_working_day",)
    search_fields = ("name",)
    date_hierarchy = "date"
    ordering = ("-date",)
    change_list_template = "admin/responses/holiday/change_list.html"

    def get_urls(self):
        def view(function, name):
            return path(
                f"{name}/",
                self.admin_site.admin_view(function),
                {"model_admin": self},
                name=f"responses_holiday_{name}",
            )

        return [view(schedule_view, "schedule"), view(recompute_view, "recompute"), *super().get_urls()]


@admin.register(CalendarYear)
class CalendarYearAdmin(RoleScopedAdmin):
    reference_data = True
    list_display = ("year", "published", "notice", "published_at", "published_by")
    readonly_fields = ("published_at", "published_by")
    ordering = ("-year",)
