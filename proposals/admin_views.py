"""The proposal committee's work in the staff admin (DESIGN.md sections 2 to 4).

Custom admin views hung on ``ProposalAdmin.get_urls`` (every URL goes through
``admin_site.admin_view``: staff login and CSRF), each a thin view that parses a
form, checks the role, calls a service in ``proposals.services`` or
``responses.services`` and redirects:

- the review queue of submitted proposals, and the review page showing a
  proposal beside similar ones from this and earlier sessions, with accept (立案),
  reject (不予立案) and merge (并案);
- assignment (交办) of one proposal or of many in one step, with a preview of the
  due dates and their explanations before confirming;
- key proposals (重点提案): marking, the supervising leader and supervision notes
  (督办), and the list of proposals a leader supervises;
- publication (提案公开) of proposals whose reply was sent and whose proposers consented.

Committee staff (superusers count as committee) do all of it; leaders read the
key proposals and write supervision notes; anyone else gets 403, members and
anonymous users the admin login. Rows come from ``visible_to``, so an object you
may not see answers 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Count, F, Max, Min, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from unfold.widgets import (
    DATETIME_CLASSES,
    UnfoldAdminSelect2MultipleWidget,
    UnfoldAdminSelect2Widget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
    UnfoldBooleanWidget,
)

from accounts.choices import Role
from accounts.models import Unit, User
from proposals import services
from proposals.choices import (
    PROPOSAL_STATUS_COLOURS,
    ProposalStatus,
    ProposerRole,
    ProposerStatus,
    RejectionGround,
)
from proposals.errors import WorkflowError
from proposals.models import Category, Proposal, Proposer, Session
from proposals.search import search, similar_to
from responses import services as handling
from responses.choices import ASSIGNMENT_STATUS_COLOURS, AssignmentRole, AssignmentStatus, ReplyStatus
from responses.deadlines import WorkCalendar, assignment_deadlines, publication_due
from responses.limits import session_start
from responses.models import Assignment, Reply

QUEUE_PAGE_SIZE = 50
BULK_LIMIT = 200
SIMILAR_LIMIT = 8

# unfold's label variants for the colour names of the choices modules.
BADGE = {
    "blue": "info",
    "indigo": "primary",
    "purple": "primary",
    "amber": "warning",
    "green": "success",
    "teal": "success",
    "red": "danger",
    "grey": "default",
}

# Lead and separate units first: they write the replies.
ROLE_ORDER = {AssignmentRole.LEAD: 0, AssignmentRole.SEPARATE: 1, AssignmentRole.COHANDLING: 2}

# Statuses at which a proposal can be handed to (more) units.
ASSIGNABLE = {ProposalStatus.ACCEPTED, ProposalStatus.ASSIGNED}


# Access --------------------------------------------------------------------------------------


def is_committee(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff and user.is_committee)


def is_oversight(user) -> bool:
    """Committee staff or a leader: the people who follow key proposals."""
    return is_committee(user) or bool(user.is_authenticated and user.is_active and user.role == Role.LEADER)


def committee_only(view: Callable) -> Callable:
    """Refuses (403) everyone but committee staff; the admin login is already required by admin_view."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_committee(request.user):
            raise PermissionDenied(_("Only committee staff may do this."))
        return view(request, *args, **kwargs)

    return wrapper


def oversight_only(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_oversight(request.user):
            raise PermissionDenied(_("Only committee staff and leaders may see this."))
        return view(request, *args, **kwargs)

    return wrapper


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:proposals_proposal_{name}", args=args)


def page_context(request: HttpRequest, model_admin, title: str, **extra) -> dict:
    """What every admin page needs (the site's sidebar, user links ...) plus this page's own values."""
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Proposal._meta,
        "title": title,
        "model_admin": model_admin,
        "is_committee": is_committee(request.user),
        **extra,
    }


def render_page(request: HttpRequest, template: str, context: dict, status: int = 200) -> TemplateResponse:
    request.current_app = context["model_admin"].admin_site.name
    return TemplateResponse(request, template, context, status=status)


