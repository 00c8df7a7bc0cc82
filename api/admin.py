"""API tokens in the admin: committee staff create one for a user (shown once), and revoke it."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_base import COMMITTEE, NOBODY, RoleScopedAdmin
from api.models import ApiToken
from api.services import issue_token, revoke_token


@admin.register(ApiToken)
class ApiTokenAdmin(RoleScopedAdmin):
    """Tokens are never edited: a lost or leaked one is revoked and a new one created."""

    view_roles = COMMITTEE
    add_roles = COMMITTEE
    change_roles = COMMITTEE
    delete_roles = NOBODY  # revoked, not deleted: the row stays as the record of who could call the API
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username", "user__full_name")
    autocomplete_fields = ("user",)
    fields = ("user", "name", "expires_at", "prefix", "created_by", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly += [name for name in ("user", "name", "expires_at") if name not in readonly]
        return readonly

    def save_model(self, request: HttpRequest, obj: ApiToken, form, change: bool) -> None:
        if change:
            return  # nothing is editable after creation
        request.new_api_key = issue_token(obj, actor=request.user)

    def response_add(self, request: HttpRequest, obj: ApiToken, post_url_continue=None):
        # The secret is drawn on this one page and kept nowhere: not in a message, not in the session.
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "token": obj,
            "key": request.new_api_key,
            "title": _("API token created"),
        }
        response = TemplateResponse(request, "admin/api/apitoken/created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset) -> None:
        count = sum(revoke_token(token, actor=request.user) for token in queryset.select_related("user"))
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count},
            messages.SUCCESS,
        )
