"""我的提案 and a proposal's page: what members (and, read-only, staff) see of a proposal.

``detail_context`` builds the page's own part: the proposal, its proposers, its
timeline, and for the people concerned the next step (edit, invite co-signers,
submit, withdraw, answer an invitation), each offered when the service's policy
(``proposals.services``) allows it. The steps are POSTed to the views in
``views_drafting`` and ``views_joint``. The page as served, with its handling
units, replies and rating forms, is ``responses.views_portal.proposal_detail``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Q, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from proposals import services
from proposals.choices import EventVerb, ProposalKind, ProposalStatus, ProposerRole, ProposerStatus
from proposals.filters import ProposalFilterSet
from proposals.forms import AttachmentForm, WithdrawForm
from proposals.models import Attachment, Event, Proposal, Proposer
from proposals.services import joint_rule_met
from proposals.views_common import (
    lead_name,
    lead_of,
    paginate,
    query_without_page,
    texts,
    with_status_colours,
)

HANDLED_STATUSES = {ProposalStatus.ACCEPTED, ProposalStatus.ASSIGNED, ProposalStatus.REPLIED, ProposalStatus.CLOSED}

# Steps inside a unit or the committee that a member's timeline leaves out:
# drafts, sign-off, internal requests and reminders are not the proposer's business.
MEMBER_HIDDEN_VERBS = {
    EventVerb.REPLY_SAVED,
    EventVerb.REPLY_SUBMITTED,
    EventVerb.REPLY_SIGNED,
    EventVerb.REPLY_SENT_BACK,
    # Countersigning (会签) is between the units; the committee's review (督办审核) happens before the
    # proposers may see the reply at all.
    EventVerb.COUNTERSIGN_REQUESTED,
    EventVerb.COUNTERSIGN_AGREED,
    EventVerb.COUNTERSIGN_RETURNED,
    EventVerb.REPLY_TO_REVIEW,
    EventVerb.REPLY_REVIEW_RETURNED,
    EventVerb.REPLY_RECATEGORIZED,
    EventVerb.RETURN_REQUESTED,
    EventVerb.RETURN_REFUSED,
    EventVerb.EXTENSION_REQUESTED,
    EventVerb.EXTENSION_REFUSED,
    EventVerb.SUPERVISION_NOTE,
    EventVerb.REMINDER_SENT,
    EventVerb.DEADLINE_RECOMPUTED,
}


@login_required
def home(request):
    """我的提案 for members; a short landing page for staff, who work in the admin."""
    user = request.user
    if user.has_staff_role:
        recent = with_status_colours(
            list(
                Proposal.objects.visible_to(user)
                .select_related("session")
                .annotate(lead_name=lead_name())
                .order_by("-updated_at")[:10]
            )
        )
        return render(request, "proposals/home_staff.html", {"recent": recent})

    my_role = Proposer.objects.filter(proposal=OuterRef("pk"), user=user).order_by()
    proposals = (
        Proposal.objects.visible_to(user)
        .select_related("session", "category")
        .annotate(
            lead_name=lead_name(),
            my_role=Subquery(my_role.values("role")[:1]),
            my_status=Subquery(my_role.values("status")[:1]),
        )
        .order_by("-updated_at", "-pk")
    )
    # The shared FilterSet; this page renders its session, status and category filters only.
    filterset = ProposalFilterSet(request.GET or None, queryset=proposals)
    page = paginate(request, filterset.qs)
    with_status_colours(page.object_list)
    selected = {name: request.GET.getlist(name) for name in ("session", "status", "category")}
    return render(
        request,
        "proposals/home_member.html",
        {
            "page": page,
            "filter": filterset,
            "sessions": list(filterset.form.fields["session"].queryset),
            "statuses": ProposalStatus.choices,
            "categories": list(filterset.form.fields["category"].queryset),
            "selected": selected,
            "filtered": any(selected.values()),
            "filter_query": query_without_page(request),
            "invitations": _open_invitations(user),
            "lead_role": ProposerRole.LEAD,
            "invited": ProposerStatus.INVITED,
        },
    )


def _open_invitations(user) -> list[Proposer]:
    """Invitations to co-sign that the member can still answer, oldest first."""
    now = timezone.now()
    return list(
        Proposer.objects.filter(
            user=user,
            role=ProposerRole.COSIGNER,
            status=ProposerStatus.INVITED,
            proposal__status__in=services.COSIGNING_STATUSES,
        )
        .filter(Q(proposal__session__cosign_cutoff__isnull=True) | Q(proposal__session__cosign_cutoff__gt=now))
        .select_related("proposal__session")
        .annotate(lead_name=lead_name("proposal_id"))
        .order_by("invited_at", "pk")
    )


def render_detail(request, proposal: Proposal, **forms):
    """The page of a proposal that is not in handling (a draft, a submitted proposal) with a bound form;
    the page in general, with its units and replies, is ``responses.views_portal.proposal_detail``."""
    return render(request, "proposals/detail.html", detail_context(request, proposal, **forms))


def detail_context(request, proposal: Proposal, **forms) -> dict:
    """The proposal page's context without the handling (units, replies, ratings: added by responses);
    ``forms`` (withdraw_form, attachment_form) replaces an unbound form by a bound one with errors, so a
    refused step is explained beside its field."""
    user = request.user
    proposers = list(proposal.proposers.select_related("user__member_profile").order_by("order", "pk"))
    mine = next((p for p in proposers if p.user_id == user.pk), None)
    is_lead = mine is not None and mine.role == ProposerRole.LEAD
    is_draft = proposal.status == ProposalStatus.DRAFT

    events = Event.objects.filter(proposal=proposal).select_related("actor")
    if not user.has_staff_role:
        events = events.exclude(verb__in=MEMBER_HIDDEN_VERBS)

    # Supervision (督办) is between leaders and the committee; units and members see its effect, not the notes.
    supervision_notes = (
        list(proposal.supervision_notes.select_related("author")) if proposal.is_key and user.is_oversight else []
    )
    merged_in = list(
        Proposal.objects.visible_to(user).filter(merged_into=proposal).only("pk", "title", "number")
        if proposal.status != ProposalStatus.MERGED
        else []
    )
    can_cosign = is_lead and services.invitations_open(proposal) and proposal.kind != ProposalKind.COLLECTIVE
    invited = (
        mine is not None
        and mine.role == ProposerRole.COSIGNER
        and mine.status == ProposerStatus.INVITED
        and services.cosigning_open(proposal)
    )
    cosigners = [p for p in proposers if p.role == ProposerRole.COSIGNER]
    joint = None
    if proposal.kind == ProposalKind.JOINT and proposal.status in services.COSIGNING_STATUSES:
        joint = {
            "confirmed": sum(p.status == ProposerStatus.CONFIRMED for p in cosigners),
            "invited": sum(p.status == ProposerStatus.INVITED for p in cosigners),
            "met": joint_rule_met(proposal),
            # "It can be submitted" is news for a draft only.
            "is_draft": is_draft,
            "rule": proposal.session.joint_rule,
            "minimum": proposal.session.joint_min_confirmed,
        }
    with_status_colours([proposal])
    return {
        "proposal": proposal,
        "lead": lead_of(proposers),
        "proposers": proposers,
        "attachments": list(proposal.attachments.all()),
        "suggested_units": list(proposal.suggested_units.all()),
        "events": events,
        "merged_in": merged_in,
        "supervision_notes": supervision_notes,
        # Handling units and replies only mean something once the proposal is accepted.
        "in_handling": proposal.status in HANDLED_STATUSES,
        "merged_into_visible": proposal.merged_into_id
        and Proposal.objects.visible_to(user).filter(pk=proposal.merged_into_id).exists(),
        "is_lead": is_lead,
        "can_edit": is_lead and is_draft,
        "can_submit": is_lead and services.can_move(proposal, ProposalStatus.SUBMITTED),
        "can_withdraw": is_lead and services.can_move(proposal, ProposalStatus.WITHDRAWN),
        "can_cosign": can_cosign,
        "invitation": mine if invited else None,
        "joint": joint,
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "assignments": [],
        "replies": [],
        "rater": False,
        **texts(proposal),
    }


@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    """Serves an attachment file only to someone who may see its proposal."""
    attachment = get_object_or_404(
        Attachment.objects.filter(proposal__in=Proposal.objects.visible_to(request.user)),
        pk=attachment_pk,
        proposal_id=pk,
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
