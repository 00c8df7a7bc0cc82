"""The search dictionary in the admin: committee staff add domain words the segmenter keeps whole.

Registered from ProposalsConfig.ready() so it stays out of proposals/admin.py.
"""

from __future__ import annotations

from django.contrib import admin

from accounts.admin_base import RoleScopedAdmin
from proposals.models import SearchTerm


@admin.register(SearchTerm)
class SearchTermAdmin(RoleScopedAdmin):
    reference_data = True
    list_display = ("word", "weight", "created_at")
    search_fields = ("word",)
    ordering = ("word",)
