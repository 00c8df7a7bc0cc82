"""The unit's workflow pages in the admin: worklist, assignment handling, reply drafting and sign-off.

Registered by ``AssignmentAdmin.get_urls`` and ``ReplyAdmin.get_urls`` (responses/admin.py),
so every page runs inside ``admin_site.admin_view`` (staff sign-in, CSRF) and finds its
object through the model admin's ``get_queryset`` (``visible_to``): another unit's
assignment or reply answers 404. Each view parses a form, calls one service and
redirects; a refusal from the service is shown on the form, nothing half-saved.

URL names (namespace ``admin``):
- ``responses_assignment_worklist``: the unit's work grouped by what needs doing next;
- ``responses_assignment_handle``: one assignment: accept (签收), ask to return, contact log
  (办前沟通), co-handling opinion (会办意见), the reply's state;
- ``responses_assignment_reply`` / ``responses_assignment_followup``: the reply (or follow-up
  reply, 跟踪答复) draft, with optimistic locking and the co-handlers' opinions beside it;
- ``responses_reply_review``: the letter as it will be sent, sign-off (签发) or send back, send;
- ``responses_reply_revisions``: the draft's field-level history.
"""

from __future__ import annotations

import difflib
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms import SelectMultiple
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import UNIT_ROLES, Role
from accounts.security import safe_next
from proposals.services import proposal_recipients
from proposals.workflow import ReplyConflict, WorkflowError
from responses import services, worklist
from responses.choices import (
    ASSIGNMENT_STATUS_COLOURS,
    REPLY_STATUS_COLOURS,
    REPLYING_ROLES,
    AssignmentRole,
    AssignmentStatus,
    ReplyStatus,
    RequestStatus,
)
from responses.filters import AssignmentFilterSet
from responses.letters import build_letter, draft_initial
from responses.models import Assignment, Contact, Opinion, Reply, ReplyCategory, ReplyRevision, ReturnRequest
from responses.unit_forms import ContactForm, OpinionForm, ReplyForm, ReturnRequestForm, SendBackForm

# Helpers ---------------------------------------------------------------------------------


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:responses_{name}", args=args)


def _visible(model_admin, request: HttpRequest, object_id: str, *, related=()):
    """The object if this user may see it, else 404 (also for malformed ids)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        raise Http404 from None
    obj = model_admin.get_queryset(request).select_related(*related).filter(pk=pk).first()
    if obj is None:
        raise Http404(_("No such object, or you may not see it."))
    return obj


def _page(model_admin, request: HttpRequest, template: str, context: dict, *, status: int = 200) -> TemplateResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "is_unit_staff": request.user.role in UNIT_ROLES,
        **context,
    }
    return TemplateResponse(request, template, context, status=status)


def _is_own_unit(request: HttpRequest, assignment: Assignment) -> bool:
    return request.user.role in UNIT_ROLES and request.user.unit_id == assignment.unit_id


def _refusal(exc: Exception) -> str:
    return exc.message if isinstance(exc, WorkflowError) else (str(exc) or _("You may not do this."))


def _tell_hidden_errors(request: HttpRequest, form) -> None:
    """The errors of a form the page will not show (the step is not offered now), as messages:
    a refused step is never silent."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


# Worklist --------------------------------------------------------------------------------


class OneOfSelect(SelectMultiple):
    """A multiple-choice filter shown as one <select>: its "all" option sends nothing."""

    allow_multiple_selected = False

    def value_from_datadict(self, data, files, name):
        return [value for value in super().value_from_datadict(data, files, name) if value]


# The filters shown on the worklist; the FilterSet's others still apply when a link sets them.
SHOWN_FILTERS = ("q", "status", "role", "overdue", "is_key", "session", "category")


def _filter_form(filterset: AssignmentFilterSet, user):
    form = filterset.form
    if user.role in UNIT_ROLES:
        # One unit's own list: a unit filter would only offer other units' names.
        form.fields.pop("unit", None)
    for name in ("status", "role", "session", "category", "proposal_status"):
        if name in form.fields:
            field = form.fields[name]
            field.widget = OneOfSelect(choices=[("", _("All")), *field.choices])
    for name in ("overdue", "is_key"):
        if name in form.fields:
            form.fields[name].widget.choices = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]
    return form