def tell_hidden_errors(request: HttpRequest, form: forms.Form) -> None:
    """The errors of a form the page will not show (the step is no longer offered), as messages:
    a refused step is never silent."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` field when it points into this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


class _TrialRollback(Exception):
    pass


def trial_run(step: Callable[[], object]) -> None:
    """Runs a service step inside a savepoint that is always rolled back: the preview learns whether the
    step would be refused (``WorkflowError`` propagates) while nothing is saved or notified."""
    try:
        with transaction.atomic():
            step()
            raise _TrialRollback
    except _TrialRollback:
        pass


# Shared row helpers ----------------------------------------------------------------------------


def lead_name_subquery() -> Subquery:
    """The lead proposer's name for list rows, so a row needs no query of its own."""
    return Subquery(
        Proposer.objects.filter(proposal=OuterRef("pk"), role=ProposerRole.LEAD)
        .annotate(name=Coalesce(NullIf(F("user__full_name"), Value("")), F("user__username")))
        .order_by("order", "pk")
        .values("name")[:1]
    )


def with_badges(rows, colours=PROPOSAL_STATUS_COLOURS):
    for row in rows:
        row.badge = BADGE.get(colours.get(row.status, "grey"), "default")
    return rows


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def active_units():
    return Unit.objects.filter(is_active=True).order_by("name")


def sessions_choice_list() -> list[Session]:
    return list(Session.objects.order_by("-year", "-term", "-meeting"))


def int_param(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


# Forms ---------------------------------------------------------------------------------------

DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": " ".join(DATETIME_CLASSES)})


def textarea(rows: int = 3, **attrs) -> UnfoldAdminTextareaWidget:
    return UnfoldAdminTextareaWidget(attrs={"rows": rows, **attrs})


class AcceptForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=2000, widget=textarea(2))


class RejectForm(forms.Form):
    ground = forms.ChoiceField(
        label=gettext_lazy("Ground"),
        choices=[("", "---------"), *RejectionGround.choices],
        widget=UnfoldAdminSelectWidget,
    )
    reason = forms.CharField(
        label=gettext_lazy("Explanation to the proposer"),
        required=False,
        max_length=4000,
        widget=textarea(3),
        help_text=gettext_lazy("Required when the ground is “Other”."),
    )
    convert_to_suggestion = forms.BooleanField(
        label=gettext_lazy("Pass it on as an opinion (意见建议)"), required=False, widget=UnfoldBooleanWidget
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("ground") == RejectionGround.OTHER and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Explain why the proposal is not accepted."))
        return cleaned


class MergeForm(forms.Form):
    """并案: the target is another proposal of the same session that can still take one in."""

    into = forms.ModelChoiceField(
        label=gettext_lazy("Merge into"),
        queryset=Proposal.objects.none(),
        widget=UnfoldAdminSelect2Widget,
        error_messages={"invalid_choice": gettext_lazy("Choose a proposal of the same session that is still open.")},
    )
    note = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=2000, widget=textarea(2))

    def __init__(self, *args, proposal: Proposal, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (
            Proposal.objects.visible_to(user)
            .filter(session_id=proposal.session_id, status__in=services.MERGE_TARGET_STATUSES)
            .exclude(pk=proposal.pk)
            .only("pk", "number", "title", "status")
            .order_by("number", "title")
        )
        self.fields["into"].label_from_instance = lambda p: f"{p.number or _('(no number)')} {p.title}"


class UnitsForm(forms.Form):
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


class KeyForm(forms.Form):
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


class NoteForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Supervision note"), max_length=services.SUPERVISION_NOTE_MAX_CHARS, widget=textarea(4)
    )


# The review queue ---------------------------------------------------------------------------


