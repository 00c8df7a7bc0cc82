"""Joint proposals (联名提案): the lead proposer finds members by name and invites them; each answers.

The member lookup is an htmx fragment (``member_search``) with a plain GET form
on the co-signers page as the fallback; both use ``_search_members``. Inviting
and answering go through ``invite_cosigner`` and ``answer_invitation``, which
apply the session's cutoff and rules.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from proposals import services
from proposals.choices import ProposalKind, ProposerRole, ProposerStatus
from proposals.forms import InvitationAnswerForm, InviteForm, MemberSearchForm
from proposals.models import Proposal, Proposer
from proposals.views_common import forbidden_page, lead_of, led_proposal, texts
from proposals.workflow import WorkflowError

SEARCH_LIMIT = 20


def _search_members(proposal: Proposal, user, text: str) -> list[User]:
    """Active members whose name contains ``text`` (or whose user name is it), not yet on the proposal."""
    text = text.strip()
    if not text:
        return []
    taken = Proposer.objects.filter(proposal=proposal).exclude(status=ProposerStatus.DECLINED).values("user_id")
    return list(
        User.objects.visible_to(user)
        .members()
        .filter(Q(full_name__icontains=text) | Q(username__iexact=text))
        .exclude(pk__in=taken)
        .select_related("member_profile")
        .order_by("full_name", "pk")[:SEARCH_LIMIT]
    )


def _search_context(request, proposal: Proposal) -> dict:
    form = MemberSearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    return {
        "proposal": proposal,
        "search_form": form,
        "q": text.strip(),
        "results": _search_members(proposal, request.user, text),
    }


@login_required
@forbidden_page
def cosigners(request, pk: int):
    """The lead proposer's co-signers page: who is invited, who answered, and the member search."""
    proposal = led_proposal(request, pk, "session")
    proposers = list(proposal.proposers.select_related("user__member_profile").order_by("order", "pk"))
    is_open = services.invitations_open(proposal) and proposal.kind != ProposalKind.COLLECTIVE
    context = _search_context(request, proposal) if is_open else {"proposal": proposal, "results": []}
    return render(
        request,
        "proposals/cosigners.html",
        {
            **context,
            "proposers": proposers,
            "lead": lead_of(proposers),
            "cosigners": [p for p in proposers if p.role == ProposerRole.COSIGNER],
            "is_open": is_open,
            "is_collective": proposal.kind == ProposalKind.COLLECTIVE,
            "joint_met": services.joint_rule_met(proposal),
        },
    )


@login_required
@forbidden_page
def member_search(request, pk: int):
    """The htmx lookup: matching members with their sector, each with an invite button."""
    proposal = led_proposal(request, pk, "session")
    if not request.headers.get("HX-Request"):
        # Without htmx the co-signers page itself shows the results.
        return redirect(f"{reverse('portal:cosigners', args=[pk])}?{urlencode({'q': request.GET.get('q', '')})}")
    return render(request, "proposals/_member_results.html", _search_context(request, proposal))


@login_required
@require_POST
@forbidden_page
def invite(request, pk: int):
    proposal = led_proposal(request, pk)
    form = InviteForm(request.POST)
    member = None
    if form.is_valid():
        member = User.objects.visible_to(request.user).members().filter(pk=form.cleaned_data["member"]).first()
    if member is None:
        messages.error(request, _("Choose a member from the search results."))
    else:
        try:
            services.invite_cosigner(proposal, actor=request.user, user=member)
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(name)s has been invited. The invitation is on their My proposals page and in their notifications.")
                % {"name": member.display_name},
            )
    return redirect("portal:cosigners", pk=pk)


@login_required
@forbidden_page
def invitation(request, pk: int):
    """An invited co-signer reads the proposal and confirms or declines co-signing it."""
    proposer = get_object_or_404(
        Proposer.objects.select_related("proposal__session", "proposal__category"),
        proposal__in=Proposal.objects.visible_to(request.user),
        proposal_id=pk,
        user=request.user,
        role=ProposerRole.COSIGNER,
    )
    proposal = proposer.proposal
    if request.method == "POST":
        form = InvitationAnswerForm(request.POST)
        if form.is_valid():
            try:
                services.answer_invitation(proposer, actor=request.user, accept=form.accepted)
            except WorkflowError as exc:
                messages.error(request, exc.message)
            else:
                if form.accepted:
                    messages.success(request, _("You co-sign 《%(title)s》. Thank you.") % {"title": proposal.title})
                    return redirect("portal:proposal_detail", pk=pk)
                # A declined co-signer no longer sees the proposal.
                messages.success(request, _("You declined to co-sign 《%(title)s》.") % {"title": proposal.title})
                return redirect("portal:home")
        else:
            messages.error(request, _("Choose whether to co-sign the proposal or decline."))
        return redirect("portal:invitation", pk=pk)
    proposers = list(proposal.proposers.select_related("user__member_profile").order_by("order", "pk"))
    return render(
        request,
        "proposals/invitation.html",
        {
            "proposal": proposal,
            "proposer": proposer,
            "lead": lead_of(proposers),
            "proposers": proposers,
            "is_open": services.cosigning_open(proposal),
            "attachments": list(proposal.attachments.all()),
            **texts(proposal),
        },
    )
