"""交办 in the staff admin: one proposal or many to the same units, with a preview of the due dates.

The committee chooses the units (a lead unit with co-handling units, or separate
units), sees the due dates each would get with their explanations (the step is
tried in a savepoint that is rolled back, so a refusal shows before confirming),
then confirms. The return decision (``admin_requests``) uses the same units form.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.widgets import (
    UnfoldAdminSelect2MultipleWidget,
    UnfoldAdminSelect2Widget,
)

from accounts.models import Unit
from accounts.text_input import SingleLineFormMixin
from proposals import services
from proposals.admin_common import (
    DATE_INPUT,
    active_units,
    admin_url,
    committee_only,
    int_param,
    lead_name_subquery,
    page_context,
    proposal_or_404,
    render_page,
    sessions_choice_list,
    textarea,
    with_badges,
)
from proposals.choices import (
    ProposalStatus,
)
from proposals.models import Category, Proposal, Session
from proposals.workflow import WorkflowError, trial_run
from responses import services as handling
from responses.choices import ASSIGNMENT_STATUS_COLOURS, AssignmentRole
from responses.deadlines import WorkCalendar, assignment_deadlines
from responses.limits import session_start
from responses.models import Assignment

BULK_LIMIT = 200

# Statuses at which a proposal can be handed to (more) units.
ASSIGNABLE = {ProposalStatus.ACCEPTED, ProposalStatus.ASSIGNED}


class UnitsForm(SingleLineFormMixin, forms.Form):
    """交办: a lead unit with co-handling units, or separate units; the service checks the combination
    against the units already on the proposal."""

    lead_unit = forms.ModelChoiceField(
        label=gettext_lazy("Lead unit (主办)"),
        queryset=Unit.objects.none(),
        required=False,
        widget=UnfoldAdminSelect2Widget,
    )
    cohandling_units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Co-handling units (会办)"),
        queryset=Unit.objects.none(),
        required=False,
        widget=UnfoldAdminSelect2MultipleWidget,
        help_text=gettext_lazy("They send their opinion to the lead unit, which writes the one reply."),
    )
    separate_units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Separate units (分办)"),
        queryset=Unit.objects.none(),
        required=False,
        widget=UnfoldAdminSelect2MultipleWidget,
        help_text=gettext_lazy("Each replies on its own; not combined with a lead unit."),
    )
    assigned_on = forms.DateField(
        label=gettext_lazy("Assignment date"),
        widget=DATE_INPUT,
        help_text=gettext_lazy("Due dates count from this date."),
    )
    instructions = forms.CharField(
        label=gettext_lazy("Instructions to the units (optional)"),
        required=False,
        max_length=4000,
        widget=textarea(2),
    )

    def __init__(self, *args, exclude_units=(), units_required: bool = True, proposals=(), **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("assigned_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        units = active_units().exclude(pk__in=[unit.pk for unit in exclude_units])
        for name in ("lead_unit", "cohandling_units", "separate_units"):
            self.fields[name].queryset = units
        self.units_required = units_required
        # The proposals being assigned: none can be assigned before its session began.
        self.proposals = list(proposals)

    def clean_assigned_on(self):
        day = self.cleaned_data["assigned_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The assignment date cannot be in the future."))
        # A back-dated assignment is allowed (recorded late); one before the session began is a typo.
        starts = sorted((session_start(p.session), p.session.name) for p in self.proposals)
        if starts and day < starts[-1][0]:
            raise forms.ValidationError(
                _("The assignment date cannot be earlier than %(date)s, the start of %(session)s.")
                % {"date": starts[-1][0].isoformat(), "session": starts[-1][1]}
            )
        accepted = sorted(timezone.localdate(p.accepted_at) for p in self.proposals if p.accepted_at)
        if accepted and day < accepted[-1]:
            raise forms.ValidationError(
                _("The assignment date cannot be earlier than %(date)s, the day the proposal was accepted.")
                % {"date": accepted[-1].isoformat()}
            )
        return day

    def clean(self):
        cleaned = super().clean()
        lead = cleaned.get("lead_unit")
        cohandling = list(cleaned.get("cohandling_units") or [])
        separate = list(cleaned.get("separate_units") or [])
        if self.units_required and not (lead or cohandling or separate) and not self.errors:
            raise forms.ValidationError(
                _("Choose the units: a lead unit with any co-handling units, or one or more separate units.")
            )
        if lead and lead in cohandling:
            self.add_error("cohandling_units", _("The lead unit cannot also be a co-handling unit."))
        if separate and (lead or cohandling):
            self.add_error(
                "separate_units",
                _("Separate units reply on their own and cannot be combined with a lead or co-handling unit."),
            )
        return cleaned

    def units_roles(self) -> list[tuple[Unit, str]]:
        data = self.cleaned_data
        pairs: list[tuple[Unit, str]] = []
        if data.get("lead_unit"):
            pairs.append((data["lead_unit"], AssignmentRole.LEAD))
        pairs += [(unit, AssignmentRole.COHANDLING) for unit in data.get("cohandling_units") or []]
        pairs += [(unit, AssignmentRole.SEPARATE) for unit in data.get("separate_units") or []]
        return pairs


class ProposalPickForm(forms.Form):
    """The proposals of a bulk assignment, among the accepted ones shown on the page."""

    proposals = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Proposals"),
        queryset=Proposal.objects.none(),
        error_messages={
            "required": gettext_lazy("Tick at least one proposal."),
            "invalid_choice": gettext_lazy("A ticked proposal can no longer be assigned; reload the page."),
        },
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = queryset


# Assignment (交办) ---------------------------------------------------------------------------


def deadline_rows(session: Session, assigned_on: dt.date, pairs, cal: WorkCalendar) -> list[dict]:
    """The due dates each unit would get, with their explanations: the same fields an Assignment stores."""
    rows = []
    for unit, role in pairs:
        fields = assignment_deadlines(session, assigned_on, with_opinion=role == AssignmentRole.COHANDLING, cal=cal)
        rows.append({"unit": unit, "role": role, "role_label": AssignmentRole(role).label, **fields})
    return rows


def live_assignment_rows(proposal: Proposal) -> list[Assignment]:
    """The units handling the proposal now (``responses.services.live_assignments``) as page rows, in the unit order."""
    rows = list(handling.live_assignments(proposal).select_related("unit").order_by("pk"))
    rows.sort(key=lambda row: AssignmentRole.rank(row.role))
    for row in rows:
        row.role_label = row.get_role_display()
    return with_badges(rows, ASSIGNMENT_STATUS_COLOURS)


def units_hidden_fields(form: UnitsForm) -> list[tuple[str, str]]:
    """The confirmed form's values as (name, value) pairs for the hidden fields of the confirm step."""
    data = form.cleaned_data
    pairs = [("assigned_on", data["assigned_on"].isoformat()), ("instructions", data["instructions"])]
    if data.get("lead_unit"):
        pairs.append(("lead_unit", str(data["lead_unit"].pk)))
    pairs += [("cohandling_units", str(unit.pk)) for unit in data.get("cohandling_units") or []]
    pairs += [("separate_units", str(unit.pk)) for unit in data.get("separate_units") or []]
    return pairs


