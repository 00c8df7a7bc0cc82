"""我的提案 and a proposal's page: what members (and, read-only, staff) see of a proposal.

The page shows the proposal, its proposers, its timeline, its handling units and
every sent reply as the formal letter; for the people concerned it also offers
the next step: edit, invite co-signers, submit, withdraw, answer an invitation,
rate a reply. The steps themselves are POSTed to the views in ``views_drafting``,
``views_joint`` and ``views_feedback``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Case, OuterRef, Q, Subquery, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from proposals.choices import EventVerb, ProposalKind, ProposalStatus, ProposerRole, ProposerStatus
from proposals.filters import ProposalFilterSet
from proposals.forms import AttachmentForm, FeedbackForm, WithdrawForm
from proposals.models import Attachment, Event, Proposal, Proposer
from proposals.services import joint_rule_met, proposal_recipients
from proposals.views_common import (
    lead_name,
    lead_of,
    letters,
    paginate,
    query_without_page,
    texts,
    visible_proposal,
    with_status_colours,
)
from responses.choices import ASSIGNMENT_STATUS_COLOURS, AssignmentRole, AssignmentStatus
from responses.deadlines import WorkCalendar, feedback_window_ends
from responses.models import Assignment, Feedback, Reply

HANDLED_STATUSES = {ProposalStatus.ACCEPTED, ProposalStatus.ASSIGNED, ProposalStatus.REPLIED, ProposalStatus.CLOSED}
COSIGNING_STATUSES = (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED)

# Steps inside a unit or the committee that a member's timeline leaves out:
# drafts, sign-off, internal requests and reminders are not the proposer's business.
MEMBER_HIDDEN_VERBS = {
    EventVerb.REPLY_SAVED,
    EventVerb.REPLY_SUBMITTED,
    EventVerb.REPLY_SIGNED,
    EventVerb.REPLY_SENT_BACK,
    EventVerb.RETURN_REQUESTED,
    EventVerb.RETURN_REFUSED,
    EventVerb.EXTENSION_REQUESTED,
    EventVerb.EXTENSION_REFUSED,
    EventVerb.SUPERVISION_NOTE,
    EventVerb.REMINDER_SENT,
    EventVerb.DEADLINE_RECOMPUTED,
}


def cosigning_open(proposal: Proposal) -> bool:
    """Whether co-signers may still be invited and answer (the rule ``invite_cosigner`` applies)."""
    if proposal.status not in COSIGNING_STATUSES:
        return False
    cutoff = proposal.session.cosign_cutoff
    return cutoff is None or timezone.now() < cutoff


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
            proposal__status__in=COSIGNING_STATUSES,
        )
        .filter(Q(proposal__session__cosign_cutoff__isnull=True) | Q(proposal__session__cosign_cutoff__gt=now))
        .select_related("proposal__session")
        .annotate(lead_name=lead_name("proposal_id"))
        .order_by("invited_at", "pk")
    )


@login_required
def proposal_detail(request, pk: int):
    proposal = visible_proposal(request, pk, "session", "category", "supervisor", "merged_into")
    return render_detail(request, proposal)


def render_detail(request, proposal: Proposal, **forms):
    """The proposal page; ``forms`` (withdraw_form, attachment_form) replaces an unbound form by a bound
    one with errors, so a refused step is explained beside its field."""
    user = request.user
    proposers = list(proposal.proposers.select_related("user__member_profile").order_by("order", "pk"))
    mine = next((p for p in proposers if p.user_id == user.pk), None)
    is_lead = mine is not None and mine.role == ProposerRole.LEAD
    is_draft = proposal.status == ProposalStatus.DRAFT

    events = Event.objects.filter(proposal=proposal).select_related("actor")
    if not user.has_staff_role:
        events = events.exclude(verb__in=MEMBER_HIDDEN_VERBS)

    replies = letters(
        list(
            Reply.objects.visible_to(user)
            .sent()
            .filter(assignment__proposal=proposal)
            .select_related("assignment__unit", "category", "signer")
            .order_by("sent_at", "pk")
        )
    )
    rater = attach_feedback(request, proposal, replies, {})
    # Supervision (督办) is between leaders and the committee; units and members see its effect, not the notes.
    supervision_notes = (
        list(proposal.supervision_notes.select_related("author"))
        if proposal.is_key and (user.is_committee or user.is_leader)
        else []
    )
    merged_in = list(
        Proposal.objects.visible_to(user).filter(merged_into=proposal).only("pk", "title", "number")
        if proposal.status != ProposalStatus.MERGED
        else []
    )
    can_cosign = is_lead and cosigning_open(proposal) and proposal.kind != ProposalKind.COLLECTIVE
    invited = (
        mine is not None
        and mine.role == ProposerRole.COSIGNER
        and mine.status == ProposerStatus.INVITED
        and cosigning_open(proposal)
    )
    cosigners = [p for p in proposers if p.role == ProposerRole.COSIGNER]
    joint = None
    if proposal.kind == ProposalKind.JOINT and proposal.status in COSIGNING_STATUSES:
        joint = {
            "confirmed": sum(p.status == ProposerStatus.CONFIRMED for p in cosigners),
            "invited": sum(p.status == ProposerStatus.INVITED for p in cosigners),
            "met": joint_rule_met(proposal),
            "rule": proposal.session.joint_rule,
            "minimum": proposal.session.joint_min_confirmed,
        }
    with_status_colours([proposal])
    return render(
        request,
        "proposals/detail.html",
        {
            "proposal": proposal,
            "lead": lead_of(proposers),
            "proposers": proposers,
            "attachments": list(proposal.attachments.all()),
            "suggested_units": list(proposal.suggested_units.all()),
            "events": events,
            "assignments": _assignments(proposal, user),
            "replies": replies,
            "rater": rater,
            "merged_in": merged_in,
            "supervision_notes": supervision_notes,
            # Handling units and replies only mean something once the proposal is accepted.
            "in_handling": proposal.status in HANDLED_STATUSES,
            "merged_into_visible": proposal.merged_into_id
            and Proposal.objects.visible_to(user).filter(pk=proposal.merged_into_id).exists(),
            "is_lead": is_lead,
            "can_edit": is_lead and is_draft,
            "can_submit": is_lead and is_draft,
            "can_withdraw": is_lead and proposal.status in COSIGNING_STATUSES,
            "can_cosign": can_cosign,
            "invitation": mine if invited else None,
            "joint": joint,
            "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
            "attachment_form": forms.get("attachment_form") or AttachmentForm(),
            **texts(proposal),
        },
    )


def _assignments(proposal: Proposal, user) -> list[Assignment]:
    assignments = with_status_colours(
        list(
            Assignment.objects.visible_to(user)
            .filter(proposal=proposal)
            .exclude(status=AssignmentStatus.RETURNED)
            .select_related("unit")
            .annotate(
                role_order=Case(
                    When(role=AssignmentRole.LEAD, then=0), When(role=AssignmentRole.SEPARATE, then=1), default=2
                )
            )
            .order_by("round", "role_order", "pk")
        ),
        ASSIGNMENT_STATUS_COLOURS,
    )
    today = timezone.localdate()
    for assignment in assignments:
        # A co-handling unit's own deadline is its opinion; the others' is the reply.
        assignment.is_cohandling = assignment.role == AssignmentRole.COHANDLING
        due = assignment.opinion_due if assignment.is_cohandling else assignment.reply_due
        days = (due - today).days if due and assignment.is_open else None
        assignment.days = days
        assignment.overdue_days = -days if days is not None and days < 0 else 0
    return assignments


def attach_feedback(request, proposal: Proposal, replies: list[Reply], bound: dict) -> bool:
    """Marks each reply with the user's rating, its feedback window and, when they may rate it, a form.

    Returns whether the user is one of the proposers who rate replies (``proposal_recipients``,
    the same rule ``give_feedback`` applies).
    """
    user = request.user
    for reply in replies:
        reply.my_feedback = None
        reply.can_rate = False
    if not replies or not user.is_member or user.pk not in {u.pk for u in proposal_recipients(proposal)}:
        return False
    given = {row.reply_id: row for row in Feedback.objects.filter(reply__in=replies, user=user)}
    calendar = WorkCalendar.load()
    today = timezone.localdate()
    for reply in replies:
        reply.my_feedback = given.get(reply.pk)
        reply.feedback_ends = feedback_window_ends(proposal.session, timezone.localdate(reply.sent_at), calendar).date
        reply.can_rate = reply.my_feedback is None and today <= reply.feedback_ends
        if reply.can_rate:
            reply.feedback_form = bound.get(reply.pk) or FeedbackForm(prefix_id=f"reply{reply.pk}")
    return True


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
