"""The reply letter in the unit's admin: the draft (and the follow-up reply, 跟踪答复), sign-off (签发) or
send back, sending, and the draft's field-level history.

URL names (namespace ``admin``):
- ``responses_assignment_reply`` / ``responses_assignment_followup``: the draft, with optimistic locking
  and the co-handlers' opinions beside it;
- ``responses_reply_review``: the letter as it will be sent; sign off, send back, send;
- ``responses_reply_revisions``: who changed which field, from what to what.
"""

from __future__ import annotations

import difflib

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from proposals.services import proposal_recipients
from proposals.workflow import ReplyConflict, WorkflowError
from responses import policy, services
from responses.admin_views.common import (
    admin_url,
    cohandling_opinions,
    is_own_unit,
    page,
    refusal,
    review_events,
    tell_hidden_errors,
    visible,
)
from responses.admin_views.countersign import countersign_panel
from responses.choices import REPLY_STATUS_COLOURS, ReplyStatus
from responses.letters import build_letter, draft_initial
from responses.models import Contact, Feedback, Reply, ReplyCategory, ReplyRevision
from responses.policy import allowed
from responses.unit_forms import ReplyForm, SendBackForm


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
    assignment = visible(model_admin, request, object_id, related=("proposal__session", "unit"))
    reply = services.round_reply(assignment, followup=followup)
    if reply is not None and reply.status != ReplyStatus.DRAFT:
        messages.info(request, _("This reply has been submitted; it can no longer be edited."))
        return redirect(admin_url("reply_review", reply.pk))
    own = is_own_unit(request, assignment)
    categories = {category.pk: category for category in ReplyCategory.objects.all()}
    context: dict = {}
    if request.method == "POST":
        if not own:
            raise PermissionDenied
        form = ReplyForm(request.POST, followup=followup)
        if form.is_valid():
            submit = "_submit" in request.POST
            countersign = "_countersign" in request.POST and not submit
            try:
                with transaction.atomic():
                    # Saved and submitted (or sent for countersigning) together: a refused step keeps
                    # nothing of the save.
                    reply = services.save_reply_draft(
                        assignment,
                        actor=request.user,
                        data=form.reply_data(),
                        base_version=form.cleaned_data["base_version"],
                        followup=followup,
                    )
                    result = services.submit_reply(reply, actor=request.user) if submit else None
                    if countersign:
                        services.request_countersign(reply, actor=request.user)
            except ReplyConflict as exc:
                data = request.POST.copy()
                # The next save starts from what is saved now: saving again is a decision made after seeing it.
                data["base_version"] = str(exc.version)
                form = ReplyForm(data, followup=followup)
                form.is_valid()
                form.add_error(None, exc.message)
                context.update(_conflict_context(exc, form.reply_data(), categories))
            except (WorkflowError, PermissionDenied) as exc:
                form.add_error(None, refusal(exc))
            else:
                if countersign:
                    messages.success(
                        request,
                        _("Draft (version %(version)d) sent to the co-handling units for countersigning (会签).")
                        % {"version": reply.version},
                    )
                    return redirect(request.path)
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
            "cohandling": cohandling_opinions(assignment),
            "countersign": None if followup else countersign_panel(assignment, reply),
            "review_events": review_events(reply) if reply else [],
            "recent_revisions": _revision_rows(revisions, categories),
        }
    )
    return page(model_admin, request, "admin/units/reply_form.html", context)


def review_view(request: HttpRequest, object_id: str, *, model_admin) -> HttpResponse:
    """The letter as it will be sent, with what the leader should know; POST ``action`` = sign, sendback, send."""
    reply = visible(model_admin, request, object_id, related=("assignment__proposal__session", "assignment__unit"))
    assignment = reply.assignment
    here = admin_url("reply_review", reply.pk)
    user = request.user
    own = is_own_unit(request, assignment)
    sendback_form = SendBackForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "sign":
                services.sign_reply(reply, actor=user)
                messages.success(request, _("Reply signed off (签发). It can now be sent."))
                return redirect(here)
            if action == "send":
                reply = services.send_reply(reply, actor=user)
                if reply.status == ReplyStatus.IN_REVIEW:
                    messages.success(
                        request,
                        _(
                            "Reply sent to the committee for review (督办审核). The proposers are notified when the "
                            "committee releases it."
                        ),
                    )
                else:
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
                sendback_form.add_error(None, refusal(exc))
            else:
                messages.error(request, refusal(exc))
                return redirect(here)
    can_sign = allowed(policy.check_sign, user, reply, assignment)
    if sendback_form.is_bound and not allowed(policy.check_send_back, user, reply, assignment):
        tell_hidden_errors(request, sendback_form)
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
        "cohandling": cohandling_opinions(assignment),
        "own": own,
        # Offered when the policy function the service enforces lets this user take the step.
        "can_sign": can_sign,
        "can_send": allowed(policy.check_send, user, reply, assignment),
        # Where the committee reviews replies (督办审核), "send" hands the letter to the committee.
        "send_to_committee": policy.send_target(assignment) == ReplyStatus.IN_REVIEW,
        "review_events": review_events(reply),
        # A signed lead reply waits for the co-handlers' opinions (or the committee's waiver): say whose.
        "missing_opinions": policy.missing_opinions(assignment)
        if reply.status == ReplyStatus.SIGNED and not reply.is_followup
        else [],
        "can_edit": allowed(policy.check_draft, user, assignment, reply, followup=reply.is_followup),
        "edit_url": admin_url("assignment_followup" if reply.is_followup else "assignment_reply", assignment.pk),
        "sendback_form": sendback_form,
        "recipients": proposal_recipients(assignment.proposal),
        "revision_count": reply.revisions.count(),
        # The proposers' ratings of a sent reply, online or recorded from paper (代评价), which committee
        # staff record on the proposal's paper-ratings page.
        "ratings": list(
            Feedback.objects.visible_to(user)
            .filter(reply=reply)
            .select_related("user", "recorded_by")
            .order_by("created_at", "pk")
        )
        if reply.status == ReplyStatus.SENT
        else [],
        "can_record_paper_feedback": user.is_committee and reply.status == ReplyStatus.SENT,
    }
    return page(model_admin, request, "admin/units/reply_review.html", context)


def revisions_view(request: HttpRequest, object_id: str, *, model_admin) -> HttpResponse:
    """The draft's field-level history: who changed which field, from what to what, when."""
    reply = visible(model_admin, request, object_id, related=("assignment__proposal", "assignment__unit"))
    categories = {category.pk: category for category in ReplyCategory.objects.all()}
    revisions = ReplyRevision.objects.filter(reply=reply).select_related("editor").order_by("-version")
    context = {
        "title": _("Changes to the reply"),
        "subtitle": f"{reply.assignment.proposal.number} {reply.assignment.proposal.title}",
        "reply": reply,
        "assignment": reply.assignment,
        "revisions": _revision_rows(revisions, categories),
    }
    return page(model_admin, request, "admin/units/reply_revisions.html", context)
