"""Writing a proposal: the form for a new proposal or a draft, submit, withdraw, attachments.

Thin views: the form checks each field and shows its message beside it; the
services in ``proposals.drafting`` and ``proposals.services`` decide what may
happen and do it in one transaction. "Save and submit" first saves the draft
(so nothing typed is ever lost), then submits it; when the service refuses the
submission the draft stays saved and its page says why.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.security import safe_next
from proposals import drafting, services
from proposals.choices import ProposalKind, ProposalStatus, ProposerRole
from proposals.forms import AttachmentForm, ProposalForm, WithdrawForm
from proposals.models import Attachment, Proposal, Session
from proposals.views_common import forbidden_page, led_proposal, visible_proposal
from proposals.views_member import render_detail
from proposals.workflow import WorkflowError

SUBMIT = "submit"


def _detail(proposal: Proposal) -> str:
    return reverse("portal:proposal_detail", args=[proposal.pk])


def _after_save(request, proposal: Proposal, *, submitting: bool, created: bool):
    if submitting:
        try:
            services.submit_proposal(proposal, actor=request.user)
        except WorkflowError as exc:
            messages.error(
                request,
                _("Your proposal was saved as a draft but not submitted: %(reason)s") % {"reason": exc.message},
            )
        else:
            messages.success(request, _("Your proposal has been submitted to the proposal committee."))
        return redirect(_detail(proposal))
    if proposal.kind == ProposalKind.JOINT and not proposal.proposers.filter(role=ProposerRole.COSIGNER).exists():
        messages.success(request, _("Draft saved. Now invite the members who co-sign it."))
        return redirect("portal:cosigners", pk=proposal.pk)
    messages.success(request, _("Draft saved.") if created else _("Your changes have been saved."))
    return redirect(_detail(proposal))


@login_required
@forbidden_page
def proposal_create(request):
    """A new proposal in the current session, saved as a draft (and submitted, when asked)."""
    if not request.user.is_member:
        raise PermissionDenied(_("Only members can write proposals."))
    session = Session.current()
    if session is None:
        messages.error(request, _("No session is open for proposals."))
        return redirect("portal:home")
    closed = bool(session.closes_on and timezone.localdate() > session.closes_on)
    submitting = request.POST.get("action") == SUBMIT
    form = ProposalForm(request.POST or None, request.FILES or None, submitting=submitting)
    if request.method == "POST" and not closed and form.is_valid():
        try:
            proposal = drafting.create_draft(
                actor=request.user,
                session=session,
                data=form.draft_data(),
                units=form.cleaned_data["suggested_units"],
                files=form.cleaned_data["attachments"],
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            return _after_save(request, proposal, submitting=submitting, created=True)
    return render(
        request,
        "proposals/form.html",
        {"form": form, "session": session, "closed": closed, "proposal": None, "attachments": []},
    )


@login_required
@forbidden_page
def proposal_edit(request, pk: int):
    """The lead proposer edits a draft; other proposals are not editable."""
    proposal = led_proposal(request, pk, "session")
    if proposal.status != ProposalStatus.DRAFT:
        messages.error(
            request,
            _("Only a draft can be changed; this proposal is “%(status)s”.")
            % {"status": proposal.get_status_display()},
        )
        return redirect(_detail(proposal))
    submitting = request.POST.get("action") == SUBMIT
    form = ProposalForm(request.POST or None, request.FILES or None, proposal=proposal, submitting=submitting)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = drafting.update_draft(
                proposal,
                actor=request.user,
                data=form.draft_data(),
                units=form.cleaned_data["suggested_units"],
                files=form.cleaned_data["attachments"],
                remove=form.cleaned_data["remove_attachments"],
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            return _after_save(request, proposal, submitting=submitting, created=False)
    return render(
        request,
        "proposals/form.html",
        {
            "form": form,
            "session": proposal.session,
            "closed": False,
            "proposal": proposal,
            "attachments": list(proposal.attachments.all()),
        },
    )


@login_required
@require_POST
@forbidden_page
def proposal_submit(request, pk: int):
    proposal = visible_proposal(request, pk)
    try:
        services.submit_proposal(proposal, actor=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your proposal has been submitted to the proposal committee."))
    return redirect(_detail(proposal))


@login_required
@require_POST
@forbidden_page
def proposal_withdraw(request, pk: int):
    proposal = visible_proposal(request, pk, "session", "category", "supervisor", "merged_into")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        if not services.can_move(proposal, ProposalStatus.WITHDRAWN):
            # The page offers no withdraw form to explain the refusal beside: here it is a message.
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(_detail(proposal))
        return render_detail(request, proposal, withdraw_form=form)
    try:
        services.withdraw_proposal(proposal, actor=request.user, reason=form.cleaned_data["reason"])
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your proposal has been withdrawn."))
    return redirect(_detail(proposal))


@login_required
@require_POST
@forbidden_page
def attachment_add(request, pk: int):
    """One more file for a draft, from the proposal page; a refused file is explained beside the input."""
    proposal = led_proposal(request, pk, "session", "category", "supervisor", "merged_into")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = drafting.add_attachment(proposal, actor=request.user, upload=form.cleaned_data["file"])
        except WorkflowError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("“%(name)s” has been attached.") % {"name": attachment.original_name})
            return redirect(f"{_detail(proposal)}#attachments")
    if proposal.status != ProposalStatus.DRAFT:
        # Only a draft's page has the file input to explain a refusal beside: here it is a message.
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{_detail(proposal)}#attachments")
    return render_detail(request, proposal, attachment_form=form)


@login_required
@require_POST
@forbidden_page
def attachment_remove(request, pk: int, attachment_pk: int):
    proposal = led_proposal(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, proposal=proposal)
    try:
        drafting.remove_attachment(attachment, actor=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("“%(name)s” has been removed.") % {"name": attachment.original_name})
    return redirect(safe_next(request, f"{_detail(proposal)}#attachments"))