def _row_actions(row: worklist.Row, user, list_url: str) -> list[dict]:
    """The buttons of a worklist row: the next step first."""
    a = row.assignment
    handle = admin_url("assignment_handle", a.pk)
    view = {"label": _("Open"), "url": handle}
    if row.stage == "accept":
        return [
            {"label": _("Accept (签收)"), "url": handle, "post": "accept", "next": list_url, "primary": True},
            {"label": _("Ask to return"), "url": f"{handle}#return"},
        ]
    if row.stage == "contact":
        return [{"label": _("Record a contact"), "url": f"{handle}#contacts", "primary": True}, view]
    if row.stage == "draft":
        label = _("Continue the draft") if a.reply_pk else _("Draft the reply")
        return [{"label": label, "url": admin_url("assignment_reply", a.pk), "primary": True}, view]
    if row.stage == "opinion":
        return [{"label": _("Write the opinion"), "url": f"{handle}#opinion", "primary": True}, view]
    if row.stage == "followup":
        label = _("Continue the follow-up reply") if a.followup_pk else _("Draft the follow-up reply")
        return [{"label": label, "url": admin_url("assignment_followup", a.pk), "primary": True}, view]
    if row.stage == "signoff":
        label = _("Review and sign off") if user.role == Role.UNIT_LEADER else _("View the letter")
        return [{"label": label, "url": admin_url("reply_review", row.reply_pk), "primary": True}, view]
    if row.stage == "send":
        return [{"label": _("Send the reply"), "url": admin_url("reply_review", row.reply_pk), "primary": True}, view]
    return [view]


def worklist_context(request: HttpRequest, queryset) -> dict:
    """The worklist's context for ``queryset`` (the user's visible assignments): groups, filters, sorting."""
    params = request.GET.copy()
    sort = params.pop("o", ["due"])[-1]
    filterset = AssignmentFilterSet(params, queryset=queryset, request=request)
    form = _filter_form(filterset, request.user)
    groups = worklist.build(filterset.qs, user=request.user, sort=sort)
    list_url = request.get_full_path()
    for group in groups:
        for row in group.rows:
            row.actions = _row_actions(row, request.user, list_url)
    base = params.urlencode()
    sorts = []
    for key, label in worklist.SORTS.items():
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        target = f"-{key}" if current and not descending else key
        sorts.append(
            {
                "key": key,
                "label": label,
                "current": current,
                "descending": current and descending,
                "url": "?" + "&".join(part for part in (base, urlencode({"o": target})) if part),
            }
        )
    return {
        "groups": groups,
        "filter_form": form,
        "shown_fields": [form[name] for name in SHOWN_FILTERS if name in form.fields],
        # Filters set by a link (a dashboard drill-down) but not shown: kept when the form is sent again.
        "hidden_params": [
            (key, value)
            for key, values in params.lists()
            if key in form.fields and key not in SHOWN_FILTERS
            for value in values
            if value
        ],
        "is_filtered": any(value for key, value in params.items() if key in form.fields),
        "sort": sort,
        "sorts": sorts,
        "row_count": sum(len(group.rows) for group in groups),
        "done_limit": worklist.DONE_LIMIT,
    }


def unit_home_context(request: HttpRequest) -> dict:
    """The worklist for the admin home of unit staff (``{% include "admin/units/_home.html" %}``); {} for others."""
    if request.user.role not in UNIT_ROLES:
        return {}
    return {"unit_worklist": worklist_context(request, Assignment.objects.visible_to(request.user))}


