"""Return and extension requests in the admin (申请退回, 延期): units see theirs, the committee decides.

Unit staff read their own unit's requests with the committee's decision and
note (``visible_to``); every decision is an ``Event`` on the proposal's
timeline. The committee decides on a page of its own (``<pk>/decide/``):

- a return: approve, optionally re-assigning the proposal to other units in the
  same step (all or nothing), or refuse with a reason;
- an extension: approve up to the hard cap (the requested date or another),
  or refuse with a reason.

``decide_return``, ``assign_proposal`` and ``decide_extension`` in
``responses.services`` do the work; these views parse forms and redirect.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.decorators import display

from accounts.admin_base import ScopedRelatedFilter, status_badge
from accounts.badges import BADGE_VARIANTS
from accounts.text_input import SingleLineFormMixin
from proposals.admin_common import (
    DATE_INPUT,
    committee_only,
    render_page,
    tell_hidden_errors,
    textarea,
    with_badges,
)
from proposals.workflow import WorkflowError
from responses import services
from responses.admin import HandledRowsAdmin
from responses.admin_assign import UnitsForm, live_assignment_rows
from responses.choices import ASSIGNMENT_STATUS_COLOURS, REQUEST_STATUS_COLOURS, AssignmentRole, RequestStatus
from responses.models import ExtensionRequest, ReturnRequest


class RefuseForm(SingleLineFormMixin, forms.Form):
    note = forms.CharField(label=gettext_lazy("Reason for refusing"), max_length=4000, widget=textarea(3))


class ApproveReturnForm(SingleLineFormMixin, forms.Form):
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=4000, widget=textarea(2))


class ApproveExtensionForm(SingleLineFormMixin, forms.Form):
    approved_until = forms.DateField(label=gettext_lazy("New reply due date"), widget=DATE_INPUT)
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=4000, widget=textarea(2))

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        attrs = self.fields["approved_until"].widget.attrs = dict(self.fields["approved_until"].widget.attrs)
        if assignment.reply_cap:
            attrs["max"] = assignment.reply_cap.isoformat()
        self.fields["approved_until"].help_text = _("After %(due)s and at the latest %(cap)s (the hard cap).") % {
            "due": assignment.reply_due,
            "cap": assignment.reply_cap,
        }

    def clean_approved_until(self):
        day = self.cleaned_data["approved_until"]
        assignment = self.assignment
        if assignment.reply_due and day <= assignment.reply_due:
            raise forms.ValidationError(
                _("The new date must be after the current due date, %(date)s.") % {"date": assignment.reply_due}
            )
        if assignment.reply_cap and day > assignment.reply_cap:
            raise forms.ValidationError(
                _("The reply cannot be due later than %(date)s, the latest date with extensions.")
                % {"date": assignment.reply_cap}
            )
        return day


def _request_context(request, model_admin, row, title: str, **extra) -> dict:
    row.badge = BADGE_VARIANTS.get(REQUEST_STATUS_COLOURS.get(row.status, "grey"), "default")
    assignment = row.assignment
    assignment.role_label = assignment.get_role_display()
    proposal = assignment.proposal
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": row,
        "title": title,
        "model_admin": model_admin,
        "row": row,
        "assignment": with_badges([assignment], ASSIGNMENT_STATUS_COLOURS)[0],
        "proposal": with_badges([proposal])[0],
        "pending": row.status == RequestStatus.PENDING,
        "is_committee": True,
        **extra,
    }


def _tell_when_decided(request, row, *forms_) -> None:
    """A decided request's page shows the decision and no forms: a refused POST is told as a message."""
    if row.status != RequestStatus.PENDING:
        for form in forms_:
            if form.is_bound:
                tell_hidden_errors(request, form)


def _reassign_initial(row: ReturnRequest) -> dict:
    """The unit the handing-back unit suggested, in the role it had."""
    unit = row.suggested_unit
    if unit is None:
        return {}
    role = row.assignment.role
    if role == AssignmentRole.LEAD:
        return {"lead_unit": unit}
    if role == AssignmentRole.COHANDLING:
        return {"cohandling_units": [unit]}
    return {"separate_units": [unit]}