@committee_only
def review_queue(request: HttpRequest, model_admin) -> HttpResponse:
    """Submitted proposals, oldest first, filterable by session and searchable."""
    sessions = sessions_choice_list()
    rows = (
        Proposal.objects.visible_to(request.user)
        .filter(status=ProposalStatus.SUBMITTED)
        .select_related("session", "category")
        .annotate(
            lead_name=lead_name_subquery(),
            cosigners=Count(
                "proposers",
                filter=Q(proposers__role=ProposerRole.COSIGNER, proposers__status=ProposerStatus.CONFIRMED),
            ),
        )
        .order_by("submitted_at", "pk")
    )
    session_id = int_param(request.GET.get("session"))
    if session_id:
        rows = rows.filter(session_id=session_id)
    query = (request.GET.get("q") or "").strip()
    if query:
        rows = search(rows, query)
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    return render_page(
        request,
        "admin/proposals/proposal/review_queue.html",
        page_context(
            request,
            model_admin,
            _("Review queue"),
            page=page,
            sessions=sessions,
            selected_session=session_id,
            query=query,
            filter_query=params.urlencode(),
        ),
    )


# Reviewing one proposal ----------------------------------------------------------------------


def _similar(proposal: Proposal, user) -> list[Proposal]:
    """Likely duplicates from this and earlier sessions (drafts are their authors' business), with
    their lead proposer's name and text, in two queries whatever the number found."""
    candidates = Proposal.objects.visible_to(user).exclude(status=ProposalStatus.DRAFT)
    found = similar_to(proposal, candidates=candidates, limit=SIMILAR_LIMIT)
    if not found:
        return []
    details = {
        row.pk: row
        for row in Proposal.objects.filter(pk__in=[p.pk for p in found])
        .select_related("session", "category")
        .annotate(lead_name=lead_name_subquery())
    }
    rows = [details[p.pk] for p in found if p.pk in details]
    for row in rows:
        row.same_session = row.session_id == proposal.session_id
        row.can_take_in = row.same_session and row.status in services.MERGE_TARGET_STATUSES
        row.suggestion_paragraphs = paragraphs(row.suggestions)[:6]
    return with_badges(rows)


def _review_context(request: HttpRequest, model_admin, proposal: Proposal, **forms_) -> dict:
    user = request.user
    proposers = list(proposal.proposers.select_related("user__member_profile").order_by("order", "pk"))
    return page_context(
        request,
        model_admin,
        _("Review: %(title)s") % {"title": proposal.title},
        proposal=with_badges([proposal])[0],
        proposers=proposers,
        attachments=list(proposal.attachments.all()),
        suggested_units=list(proposal.suggested_units.all()),
        background_paragraphs=paragraphs(proposal.background),
        suggestion_paragraphs=paragraphs(proposal.suggestions),
        similar=_similar(proposal, user),
        awaiting_review=proposal.status == ProposalStatus.SUBMITTED,
        accept_form=forms_.get("accept_form") or AcceptForm(),
        reject_form=forms_.get("reject_form") or RejectForm(),
        merge_form=forms_.get("merge_form") or MergeForm(proposal=proposal, user=user),
        open_form=forms_.get("open_form", ""),
        media=MergeForm.base_fields["into"].widget.media,
    )


def _proposal(request: HttpRequest, pk: int) -> Proposal:
    return get_object_or_404(
        Proposal.objects.visible_to(request.user).select_related("session", "category", "supervisor", "merged_into"),
        pk=pk,
    )


