"""Return and extension requests in the admin (申请退回, 延期): units see theirs, the committee decides."""

from __future__ import annotations

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from accounts.admin_base import ScopedRelatedFilter, status_badge
from responses.admin import REQUEST_STATUS_COLOURS, HandledRowsAdmin
from responses.models import ExtensionRequest, ReturnRequest


class RequestAdmin(HandledRowsAdmin):
    list_select_related = ("assignment__proposal", "assignment__unit", "requested_by")
    search_fields = ("reason", "=assignment__proposal__number", "assignment__proposal__title")
    date_hierarchy = "requested_at"

    status_badge = status_badge(REQUEST_STATUS_COLOURS)

    @display(description=_("reason"))
    def reason_excerpt(self, obj) -> str:
        return Truncator(obj.reason).chars(50)


@admin.register(ReturnRequest)
class ReturnRequestAdmin(RequestAdmin):
    list_display = ("assignment", "reason_excerpt", "suggested_unit", "requested_by", "requested_at", "status_badge")
    list_filter = ("status", ("assignment__unit", ScopedRelatedFilter))
    list_select_related = (*RequestAdmin.list_select_related, "suggested_unit")


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(RequestAdmin):
    list_display = (
        "assignment",
        "reason_excerpt",
        "requested_until",
        "approved_until",
        "requested_by",
        "requested_at",
        "status_badge",
    )
    list_filter = ("status", ("assignment__unit", ScopedRelatedFilter))
