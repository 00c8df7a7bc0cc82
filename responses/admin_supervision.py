"""Key proposals (重点提案) and supervision (督办) in the staff admin.

The committee marks a proposal as key and names the supervising leader; leaders
and committee staff write supervision notes beside the handling units and their
due dates; a leader lists the proposals they supervise, committee staff all of them.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from unfold.widgets import (
    UnfoldAdminSelectWidget,
)

from accounts.choices import Role
from accounts.models import User
from accounts.text_input import SingleLineFormMixin
from proposals import services
from proposals.admin_common import (
    QUEUE_PAGE_SIZE,
    admin_url,
    committee_only,
    int_param,
    lead_name_subquery,
    oversight_only,
    page_context,
    proposal_or_404,
    render_page,
    tell_hidden_errors,
    textarea,
    with_badges,
)
from proposals.models import Proposal
from proposals.workflow import WorkflowError
from responses.admin_assign import live_assignment_rows
from responses.choices import AssignmentRole
from responses.models import Assignment


class KeyForm(SingleLineFormMixin, forms.Form):
    is_key = forms.TypedChoiceField(
        label=gettext_lazy("Key proposal"),
        choices=[("1", gettext_lazy("Mark as key proposal")), ("0", gettext_lazy("Not a key proposal"))],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
    supervisor = forms.ModelChoiceField(
        label=gettext_lazy("Supervising leader"),
        queryset=User.objects.none(),
        required=False,
        widget=UnfoldAdminSelectWidget,
    )
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=2000, widget=textarea(2))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = User.objects.filter(role=Role.LEADER, is_active=True).order_by(
            "full_name", "username"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_key") and not cleaned.get("supervisor"):
            self.add_error("supervisor", _("Choose a leader to supervise the key proposal."))
        return cleaned


class NoteForm(SingleLineFormMixin, forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Supervision note"), max_length=services.SUPERVISION_NOTE_MAX_CHARS, widget=textarea(4)
    )


# Key proposals and supervision (重点提案, 督办) ---------------------------------------------------


def _supervision_context(request: HttpRequest, model_admin, proposal: Proposal, **forms_) -> dict:
    user = request.user
    key_form = forms_.get("key_form") or KeyForm(initial={"is_key": "1", "supervisor": proposal.supervisor_id or None})
    return page_context(
        request,
        model_admin,
        _("Key proposal and supervision: %(title)s") % {"title": proposal.title},
        proposal=with_badges([proposal])[0],
        assignments=live_assignment_rows(proposal),
        notes=list(proposal.supervision_notes.select_related("author")),
        can_mark=services.may_mark_key(proposal, user),
        can_note=services.may_note_supervision(proposal, user),
        key_form=key_form,
        note_form=forms_.get("note_form") or NoteForm(),
        today=timezone.localdate(),
    )


@oversight_only
def supervision(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    """A key proposal's supervising leader, handling units and supervision notes; leaders and committee
    staff add notes here (POST)."""
    proposal = proposal_or_404(request, pk)
    if request.method == "POST":
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                services.add_supervision_note(proposal, actor=request.user, body=form.cleaned_data["body"])
            except WorkflowError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The supervision note was saved."))
                return redirect(admin_url("supervision", proposal.pk))
        context = _supervision_context(request, model_admin, proposal, note_form=form)
        if not context["can_note"]:
            tell_hidden_errors(request, form)
        return render_page(request, "admin/proposals/proposal/supervision.html", context, status=400)
    context = _supervision_context(request, model_admin, proposal)
    return render_page(request, "admin/proposals/proposal/supervision.html", context)


@require_POST
@committee_only
def mark_key(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    proposal = proposal_or_404(request, pk)
    form = KeyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.mark_key_proposal(
                proposal, actor=request.user, supervisor=data["supervisor"], is_key=data["is_key"], note=data["note"]
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            if data["is_key"]:
                text = _("%(label)s is a key proposal supervised by %(name)s.") % {
                    "label": services.proposal_label(proposal),
                    "name": data["supervisor"].display_name,
                }
            else:
                text = _("%(label)s is no longer a key proposal.") % {"label": services.proposal_label(proposal)}
            messages.success(request, text)
            return redirect(admin_url("supervision", proposal.pk))
    context = _supervision_context(request, model_admin, proposal, key_form=form)
    if not context["can_mark"]:
        tell_hidden_errors(request, form)
    return render_page(request, "admin/proposals/proposal/supervision.html", context, status=400)


@oversight_only
def supervised(request: HttpRequest, model_admin) -> HttpResponse:
    """Key proposals: a leader sees those they supervise; committee staff see all, by leader."""
    user = request.user
    rows = (
        Proposal.objects.visible_to(user)
        .filter(is_key=True)
        .select_related("session", "supervisor")
        .annotate(
            lead_name=lead_name_subquery(),
            note_count=Count("supervision_notes", distinct=True),
            last_note_at=Max("supervision_notes__created_at"),
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.live().select_related("unit").order_by("pk"),
                to_attr="live_assignments",
            )
        )
        .order_by("session_id", "number", "pk")
    )
    leaders = []
    supervisor_id = None
    if user.is_committee:
        leaders = list(User.objects.filter(role=Role.LEADER, is_active=True).order_by("full_name", "username"))
        supervisor_id = int_param(request.GET.get("supervisor"))
        if supervisor_id:
            rows = rows.filter(supervisor_id=supervisor_id)
    else:
        rows = rows.filter(supervisor=user)
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_badges(list(page.object_list))
    today = timezone.localdate()
    for row in page.object_list:
        current = sorted(row.live_assignments, key=lambda a: AssignmentRole.rank(a.role))
        row.units = [
            {
                "assignment": a,
                "role_label": a.get_role_display(),
                "overdue": a.is_open and a.reply_due is not None and a.reply_due < today,
            }
            for a in current
        ]
    params = request.GET.copy()
    params.pop("page", None)
    title = _("Key proposals") if user.is_committee else _("My supervised proposals")
    return render_page(
        request,
        "admin/proposals/proposal/supervised.html",
        page_context(
            request,
            model_admin,
            title,
            page=page,
            leaders=leaders,
            selected_supervisor=supervisor_id,
            filter_query=params.urlencode(),
        ),
    )