@committee_only
def review(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    proposal = _proposal(request, pk)
    extra = {}
    into = int_param(request.GET.get("into"))
    if into:
        # "Merge into this" on a similar proposal: the merge form opens with it chosen, to be confirmed.
        extra = {
            "merge_form": MergeForm(initial={"into": into}, proposal=proposal, user=request.user),
            "open_form": "merge",
        }
    return render_page(
        request, "admin/proposals/proposal/review.html", _review_context(request, model_admin, proposal, **extra)
    )


@require_POST
@committee_only
def accept(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    proposal = _proposal(request, pk)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        context = _review_context(request, model_admin, proposal, accept_form=form, open_form="accept")
        if not context["awaiting_review"]:
            tell_hidden_errors(request, form)
        return render_page(request, "admin/proposals/proposal/review.html", context, status=400)
    try:
        proposal = services.accept_proposal(proposal, actor=request.user, note=form.cleaned_data["note"])
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect(admin_url("review", proposal.pk))
    messages.success(
        request,
        _("《%(title)s》 was accepted as No. %(number)s. Now assign it to the handling units.")
        % {"title": proposal.title, "number": proposal.number},
    )
    return redirect(admin_url("assign", proposal.pk))


@require_POST
@committee_only
def reject(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    proposal = _proposal(request, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.reject_proposal(
                proposal,
                actor=request.user,
                ground=data["ground"],
                reason=data["reason"],
                convert_to_suggestion=data["convert_to_suggestion"],
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            text = _("《%(title)s》 was not accepted.") % {"title": proposal.title}
            if data["convert_to_suggestion"]:
                text += " " + _("It was passed on as an opinion (意见建议).")
            messages.success(request, text)
            return redirect(admin_url("review_queue"))
    context = _review_context(request, model_admin, proposal, reject_form=form, open_form="reject")
    if not context["awaiting_review"]:
        tell_hidden_errors(request, form)
    return render_page(request, "admin/proposals/proposal/review.html", context, status=400)


@require_POST
@committee_only
def merge(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    proposal = _proposal(request, pk)
    form = MergeForm(request.POST, proposal=proposal, user=request.user)
    if form.is_valid():
        into = form.cleaned_data["into"]
        try:
            services.merge_proposal(proposal, actor=request.user, into=into, note=form.cleaned_data["note"])
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("《%(title)s》 was merged into %(target)s; its proposers will receive that proposal's reply.")
                % {"title": proposal.title, "target": services.proposal_label(into)},
            )
            return redirect(admin_url("review_queue"))
    context = _review_context(request, model_admin, proposal, merge_form=form, open_form="merge")
    if not context["awaiting_review"]:
        tell_hidden_errors(request, form)
    return render_page(request, "admin/proposals/proposal/review.html", context, status=400)


# Assignment (交办) ---------------------------------------------------------------------------


def deadline_rows(session: Session, assigned_on: dt.date, pairs, cal: WorkCalendar) -> list[dict]:
    """The due dates each unit would get, with their explanations: the same fields an Assignment stores."""
    rows = []
    for unit, role in pairs:
        fields = assignment_deadlines(session, assigned_on, with_opinion=role == AssignmentRole.COHANDLING, cal=cal)
        rows.append({"unit": unit, "role": role, "role_label": AssignmentRole(role).label, **fields})
    return rows


def live_assignments(proposal: Proposal) -> list[Assignment]:
    """This round's assignments that were not handed back, lead first."""
    rows = list(
        Assignment.objects.filter(proposal=proposal, round=proposal.handling_round)
        .exclude(status=AssignmentStatus.RETURNED)
        .select_related("unit")
        .order_by("pk")
    )
    rows.sort(key=lambda row: ROLE_ORDER.get(row.role, 3))
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
    proposal = _proposal(request, pk)
    existing = live_assignments(proposal)
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


# Key proposals and supervision (重点提案, 督办) ---------------------------------------------------


def _supervision_context(request: HttpRequest, model_admin, proposal: Proposal, **forms_) -> dict:
    user = request.user
    key_form = forms_.get("key_form") or KeyForm(initial={"is_key": "1", "supervisor": proposal.supervisor_id or None})
    return page_context(
        request,
        model_admin,
        _("Key proposal and supervision: %(title)s") % {"title": proposal.title},
        proposal=with_badges([proposal])[0],
        assignments=live_assignments(proposal),
        notes=list(proposal.supervision_notes.select_related("author")),
        can_mark=is_committee(user) and proposal.status in services.KEY_STATUSES,
        can_note=proposal.is_key and is_oversight(user),
        key_form=key_form,
        note_form=forms_.get("note_form") or NoteForm(),
        today=timezone.localdate(),
    )


@oversight_only
def supervision(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    """A key proposal's supervising leader, handling units and supervision notes; leaders and committee
    staff add notes here (POST)."""
    proposal = _proposal(request, pk)
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
    proposal = _proposal(request, pk)
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
                queryset=Assignment.objects.exclude(status=AssignmentStatus.RETURNED)
                .select_related("unit")
                .order_by("pk"),
                to_attr="live_assignments",
            )
        )
        .order_by("session_id", "number", "pk")
    )
    leaders = []
    supervisor_id = None
    if is_committee(user):
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
        current = [a for a in row.live_assignments if a.round == row.handling_round]
        current.sort(key=lambda a: ROLE_ORDER.get(a.role, 3))
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
    title = _("Key proposals") if is_committee(user) else _("My supervised proposals")
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


# Publication (提案公开) -----------------------------------------------------------------------


def _publish_one(request: HttpRequest, proposal: Proposal) -> bool:
    try:
        services.publish_proposal(proposal, actor=request.user)
    except WorkflowError as exc:
        messages.error(request, f"{services.proposal_label(proposal)}: {exc.message}")
        return False
    return True


@require_POST
@committee_only
def publish(request: HttpRequest, pk: int, model_admin) -> HttpResponse:
    proposal = _proposal(request, pk)
    if _publish_one(request, proposal):
        messages.success(
            request,
            _("%(label)s is published on the public pages, without contact details.")
            % {"label": services.proposal_label(proposal)},
        )
    return redirect(safe_next(request, admin_url("publication")))


@committee_only
def publication(request: HttpRequest, model_admin) -> HttpResponse:
    """Proposals with a sent reply, waiting for publication or published; POST publishes the ticked ones."""
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
        chosen = list(Proposal.objects.visible_to(request.user).filter(pk__in=ids).order_by("pk"))
        if not chosen:
            # Nothing ticked, or only ids of proposals that are gone or hidden: say so rather than nothing.
            messages.warning(request, _("Tick the proposals to publish."))
        done = sum(_publish_one(request, proposal) for proposal in chosen)
        if done:
            messages.success(request, _("%(count)d proposals were published.") % {"count": done})
        return redirect(safe_next(request, admin_url("publication")))

    published = request.GET.get("published") == "1"
    sent = Reply.objects.filter(assignment__proposal=OuterRef("pk"), status=ReplyStatus.SENT)
    rows = (
        Proposal.objects.visible_to(request.user)
        .filter(models.Exists(sent), is_published=published)
        .select_related("session", "category")
        .annotate(
            lead_name=lead_name_subquery(),
            first_sent=Min("assignments__replies__sent_at", filter=Q(assignments__replies__status=ReplyStatus.SENT)),
            replies_sent=Count(
                "assignments__replies", filter=Q(assignments__replies__status=ReplyStatus.SENT), distinct=True
            ),
        )
        .order_by(F("published_at").desc(nulls_last=True) if published else F("first_sent").asc(), "pk")
    )
    session_id = int_param(request.GET.get("session"))
    if session_id:
        rows = rows.filter(session_id=session_id)
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_badges(list(page.object_list))
    cal = WorkCalendar.load()
    today = timezone.localdate()
    for row in page.object_list:
        if row.first_sent and not published:
            due = publication_due(row.session, timezone.localdate(row.first_sent), cal)
            row.publication_due, row.publication_due_note = due.date, due.note
            row.publication_late = due.date < today
    params = request.GET.copy()
    params.pop("page", None)
    return render_page(
        request,
        "admin/proposals/proposal/publication.html",
        page_context(
            request,
            model_admin,
            _("Publication"),
            page=page,
            published=published,
            sessions=sessions_choice_list(),
            selected_session=session_id,
            filter_query=params.urlencode(),
            here=request.get_full_path(),
        ),
    )


def bulk_assign_redirect(queryset) -> HttpResponseRedirect:
    """Where the changelist's bulk action sends the ticked proposals."""
    ids = ",".join(str(pk) for pk in queryset.filter(status=ProposalStatus.ACCEPTED).values_list("pk", flat=True))
    return HttpResponseRedirect(f"{admin_url('assign_many')}?{urlencode({'ids': ids})}")
