"""The stock admin that `make bench` measures our lists against: what a team gets by default.

A plain ``ModelAdmin`` of Proposal with ``list_filter`` and ``search_fields`` on
its own ``AdminSite``, nothing tuned. Mounted only by the benchmark's URLconf
(``bench/urls.py``, through ``bench/settings.py``): never in a deployment.
"""

from __future__ import annotations

from django.contrib import admin

from proposals.models import Proposal


class StockAdminSite(admin.AdminSite):
    site_header = "stock admin (benchmark baseline)"
    name = "stock_admin"


class StockProposalAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "session", "category", "status", "is_key", "created_at")
    list_filter = ("status", "session", "category", "kind", "is_key")
    search_fields = ("number", "title", "background", "suggestions")


stock_site = StockAdminSite(name="stock_admin")
stock_site.register(Proposal, StockProposalAdmin)