@committee_only
def decide_return(request, pk: int, model_admin):
    row = get_object_or_404(
        ReturnRequest.objects.visible_to(request.user).select_related(
            "assignment__proposal__session", "assignment__unit", "suggested_unit", "requested_by", "decided_by"
        ),
        pk=pk,
    )
    assignment = row.assignment
    proposal = assignment.proposal
    approve_form, refuse_form = ApproveReturnForm(), RefuseForm()
    units_form = UnitsForm(
        prefix="reassign", units_required=False, exclude_units=[assignment.unit], initial=_reassign_initial(row)
    )
    status = 200
    if request.method == "POST":
        if "refuse" in request.POST:
            refuse_form = RefuseForm(request.POST)
            if refuse_form.is_valid():
                try:
                    services.decide_return(
                        row, actor=request.user, approve=False, note=refuse_form.cleaned_data["note"]
                    )
                except WorkflowError as exc:
                    refuse_form.add_error(None, exc.message)
                else:
                    messages.success(
                        request,
                        _("The return was refused; %(unit)s keeps the assignment and has been told why.")
                        % {"unit": assignment.unit.name},
                    )
                    return redirect(reverse("admin:responses_returnrequest_changelist"))
        else:
            approve_form = ApproveReturnForm(request.POST)
            units_form = UnitsForm(
                request.POST,
                prefix="reassign",
                units_required=False,
                exclude_units=[assignment.unit],
                proposals=[proposal],
            )
            if approve_form.is_valid() and units_form.is_valid():
                pairs = units_form.units_roles()
                try:
                    # Approval and re-assignment stand or fall together: nothing half-done.
                    with transaction.atomic():
                        services.decide_return(
                            row, actor=request.user, approve=True, note=approve_form.cleaned_data["note"]
                        )
                        if pairs:
                            services.assign_proposal(
                                proposal,
                                actor=request.user,
                                units_roles=pairs,
                                assigned_on=units_form.cleaned_data["assigned_on"],
                                instructions=units_form.cleaned_data["instructions"],
                            )
                except WorkflowError as exc:
                    units_form.add_error(None, exc.message)
                else:
                    if pairs:
                        text = _("The return was approved and the proposal re-assigned to %(units)s.") % {
                            "units": "、".join(unit.name for unit, _role in pairs)
                        }
                    else:
                        text = _("The return was approved. Assign the proposal to another unit when ready.")
                    messages.success(request, text)
                    return redirect(reverse("admin:proposals_proposal_assign", args=[proposal.pk]))
        status = 400
    _tell_when_decided(request, row, approve_form, refuse_form, units_form)
    others = [a for a in live_assignment_rows(proposal) if a.pk != assignment.pk]
    context = _request_context(
        request,
        model_admin,
        row,
        _("Return request: %(title)s") % {"title": proposal.title},
        others=others,
        is_return=True,
        approve_form=approve_form,
        refuse_form=refuse_form,
        form=units_form,
        media=units_form.media,
    )
    return render_page(request, "admin/responses/returnrequest/decide.html", context, status=status)


@committee_only
def decide_extension(request, pk: int, model_admin):
    row = get_object_or_404(
        ExtensionRequest.objects.visible_to(request.user).select_related(
            "assignment__proposal__session", "assignment__unit", "requested_by", "decided_by"
        ),
        pk=pk,
    )
    assignment = row.assignment
    approve_form = ApproveExtensionForm(assignment=assignment, initial={"approved_until": row.requested_until})
    refuse_form = RefuseForm()
    status = 200
    if request.method == "POST":
        if "refuse" in request.POST:
            refuse_form = RefuseForm(request.POST)
            form, kwargs = refuse_form, {"approve": False}
        else:
            approve_form = ApproveExtensionForm(request.POST, assignment=assignment)
            form, kwargs = approve_form, {"approve": True}
        if form.is_valid():
            if kwargs["approve"]:
                kwargs["approved_until"] = form.cleaned_data["approved_until"]
            try:
                row = services.decide_extension(row, actor=request.user, note=form.cleaned_data["note"], **kwargs)
            except WorkflowError as exc:
                form.add_error(None, exc.message)
            else:
                if kwargs["approve"]:
                    text = _("The extension was approved: the reply is now due %(date)s.") % {
                        "date": row.approved_until
                    }
                else:
                    text = _("The extension was refused; %(unit)s has been told why.") % {"unit": assignment.unit.name}
                messages.success(request, text)
                return redirect(reverse("admin:responses_extensionrequest_changelist"))
        status = 400
    _tell_when_decided(request, row, approve_form, refuse_form)
    context = _request_context(
        request,
        model_admin,
        row,
        _("Extension request: %(title)s") % {"title": assignment.proposal.title},
        approve_form=approve_form,
        refuse_form=refuse_form,
    )
    return render_page(request, "admin/responses/extensionrequest/decide.html", context, status=status)


class RequestAdmin(HandledRowsAdmin):
    list_select_related = ("assignment__proposal", "assignment__unit", "requested_by")
    search_fields = ("reason", "=assignment__proposal__number", "assignment__proposal__title")
    date_hierarchy = "requested_at"
    decide_view = None

    status_badge = status_badge(REQUEST_STATUS_COLOURS)

    @display(description=gettext_lazy("reason"))
    def reason_excerpt(self, obj) -> str:
        return Truncator(obj.reason).chars(50)

    @display(description=gettext_lazy("decision note"))
    def decision_excerpt(self, obj) -> str:
        return Truncator(obj.decision_note).chars(40) or "—"

    @display(description=gettext_lazy("decide"))
    def decide_link(self, obj) -> str:
        if obj.status != RequestStatus.PENDING:
            return "—"
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_decide", args=[obj.pk])
        return format_html('<a class="tn-link" href="{}" data-testid="decide-link">{}</a>', url, _("Decide"))

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if request.user.is_committee:
            columns.append("decide_link")
        return columns

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_decide"
        view = self.admin_site.admin_view(type(self).decide_view)
        return [path("<int:pk>/decide/", view, {"model_admin": self}, name=name), *super().get_urls()]


@admin.register(ReturnRequest)
class ReturnRequestAdmin(RequestAdmin):
    list_display = (
        "assignment",
        "reason_excerpt",
        "suggested_unit",
        "requested_by",
        "requested_at",
        "status_badge",
        "decision_excerpt",
    )
    list_filter = ("status", ("assignment__unit", ScopedRelatedFilter))
    list_select_related = (*RequestAdmin.list_select_related, "suggested_unit")
    change_form_before_template = "admin/responses/returnrequest/decision_panel.html"
    decide_view = staticmethod(decide_return)


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
        "decision_excerpt",
    )
    list_filter = ("status", ("assignment__unit", ScopedRelatedFilter))
    change_form_before_template = "admin/responses/extensionrequest/decision_panel.html"
    decide_view = staticmethod(decide_extension)
