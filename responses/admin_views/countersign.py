"""Countersigning (会签) in the unit's admin.

- ``countersign_view`` (``responses_assignment_countersign``): a co-handling unit's page for one of its
  assignments: the lead unit's draft as it was sent, and the forms to agree to it or return it with
  comments. Found through the assignment (``visible_to``): the lead unit, other units and members answer
  404; committee staff and leaders read it.
- ``countersign_panel``: what the lead unit's reply page shows of it: each co-handling unit's state
  (pending / agreed / returned with comments, who and when) for the draft's current version.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from proposals.workflow import WorkflowError
from responses import policy, services
from responses.admin_views.common import admin_url, page, refusal, visible
from responses.choices import COUNTERSIGN_STATUS_COLOURS, CountersignStatus
from responses.models import Assignment, Countersign, Reply
from responses.policy import allowed
from responses.unit_forms import CountersignForm


def countersign_panel(assignment: Assignment, reply: Reply | None) -> dict | None:
    """For a lead unit whose reply is countersigned: each unit asked, with its answer to the current draft."""
    if not policy.countersign_required(assignment, reply):
        return None
    rows = {}
    if reply is not None:
        rows = {
            row.assignment_id: row
            for row in Countersign.objects.filter(reply=reply).select_related("answered_by", "requested_by")
        }
    units = []
    for unit_assignment in policy.countersign_units(assignment).select_related("unit"):
        row = rows.get(unit_assignment.pk)
        current = row is not None and row.version == reply.version
        units.append(
            {
                "unit": unit_assignment.unit,
                "row": row,
                "current": current,
                "colour": COUNTERSIGN_STATUS_COLOURS.get(row.status, "grey") if row else "grey",
            }
        )
    if not units:
        # No co-handling unit to ask (none in the round, or each one's opinion waived): nothing to show.
        return None
    agreed = [unit for unit in units if unit["current"] and unit["row"].status == CountersignStatus.AGREED]
    return {
        "units": units,
        "all_agreed": len(agreed) == len(units),
        "agreed_count": len(agreed),
        "missing_opinions": policy.missing_opinions(assignment),
    }


def countersign_view(request: HttpRequest, object_id: str, *, model_admin) -> HttpResponse:
    """A co-handling unit's countersign page; POST ``action`` = agree or return, ``countersign`` = the request."""
    assignment = visible(model_admin, request, object_id, related=("proposal__session", "unit"))
    here = admin_url("assignment_countersign", assignment.pk)
    rows = list(
        Countersign.objects.visible_to(request.user)
        .filter(assignment=assignment)
        .select_related("reply__assignment__unit", "reply__category", "requested_by", "answered_by")
        .order_by("-requested_at", "-pk")
    )
    bound: dict[int, CountersignForm] = {}
    if request.method == "POST":
        row = next((row for row in rows if str(row.pk) == request.POST.get("countersign")), None)
        if row is None:
            raise Http404(_("No such object, or you may not see it."))
        action = request.POST.get("action")
        if action not in ("agree", "return"):
            messages.error(request, _("Unknown action."))
            return redirect(here)
        form = bound[row.pk] = CountersignForm(request.POST)
        if form.is_valid():
            agree = action == "agree"
            try:
                services.answer_countersign(
                    row, actor=request.user, agree=agree, comments=form.cleaned_data["comments"]
                )
            except (WorkflowError, PermissionDenied) as exc:
                form.add_error(None, refusal(exc))
            else:
                if agree:
                    messages.success(request, _("You agreed to the lead unit's draft (会签). The lead unit is told."))
                else:
                    messages.success(request, _("The draft was returned to the lead unit with your comments."))
                return redirect(here)
    items = []
    for row in rows:
        can_answer = allowed(policy.check_answer_countersign, request.user, row, row.reply)
        form = bound.get(row.pk)
        if form is not None and not can_answer:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        items.append(
            {
                "row": row,
                "colour": COUNTERSIGN_STATUS_COLOURS.get(row.status, "grey"),
                "can_answer": can_answer,
                "form": form if form is not None else CountersignForm(),
                "outdated": row.status == CountersignStatus.PENDING and row.version != row.reply.version,
            }
        )
    proposal = assignment.proposal
    context = {
        "title": _("Countersign the lead unit's draft (会签)"),
        "subtitle": f"{proposal.number} {proposal.title}",
        "assignment": assignment,
        "proposal": proposal,
        "items": items,
    }
    return page(model_admin, request, "admin/units/countersign.html", context, status=400 if bound else 200)