@committee_only
def assign(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    """交办 one proposal: choose units, preview the due dates with their explanations, confirm."""
    proposal = proposal_or_404(request, pk)
    existing = live_assignment_rows(proposal)
    can_assign = proposal.status in ASSIGNABLE
    preview = None
    hidden: list[tuple[str, str]] = []
    if request.method == "POST" and can_assign:
        form = UnitsForm(request.POST, exclude_units=[row.unit for row in existing], proposals=[proposal])
        step = request.POST.get("step", "preview")
        if form.is_valid():
            pairs = form.units_roles()
            data = form.cleaned_data

            def run():
                return handling.assign_proposal(
                    proposal,
                    actor=request.user,
                    units_roles=pairs,
                    assigned_on=data["assigned_on"],
                    instructions=data["instructions"],
                )

            try:
                if step == "confirm":
                    rows = run()
                    messages.success(
                        request,
                        _("%(label)s was assigned to %(units)s.")
                        % {
                            "label": services.proposal_label(proposal),
                            "units": "、".join(row.unit.name for row in rows),
                        },
                    )
                    return redirect(admin_url("assign", proposal.pk))
                trial_run(run)
            except WorkflowError as exc:
                form.add_error(None, exc.message)
            else:
                preview = deadline_rows(proposal.session, data["assigned_on"], pairs, WorkCalendar.load())
                hidden = units_hidden_fields(form)
    else:
        form = UnitsForm(exclude_units=[row.unit for row in existing])
    return render_page(
        request,
        "admin/proposals/proposal/assign.html",
        page_context(
            request,
            model_admin,
            _("Assign: %(title)s") % {"title": proposal.title},
            proposal=with_badges([proposal])[0],
            existing=existing,
            can_assign=can_assign,
            form=form,
            preview=preview,
            hidden=hidden,
            media=form.media,
        ),
        status=400 if request.method == "POST" and form.errors else 200,
    )


def _accepted_for_bulk(user, session_id: int | None, category_id: int | None):
    rows = (
        Proposal.objects.visible_to(user)
        .filter(status=ProposalStatus.ACCEPTED)
        .select_related("session", "category")
        .annotate(lead_name=lead_name_subquery())
        .order_by("session_id", "serial", "pk")
    )
    if session_id:
        rows = rows.filter(session_id=session_id)
    if category_id:
        rows = rows.filter(category_id=category_id)
    return rows


@committee_only
def assign_many(request: HttpRequest, model_admin) -> HttpResponse:
    """Bulk 交办: many accepted proposals to the same units in one step (all or none)."""
    params = request.POST if request.method == "POST" else request.GET
    session_id = int_param(params.get("session"))
    category_id = int_param(params.get("category"))
    candidates = _accepted_for_bulk(request.user, session_id, category_id)
    shown = list(candidates[:BULK_LIMIT])
    total = len(shown) if len(shown) < BULK_LIMIT else candidates.count()
    preview = None
    hidden: list[tuple[str, str]] = []
    chosen: list[Proposal] = []
    if request.method == "POST":
        pick = ProposalPickForm(request.POST, queryset=candidates)
        if pick.is_valid():
            chosen = list(pick.cleaned_data["proposals"].select_related("session"))
        form = UnitsForm(request.POST, proposals=chosen)
        if pick.is_valid() and form.is_valid():
            pairs = form.units_roles()
            data = form.cleaned_data

            def run():
                return handling.assign_many(
                    chosen,
                    actor=request.user,
                    units_roles=pairs,
                    assigned_on=data["assigned_on"],
                    instructions=data["instructions"],
                )

            try:
                if request.POST.get("step") == "confirm":
                    run()
                    messages.success(
                        request,
                        _("%(count)d proposals were assigned to %(units)s.")
                        % {"count": len(chosen), "units": "、".join(unit.name for unit, _role in pairs)},
                    )
                    return redirect(admin_url("assign_many"))
                trial_run(run)
            except WorkflowError as exc:
                form.add_error(None, exc.message)
            else:
                cal = WorkCalendar.load()
                sessions = {p.session_id: p.session for p in chosen}
                preview = [
                    {
                        "session": session,
                        "proposals": [p for p in chosen if p.session_id == session.pk],
                        "rows": deadline_rows(session, data["assigned_on"], pairs, cal),
                    }
                    for session in sessions.values()
                ]
                hidden = units_hidden_fields(form) + [("proposals", str(p.pk)) for p in chosen]
        selected = {str(value) for value in request.POST.getlist("proposals")}
    else:
        pick = ProposalPickForm(queryset=candidates)
        form = UnitsForm()
        selected = {value for value in (request.GET.get("ids") or "").split(",") if value}
    for row in shown:
        row.selected = str(row.pk) in selected
    return render_page(
        request,
        "admin/proposals/proposal/assign_many.html",
        page_context(
            request,
            model_admin,
            _("Assign several proposals"),
            rows=with_badges(shown),
            total=total,
            limit=BULK_LIMIT,
            pick=pick,
            form=form,
            preview=preview,
            hidden=hidden,
            chosen=chosen,
            sessions=sessions_choice_list(),
            categories=list(Category.objects.filter(is_active=True)),
            selected_session=session_id,
            selected_category=category_id,
            media=form.media,
        ),
        status=400 if request.method == "POST" and (form.errors or pick.errors) else 200,
    )


def bulk_assign_redirect(queryset) -> HttpResponseRedirect:
    """Where the changelist's bulk action sends the ticked proposals."""
    ids = ",".join(str(pk) for pk in queryset.filter(status=ProposalStatus.ACCEPTED).values_list("pk", flat=True))
    return HttpResponseRedirect(f"{admin_url('assign_many')}?{urlencode({'ids': ids})}")
