"""The search dictionary in the admin: committee staff add domain words the segmenter keeps whole;
the re-indexings each change starts, read-only.

Registered from ProposalsConfig.ready() so it stays out of proposals/admin.py.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.admin_base import OVERSIGHT, ReadOnlyAdmin, RoleScopedAdmin
from proposals.models import SearchIndexRun, SearchTerm
from proposals.search_index import last_run


@admin.register(SearchTerm)
class SearchTermAdmin(RoleScopedAdmin):
    reference_data = True
    list_display = ("word", "weight", "created_at")
    search_fields = ("word",)
    ordering = ("word",)

    def changelist_view(self, request, extra_context=None):
        # Where the background re-indexing after the last dictionary change stands.
        run = last_run()
        if run is not None:
            if run.finished_at:
                text = _("Proposals were last re-indexed after a dictionary change at %(time)s (%(count)s updated).")
                level = messages.SUCCESS
            elif run.started_at:
                text = _("Re-indexing after the dictionary change has been running since %(time)s.")
                level = messages.INFO
            else:
                text = _("Re-indexing after the dictionary change was requested at %(time)s and waits for a worker.")
                level = messages.WARNING
            moment = run.finished_at or run.started_at or run.requested_at
            when = formats.date_format(timezone.localtime(moment), "Y-m-d H:i:s")
            self.message_user(request, text % {"time": when, "count": run.proposals}, level)
        return super().changelist_view(request, extra_context)


@admin.register(SearchIndexRun)
class SearchIndexRunAdmin(ReadOnlyAdmin):
    """The re-indexings after dictionary changes: when each was asked for, started and finished."""

    view_roles = OVERSIGHT
    reference_data = True
    list_display = ("requested_at", "reason", "started_at", "finished_at", "proposals")
    date_hierarchy = "requested_at"
