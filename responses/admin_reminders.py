"""Reminders (催办) in the admin: read-only rows written by the scan and the delivery task,
and the committee's manual reminder for one assignment."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from accounts.admin_base import ReadOnlyAdmin, ScopedRelatedFilter
from accounts.text_input import SingleLineFormMixin
from proposals.workflow import WorkflowError
from responses import reminders
from responses.choices import ReminderKind
from responses.models import Assignment, Reminder

logger = logging.getLogger(__name__)


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    """Reminders (催办) are rows written by the scan and the delivery task; read-only here."""

    list_display = ("kind", "stage", "proposal", "unit", "due_on", "created_at", "sent_at", "attempts")
    list_filter = ("kind", ("assignment__unit", ScopedRelatedFilter))
    list_select_related = ("proposal", "assignment__unit")
    search_fields = ("=proposal__number", "proposal__title", "stage")
    date_hierarchy = "created_at"

    @display(description=_("unit"))
    def unit(self, obj: Reminder):
        return obj.assignment.unit if obj.assignment_id else None

    def get_urls(self):
        from django.urls import path

        urls = super().get_urls()
        manual = path(
            "manual/<int:assignment_id>/",
            self.admin_site.admin_view(self.manual_view),
            name="responses_reminder_manual",
        )
        return [manual, *urls]

    def manual_view(self, request: HttpRequest, assignment_id: int) -> HttpResponse:
        """Committee staff's manual 催办 for one assignment: at most one per assignment per day."""
        user = request.user
        if not user.is_committee:
            raise PermissionDenied
        assignment = get_object_or_404(
            Assignment.objects.visible_to(user).select_related("proposal", "unit"), pk=assignment_id
        )
        form = ManualReminderForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                reminder = reminders.manual_reminder(assignment, actor=user, note=form.cleaned_data["note"])
            except WorkflowError as exc:
                form.add_error(None, exc.message)
            else:
                transaction.on_commit(lambda: _queue(reminder.pk))
                messages.success(request, _("Reminder sent to %(unit)s.") % {"unit": assignment.unit.name})
                return redirect("admin:responses_assignment_change", assignment.pk)
        today = timezone.localdate()
        days_left = assignment.days_left(today) if assignment.is_open else None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send a reminder (催办)"),
            "assignment": assignment,
            "days_left": days_left,
            "days_overdue": -days_left if days_left is not None and days_left < 0 else 0,
            "is_open": assignment.is_open,
            "form": form,
            "already_today": Reminder.objects.filter(
                kind=ReminderKind.MANUAL, target_type="assignment", target_id=assignment.pk, stage=today.isoformat()
            ).exists(),
            "history": Reminder.objects.filter(assignment=assignment).order_by("-created_at")[:20],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/reminders/manual.html", context)


class ManualReminderForm(SingleLineFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Message to the unit"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: what the committee expects, e.g. the reply by a date."),
    )


def _queue(reminder_id: int) -> None:
    from responses.tasks import deliver_reminder

    try:
        deliver_reminder.apply_async(args=[reminder_id])
    except Exception:  # noqa: BLE001 - the scan's sweep delivers it when the broker is back
        logger.warning("manual reminder %s not queued; the sweep will send it", reminder_id)
