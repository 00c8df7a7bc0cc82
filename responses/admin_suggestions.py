"""意见建议 in the admin: the list of proposals converted to opinions (filterable, exportable), forwarding one
to units for reference, and the units' own list of what was forwarded to them.

``forward_suggestion`` in ``responses.services`` does the work; these views parse forms and redirect.
"""

from __future__ import annotations

import io

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminSelect2MultipleWidget

from accounts.admin_base import ALL_STAFF, NOBODY, OVERSIGHT, RoleScopedAdmin
from accounts.models import Unit
from proposals.admin_common import committee_only, render_page, textarea
from proposals.choices import ProposerRole
from proposals.workflow import WorkflowError
from responses import services
from responses.letters import xml_text
from responses.limits import NOTE_MAX_CHARS
from responses.models import Suggestion, SuggestionForward


class ForwardedFilter(admin.SimpleListFilter):
    title = gettext_lazy("forwarded for reference")
    parameter_name = "forwarded"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(forwards__isnull=False).distinct()
        if self.value() == "no":
            return queryset.filter(forwards__isnull=True)
        return queryset


class ForwardForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Units to read it"),
        queryset=Unit.objects.none(),
        widget=UnfoldAdminSelect2MultipleWidget,
    )
    note = forms.CharField(
        label=gettext_lazy("note to the unit"), required=False, max_length=NOTE_MAX_CHARS, widget=textarea(3)
    )

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(is_active=True).exclude(
            forwarded_suggestions__proposal=proposal
        )


def _lead_name(proposal) -> str:
    lead = next((p for p in proposal.proposers.all() if p.role == ProposerRole.LEAD), None)
    return lead.user.display_name if lead else proposal.collective_author


def _text_cell(sheet, value):
    # Every text cell is written as text: a title starting with "=" is data, never a formula.
    cell = WriteOnlyCell(sheet, value=xml_text(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


@committee_only
def forward_view(request, pk: int, model_admin):
    proposal = get_object_or_404(model_admin.get_queryset(request), pk=pk)
    form = ForwardForm(request.POST or None, proposal=proposal)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.forward_suggestion(
                    proposal, actor=request.user, units=form.cleaned_data["units"], note=form.cleaned_data["note"]
                )
            except WorkflowError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Forwarded for reference; the proposers have been told where it went."))
                return redirect(reverse("admin:responses_suggestion_changelist"))
        status = 400
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "model_admin": model_admin,
        "title": _("Forward for reference: %(title)s") % {"title": proposal.title},
        "proposal": proposal,
        "forwards": list(proposal.forwards.select_related("unit", "forwarded_by")),
        "form": form,
        "media": form.media,
    }
    return render_page(request, "admin/responses/suggestion/forward.html", context, status=status)


@admin.register(Suggestion)
class SuggestionAdmin(RoleScopedAdmin):
    view_roles = OVERSIGHT
    add_roles = change_roles = delete_roles = NOBODY
    list_display = ("title", "lead_proposer", "session", "category", "rejection_ground", "forwarded_to", "forward_link")
    list_filter = ("session", "category", "rejection_ground", ForwardedFilter)
    search_fields = ("title", "rejection_reason")
    ordering = ("-submitted_at", "-pk")
    fields = ("title", "session", "category", "background", "suggestions", "rejection_ground", "rejection_reason")
    readonly_fields = fields
    actions = ["export_xlsx"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("session", "category")
            .prefetch_related("proposers__user", "forwards__unit")
        )

    @display(description=gettext_lazy("lead proposer"))
    def lead_proposer(self, obj) -> str:
        return _lead_name(obj)

    @display(description=gettext_lazy("forwarded to"))
    def forwarded_to(self, obj) -> str:
        return "、".join(row.unit.name for row in obj.forwards.all()) or "—"

    @display(description=gettext_lazy("forward"))
    def forward_link(self, obj) -> str:
        url = reverse("admin:responses_suggestion_forward", args=[obj.pk])
        return format_html('<a class="tn-link" href="{}" data-testid="forward-link">{}</a>', url, _("Forward"))

    @action(description=gettext_lazy("Export the selected opinions to Excel"))
    def export_xlsx(self, request, queryset):
        book = Workbook(write_only=True)
        sheet = book.create_sheet(str(_("Opinions")))
        headers = [_("Title"), _("Lead proposer"), _("Session"), _("Category"), _("Ground"), _("Reason")]
        sheet.append([_text_cell(sheet, str(h)) for h in [*headers, _("Forwarded to")]])
        for row in queryset.order_by("pk"):
            values = [
                row.title,
                _lead_name(row),
                row.session.name,
                row.category.name if row.category else "",
                row.get_rejection_ground_display(),
                row.rejection_reason,
                "、".join(forward.unit.name for forward in row.forwards.all()),
            ]
            sheet.append([_text_cell(sheet, value) for value in values])
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="suggestions-{timezone.localdate():%Y%m%d}.xlsx"'
        return response

    def get_urls(self):
        view = self.admin_site.admin_view(forward_view)
        return [
            path("<int:pk>/forward/", view, {"model_admin": self}, name="responses_suggestion_forward"),
            *super().get_urls(),
        ]


@admin.register(SuggestionForward)
class SuggestionForwardAdmin(RoleScopedAdmin):
    """What units read: the opinions forwarded to them for reference (their own unit's only)."""

    view_roles = ALL_STAFF
    add_roles = change_roles = delete_roles = NOBODY
    list_display = ("proposal", "unit", "forwarded_at", "forwarded_by")
    list_filter = ("unit",)
    search_fields = ("proposal__title",)
    list_select_related = ("proposal", "unit", "forwarded_by")
    fields = ("proposal_title", "unit", "note", "forwarded_by", "forwarded_at", "background", "suggestions")
    readonly_fields = fields

    @display(description=gettext_lazy("title"))
    def proposal_title(self, obj) -> str:
        return obj.proposal.title

    @display(description=gettext_lazy("situation analysis (情况分析)"))
    def background(self, obj) -> str:
        return obj.proposal.background

    @display(description=gettext_lazy("suggestions (具体建议)"))
    def suggestions(self, obj) -> str:
        return obj.proposal.suggestions