def worklist_view(request: HttpRequest, *, model_admin) -> HttpResponse:
    """The unit's home: its assignments grouped by the next step. Other staff use the assignment list."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if request.user.role not in UNIT_ROLES:
        return redirect(admin_url("assignment_changelist"))
    context = worklist_context(request, model_admin.get_queryset(request))
    context.update(title=_("Your unit's work"), subtitle=request.user.unit.name)
    return _page(model_admin, request, "admin/units/worklist.html", context)


# One assignment ----------------------------------------------------------------------------


def _cohandling_opinions(assignment: Assignment) -> list[dict]:
    """For a lead unit: each co-handling unit of the round with its opinion, if sent (late ones marked).

    The lead unit coordinates its co-handlers, so it sees who they are, their due date and
    what they sent; nothing else of their work.
    """
    if assignment.role != AssignmentRole.LEAD:
        return []
    cohandlers = (
        Assignment.objects.filter(proposal_id=assignment.proposal_id, round=assignment.round)
        .filter(role=AssignmentRole.COHANDLING)
        .exclude(status=AssignmentStatus.RETURNED)
        .select_related("unit")
        .order_by("pk")
    )
    opinions = {
        opinion.assignment_id: opinion
        for opinion in Opinion.objects.filter(assignment__in=cohandlers).select_related("author")
    }
    today = timezone.localdate()
    return [
        {
            "unit": row.unit,
            "due": row.opinion_due,
            "opinion": opinions.get(row.pk),
            "overdue": row.pk not in opinions and row.opinion_due is not None and row.opinion_due < today,
        }
        for row in cohandlers
    ]


def _handle_context(request: HttpRequest, assignment: Assignment, forms: dict) -> dict:
    own = _is_own_unit(request, assignment)
    today = timezone.localdate()
    proposal = assignment.proposal
    reply = services.round_reply(assignment) if assignment.role in REPLYING_ROLES else None
    followup = services.round_reply(assignment, followup=True) if reply else None
    basis = services.followup_basis(assignment) if reply and reply.status == ReplyStatus.SENT else None
    window_open = assignment.return_window_ends is None or today <= assignment.return_window_ends
    can_request_return = (
        own
        and assignment.status in (AssignmentStatus.PENDING, AssignmentStatus.HANDLING)
        and window_open
        and not ReturnRequest.objects.filter(assignment=assignment, status=RequestStatus.PENDING).exists()
    )
    due = assignment.opinion_due if assignment.role == AssignmentRole.COHANDLING else assignment.reply_due
    days = (due - today).days if due and assignment.is_open else None
    followup_days = (basis.commitment_date - today).days if basis else None
    return {
        "title": proposal.title,
        "subtitle": _("Proposal No. %(number)s") % {"number": proposal.number} if proposal.number else "",
        "days": days,
        "overdue_days": max(0, -days) if days is not None else 0,
        "followup_days": followup_days,
        "followup_overdue": max(0, -followup_days) if followup_days is not None else 0,
        "assignment": assignment,
        "proposal": proposal,
        "proposers": list(proposal.proposers.select_related("user").order_by("order", "pk")),
        "attachments": list(proposal.attachments.all()),
        "status_colour": ASSIGNMENT_STATUS_COLOURS.get(assignment.status, "grey"),
        "own": own,
        "today": today,
        "can_accept": own and assignment.status == AssignmentStatus.PENDING,
        "can_request_return": can_request_return,
        "window_open": window_open,
        "return_requests": list(assignment.return_requests.select_related("requested_by", "suggested_unit")),
        "can_log_contact": own and assignment.status in services.CONTACT_STATUSES,
        "contacts": list(assignment.contacts.select_related("recorded_by")),
        "can_send_opinion": own
        and assignment.role == AssignmentRole.COHANDLING
        and assignment.status == AssignmentStatus.HANDLING,
        "own_opinion": Opinion.objects.filter(assignment=assignment).first()
        if assignment.role == AssignmentRole.COHANDLING
        else None,
        "cohandling": _cohandling_opinions(assignment),
        "reply": reply,
        "reply_colour": REPLY_STATUS_COLOURS.get(reply.status, "grey") if reply else "",
        "can_draft": own
        and assignment.role in REPLYING_ROLES
        and assignment.status == AssignmentStatus.HANDLING
        and (reply is None or reply.status == ReplyStatus.DRAFT),
        "followup": followup,
        "followup_colour": REPLY_STATUS_COLOURS.get(followup.status, "grey") if followup else "",
        "followup_basis": basis,
        "can_draft_followup": own
        and basis is not None
        and assignment.status == AssignmentStatus.REPLIED
        and (followup is None or followup.status == ReplyStatus.DRAFT),
        "events": list(proposal.events.select_related("actor").order_by("-created_at", "-pk")[:12]),
        **forms,
    }


def _handle_forms(request: HttpRequest, assignment: Assignment, bound: dict | None = None) -> dict:
    bound = bound or {}
    return {
        "return_form": bound.get("return_form") or ReturnRequestForm(unit=assignment.unit),
        "contact_form": bound.get("contact_form")
        or ContactForm(
            initial={"contacted_on": timezone.localdate(), "participants": ""}, session=assignment.proposal.session
        ),
        "opinion_form": bound.get("opinion_form") or OpinionForm(),
    }


def handle_view(request: HttpRequest, object_id: str, *, model_admin) -> HttpResponse:
    """One assignment and its next steps; POST ``action`` = accept, return, contact or opinion."""
    assignment = _visible(model_admin, request, object_id, related=("proposal__session", "unit"))
    here = admin_url("assignment_handle", assignment.pk)
    bound: dict = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                services.accept_assignment(assignment, actor=request.user)
                messages.success(request, _("Assignment accepted (签收). It is now being handled."))
                return redirect(safe_next(request, here))
            if action == "return":
                form = bound["return_form"] = ReturnRequestForm(request.POST, unit=assignment.unit)
                if form.is_valid():
                    services.request_return(
                        assignment,
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                        suggested_unit=form.cleaned_data["suggested_unit"],
                    )
                    messages.success(request, _("Your request to return the assignment was sent to the committee."))
                    return redirect(here)
            elif action == "contact":
                form = bound["contact_form"] = ContactForm(request.POST, session=assignment.proposal.session)
                if form.is_valid():
                    services.log_contact(assignment, actor=request.user, **form.cleaned_data)
                    messages.success(request, _("Contact with the proposer recorded."))
                    return redirect(f"{here}#contacts")
            elif action == "opinion":
                form = bound["opinion_form"] = OpinionForm(request.POST)
                if form.is_valid():
                    opinion = services.send_opinion(assignment, actor=request.user, body=form.cleaned_data["body"])
                    if opinion.is_late:
                        messages.warning(request, _("Opinion sent to the lead unit, after its due date."))
                    else:
                        messages.success(request, _("Opinion sent to the lead unit."))
                    return redirect(here)
            else:
                messages.error(request, _("Unknown action."))
                return redirect(here)
        except (WorkflowError, PermissionDenied) as exc:
            form = bound.get(f"{action}_form")
            if form is None:
                messages.error(request, _refusal(exc))
                return redirect(safe_next(request, here))
            form.add_error(None, _refusal(exc))
    context = _handle_context(request, assignment, _handle_forms(request, assignment, bound))
    shown = {
        "return_form": context["can_request_return"],
        "contact_form": context["can_log_contact"],
        "opinion_form": context["can_send_opinion"],
    }
    for name, form in bound.items():
        if not shown[name]:
            _tell_hidden_errors(request, form)
    return _page(model_admin, request, "admin/units/handle.html", context)


# The reply draft ---------------------------------------------------------------------------


def _display(name: str, value, categories: dict) -> str:
    if value in (None, ""):
        return "—"
    if name == "category":
        category = categories.get(value)
        return f"{category.code} · {category.name}" if category else str(value)
    return str(value)


def line_diff(old: str, new: str, context: int = 1) -> list[tuple[str, str]]:
    """The lines of ``new`` against ``old`` as (kind, text): same, removed, added, or gap for skipped lines."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    rows: list[tuple[str, str]] = []
    for group in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_grouped_opcodes(context):
        if rows:
            rows.append(("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [("same", line) for line in a[i1:i2]]
            else:
                rows += [("removed", line) for line in a[i1:i2]]
                rows += [("added", line) for line in b[j1:j2]]
    return rows


def field_changes(changes: dict, categories: dict) -> list[dict]:
    """A revision's ``{field: [old, new]}`` as rows to show, in the form's field order."""
    rows = []
    for name in services.REPLY_FIELDS:
        if name not in changes:
            continue
        old, new = changes[name]
        row = {"name": name, "label": Reply._meta.get_field(name).verbose_name}
        if name == "body":
            row["diff"] = line_diff(old or "", new or "")
        else:
            row["old"], row["new"] = _display(name, old, categories), _display(name, new, categories)
        rows.append(row)
    return rows


def _revision_rows(revisions, categories: dict) -> list[dict]:
    return [{"revision": revision, "changes": field_changes(revision.changes, categories)} for revision in revisions]


def _conflict_context(exc: ReplyConflict, typed: dict, categories: dict) -> dict:
    """What changed meanwhile, and where the saved text now differs from what this user typed."""
    yours = {
        name: (value.pk if name == "category" and value is not None else value)
        for name, value in typed.items()
        if name in services.REPLY_FIELDS
    }
    yours = {name: value.isoformat() if name == "commitment_date" and value else value for name, value in yours.items()}
    differences = []
    for name in services.REPLY_FIELDS:
        if name not in yours:
            continue
        saved, mine = exc.current.get(name), yours[name]
        if (saved or None) == (mine or None):
            continue
        row = {"name": name, "label": Reply._meta.get_field(name).verbose_name}
        if name == "body":
            row["diff"] = line_diff(saved or "", mine or "")
        else:
            row["saved"], row["yours"] = _display(name, saved, categories), _display(name, mine, categories)
        differences.append(row)
    return {
        "conflict": exc,
        "conflict_revisions": _revision_rows(exc.revisions, categories),
        "conflict_differences": differences,
    }


def reply_edit_view(request: HttpRequest, object_id: str, *, model_admin, followup: bool = False) -> HttpResponse:
    """Draft the reply (or follow-up reply): save, or save and submit for sign-off, in one step."""
    assignment = _visible(model_admin, request, object_id, related=("proposal__session", "unit"))
    reply = services.round_reply(assignment, followup=followup)
    if reply is not None and reply.status != ReplyStatus.DRAFT:
        messages.info(request, _("This reply has been submitted; it can no longer be edited."))
        return redirect(admin_url("reply_review", reply.pk))
    own = _is_own_unit(request, assignment)
    categories = {category.pk: category for category in ReplyCategory.objects.all()}
    context: dict = {}
    if request.method == "POST":
        if not own:
            raise PermissionDenied
        form = ReplyForm(request.POST, followup=followup)
        if form.is_valid():
            submit = "_submit" in request.POST
            try:
                with transaction.atomic():
                    # Saved and submitted together: a refused submission keeps nothing of the save.
                    reply = services.save_reply_draft(
                        assignment,
                        actor=request.user,
                        data=form.reply_data(),
                        base_version=form.cleaned_data["base_version"],
                        followup=followup,
                    )
                    result = services.submit_reply(reply, actor=request.user) if submit else None
            except ReplyConflict as exc:
                data = request.POST.copy()
                # The next save starts from what is saved now: saving again is a decision made after seeing it.
                data["base_version"] = str(exc.version)
                form = ReplyForm(data, followup=followup)
                form.is_valid()
                form.add_error(None, exc.message)
                context.update(_conflict_context(exc, form.reply_data(), categories))
            except (WorkflowError, PermissionDenied) as exc:
                form.add_error(None, _refusal(exc))
            else:
                if result is None:
                    messages.success(request, _("Draft saved (version %(version)d).") % {"version": reply.version})
                    return redirect(request.path)
                messages.success(request, _("Reply submitted to the unit leader for sign-off."))
                if result.missing_contact:
                    messages.warning(
                        request,
                        _("No contact with the proposer has been recorded: the reply is flagged at sign-off."),
                    )
                return redirect(admin_url("assignment_handle", assignment.pk))
    elif reply is not None:
        values = services.reply_values(reply)
        form = ReplyForm(initial={**values, "base_version": reply.version}, followup=followup)
    else:
        form = ReplyForm(initial=draft_initial(assignment, request.user, followup=followup), followup=followup)

    revisions = list(reply.revisions.select_related("editor").order_by("-version")[:5]) if reply else []
    context.update(
        {
            "title": _("Follow-up reply") if followup else _("Reply letter"),
            "subtitle": f"{assignment.proposal.number} {assignment.proposal.title}",
            "assignment": assignment,
            "proposal": assignment.proposal,
            "reply": reply,
            "followup": followup,
            "basis": services.followup_basis(assignment) if followup else None,
            "form": form,
            "own": own,
            "categories": categories,
            "commitment_codes": [c.pk for c in categories.values() if c.requires_commitment],
            "contacts": list(assignment.contacts.select_related("recorded_by")),
            "cohandling": _cohandling_opinions(assignment),
            "recent_revisions": _revision_rows(revisions, categories),
        }
    )
    return _page(model_admin, request, "admin/units/reply_form.html", context)


# Sign-off and sending ----------------------------------------------------------------------


def review_view(request: HttpRequest, object_id: str, *, model_admin) -> HttpResponse:
    """The letter as it will be sent, with what the leader should know; POST ``action`` = sign, sendback, send."""
    reply = _visible(model_admin, request, object_id, related=("assignment__proposal__session", "assignment__unit"))
    assignment = reply.assignment
    here = admin_url("reply_review", reply.pk)
    user = request.user
    own = _is_own_unit(request, assignment)
    sendback_form = SendBackForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "sign":
                services.sign_reply(reply, actor=user)
                messages.success(request, _("Reply signed off (签发). It can now be sent."))
                return redirect(here)
            if action == "send":
                services.send_reply(reply, actor=user)
                messages.success(request, _("Reply sent. Every proposer has been notified."))
                return redirect(admin_url("assignment_handle", assignment.pk))
            if action == "sendback":
                sendback_form = SendBackForm(request.POST)
                if sendback_form.is_valid():
                    services.send_back_reply(reply, actor=user, comments=sendback_form.cleaned_data["comments"])
                    messages.success(request, _("Reply sent back to the handler with your comments."))
                    return redirect(here)
            else:
                messages.error(request, _("Unknown action."))
                return redirect(here)
        except (WorkflowError, PermissionDenied) as exc:
            if action == "sendback":
                sendback_form.add_error(None, _refusal(exc))
            else:
                messages.error(request, _refusal(exc))
                return redirect(here)
    is_leader = own and user.role == Role.UNIT_LEADER
    if sendback_form.is_bound and not (is_leader and reply.status == ReplyStatus.AWAITING_SIGNOFF):
        _tell_hidden_errors(request, sendback_form)
    context = {
        "title": _("Follow-up reply") if reply.is_followup else _("Reply letter"),
        "subtitle": f"{assignment.proposal.number} {assignment.proposal.title}",
        "reply": reply,
        "assignment": assignment,
        "proposal": assignment.proposal,
        "letter": build_letter(reply),
        "status_colour": REPLY_STATUS_COLOURS.get(reply.status, "grey"),
        "missing_contact": not Contact.objects.filter(assignment=assignment).exists(),
        "contacts": list(assignment.contacts.select_related("recorded_by")),
        "cohandling": _cohandling_opinions(assignment),
        "own": own,
        "can_sign": is_leader and reply.status == ReplyStatus.AWAITING_SIGNOFF,
        "can_send": own and reply.status == ReplyStatus.SIGNED,
        "can_edit": own and reply.status == ReplyStatus.DRAFT,
        "edit_url": admin_url("assignment_followup" if reply.is_followup else "assignment_reply", assignment.pk),
        "sendback_form": sendback_form,
        "recipients": proposal_recipients(assignment.proposal),
        "revision_count": reply.revisions.count(),
    }
    return _page(model_admin, request, "admin/units/reply_review.html", context)


def revisions_view(request: HttpRequest, object_id: str, *, model_admin) -> HttpResponse:
    """The draft's field-level history: who changed which field, from what to what, when."""
    reply = _visible(model_admin, request, object_id, related=("assignment__proposal", "assignment__unit"))
    categories = {category.pk: category for category in ReplyCategory.objects.all()}
    revisions = ReplyRevision.objects.filter(reply=reply).select_related("editor").order_by("-version")
    context = {
        "title": _("Changes to the reply"),
        "subtitle": f"{reply.assignment.proposal.number} {reply.assignment.proposal.title}",
        "reply": reply,
        "assignment": reply.assignment,
        "revisions": _revision_rows(revisions, categories),
    }
    return _page(model_admin, request, "admin/units/reply_revisions.html", context)
