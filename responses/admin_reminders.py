"""Reminders (催办) in the admin: read-only rows written by the scan and the delivery task."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from accounts.admin_base import ReadOnlyAdmin, ScopedRelatedFilter
from responses.models import Reminder


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
