"""One assignment in the unit's admin: accept (签收), ask to return or for more time (延期), contact log (办前沟通),
co-handling opinion (会办意见), and where its reply stands.

URL name (namespace ``admin``): ``responses_assignment_handle``. The steps offered are those the
policy functions in ``responses.policy`` allow, the same ones the services enforce.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.security import safe_next
from proposals.workflow import WorkflowError
from responses import policy, services
from responses.admin_views.common import (
    admin_url,
    cohandling_opinions,
    is_own_unit,
    page,
    refusal,
    tell_hidden_errors,
    visible,
)
from responses.choices import (
    ASSIGNMENT_STATUS_COLOURS,
    COUNTERSIGN_STATUS_COLOURS,
    REPLY_STATUS_COLOURS,
    REPLYING_ROLES,
    AssignmentRole,
    CountersignStatus,
    ReplyStatus,
)
from responses.models import Assignment, Countersign, Opinion
from responses.policy import allowed
from responses.unit_forms import ContactForm, ExtensionRequestForm, OpinionForm, ReturnRequestForm, WaiveOpinionForm


def _handle_context(request: HttpRequest, assignment: Assignment, forms: dict) -> dict:
    user = request.user
    own = is_own_unit(request, assignment)
    today = timezone.localdate()
    proposal = assignment.proposal
    reply = services.round_reply(assignment) if assignment.role in REPLYING_ROLES else None
    followup = services.round_reply(assignment, followup=True) if reply else None
    basis = policy.followup_basis(assignment) if reply and reply.status == ReplyStatus.SENT else None
    due = assignment.opinion_due if assignment.role == AssignmentRole.COHANDLING else assignment.reply_due
    days = (due - today).days if due and assignment.is_open else None
    followup_days = (basis.commitment_date - today).days if basis else None
    # A co-handling unit asked to countersign the lead unit's draft (会签): the requests, answered or not.
    countersigns = []
    if assignment.role == AssignmentRole.COHANDLING:
        countersigns = list(
            Countersign.objects.visible_to(user)
            .filter(assignment=assignment)
            .select_related("reply__assignment__unit")
            .order_by("-requested_at", "-pk")
        )
        for row in countersigns:
            row.colour = COUNTERSIGN_STATUS_COLOURS.get(row.status, "grey")
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
        # Each step is offered when the policy function its service enforces would let this user take it.
        "can_accept": allowed(policy.check_accept, user, assignment),
        "can_request_return": allowed(policy.check_request_return, user, assignment, today),
        "window_open": policy.return_window_open(assignment, today),
        "return_requests": list(assignment.return_requests.select_related("requested_by", "suggested_unit")),
        "can_request_extension": allowed(policy.check_request_extension, user, assignment),
        "extension_requests": list(assignment.extension_requests.select_related("requested_by", "decided_by")),
        "can_log_contact": allowed(policy.check_log_contact, user, assignment),
        "contacts": list(assignment.contacts.select_related("recorded_by")),
        "can_send_opinion": allowed(policy.check_send_opinion, user, assignment),
        "can_waive_opinion": allowed(policy.check_waive_opinion, user, assignment),
        "own_opinion": Opinion.objects.filter(assignment=assignment).first()
        if assignment.role == AssignmentRole.COHANDLING
        else None,
        "cohandling": cohandling_opinions(assignment),
        "countersigns": countersigns,
        "countersign_pending": any(
            row.status == CountersignStatus.PENDING and row.reply.status == ReplyStatus.DRAFT for row in countersigns
        ),
        "reply": reply,
        "reply_colour": REPLY_STATUS_COLOURS.get(reply.status, "grey") if reply else "",
        "can_draft": allowed(policy.check_draft, user, assignment, reply),
        "followup": followup,
        "followup_colour": REPLY_STATUS_COLOURS.get(followup.status, "grey") if followup else "",
        "followup_basis": basis,
        "can_draft_followup": basis is not None
        and allowed(policy.check_draft, user, assignment, followup, followup=True),
        "events": list(proposal.events.select_related("actor").order_by("-created_at", "-pk")[:12]),
        **forms,
    }


def _handle_forms(request: HttpRequest, assignment: Assignment, bound: dict | None = None) -> dict:
    bound = bound or {}
    return {
        "return_form": bound.get("return_form") or ReturnRequestForm(unit=assignment.unit),
        "extension_form": bound.get("extension_form") or ExtensionRequestForm(assignment=assignment),
        "contact_form": bound.get("contact_form")
        or ContactForm(
            initial={"contacted_on": timezone.localdate(), "participants": ""}, session=assignment.proposal.session
        ),
        "opinion_form": bound.get("opinion_form") or OpinionForm(),
        "waive_form": bound.get("waive_form") or WaiveOpinionForm(),
    }


def handle_view(request: HttpRequest, object_id: str, *, model_admin) -> HttpResponse:
    """One assignment and its next steps; POST ``action`` = accept, return, extension, contact, opinion or waive (committee)."""
    assignment = visible(model_admin, request, object_id, related=("proposal__session", "unit"))
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
            elif action == "extension":
                form = bound["extension_form"] = ExtensionRequestForm(request.POST, assignment=assignment)
                if form.is_valid():
                    services.request_extension(
                        assignment,
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                        requested_until=form.cleaned_data["requested_until"],
                    )
                    messages.success(
                        request,
                        _("Your request for more time was sent to the committee; you will be told its decision."),
                    )
                    return redirect(f"{here}#extension")
            elif action == "waive":
                form = bound["waive_form"] = WaiveOpinionForm(request.POST)
                if form.is_valid():
                    services.waive_opinion(assignment, actor=request.user, reason=form.cleaned_data["reason"])
                    messages.success(request, _("The opinion was waived; the lead unit may send its reply."))
                    return redirect(f"{here}#waive")
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
                messages.error(request, refusal(exc))
                return redirect(safe_next(request, here))
            form.add_error(None, refusal(exc))
    context = _handle_context(request, assignment, _handle_forms(request, assignment, bound))
    shown = {
        "return_form": context["can_request_return"],
        "extension_form": context["can_request_extension"],
        "contact_form": context["can_log_contact"],
        "opinion_form": context["can_send_opinion"],
        "waive_form": context["can_waive_opinion"],
    }
    for name, form in bound.items():
        if not shown[name]:
            tell_hidden_errors(request, form)
    return page(model_admin, request, "admin/units/handle.html", context)
