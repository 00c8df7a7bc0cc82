"""Sending a signed reply: straight to the proposers, or, where the session has the committee review replies
(督办审核, ``Session.reply_review``), to the committee first, which releases it to the proposers, returns it
to the unit with comments, or changes its category with a reason the unit is shown.

When the unit has replied, with review on: at the moment it hands the signed letter to the committee. The
assignment is then ``replied`` with ``replied_at`` = that moment, so every figure and list that counts a
unit's replies and replies on time (dashboard/stats.py, the FilterSet's ``on_time``, the lists and their
exports) counts from the unit's hand-over, not from the committee's release, with no rule of its own; and
the assignment is no longer open, so it is neither overdue nor reminded while the committee holds it. The
proposal, though, is ``replied`` only on release, and the proposers are told and shown the letter only then
(a member sees such an assignment as still being handled: ``Assignment.status_shown_to``). When the
committee returns the letter, the unit owes the reply again: the assignment goes back to ``handling``
without a reply date, and the next hand-over dates the reply.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from proposals.choices import EventVerb, ProposalStatus
from proposals.models import Proposal
from proposals.services import proposal_label, proposal_recipients, set_status
from proposals.workflow import WorkflowError, check_length, lock, notify, record_event, require_text, site_language
from responses import policy
from responses.choices import REPLYING_ROLES, AssignmentStatus, ReplyStatus
from responses.limits import NOTE_MAX_CHARS
from responses.models import Assignment, Reply, ReplyCategory, ReplyRevision
from responses.services.base import _committee_users, _set_assignment_status, _set_reply_status, _unit_users
from responses.services.feedback import _settle


def locked_rows(reply: Reply) -> tuple[Proposal, Assignment, Reply]:
    """The reply's proposal, assignment and the reply, locked in the services' order."""
    assignment_id = Reply.objects.values_list("assignment_id", flat=True).get(pk=reply.pk)
    proposal_id = Assignment.objects.values_list("proposal_id", flat=True).get(pk=assignment_id)
    # The proposal first: two units sending at once must not both think the other is still open.
    return lock(Proposal, proposal_id), lock(Assignment, assignment_id), lock(Reply, reply.pk)


def _edit_url(assignment: Assignment, reply: Reply) -> str:
    name = "assignment_followup" if reply.is_followup else "assignment_reply"
    return reverse(f"admin:responses_{name}", args=[assignment.pk])


def _review_url(reply: Reply) -> str:
    return reverse("admin:responses_reply_committee_review", args=[reply.pk])


def deliver(proposal: Proposal, assignment: Assignment, reply: Reply, actor: User, *, reviewed: bool = False) -> None:
    """The reply reaches the proposers (→ sent), on locked rows: the assignment is replied (unless it was
    when the unit handed the letter to the committee), the proposal is replied when no lead or separate
    unit of the round still owes a reply and none is still under review, every proposer is told in the
    app and by email with a link to the letter, and the feedback window starts (``sent_at``).

    A follow-up reply (跟踪答复) is sent the same way but moves neither the assignment nor the proposal:
    they were replied already."""
    now = timezone.now()
    data: dict = {"assignment": assignment.pk, "unit": assignment.unit.name}
    if reply.is_followup:
        data["followup"] = True
    elif assignment.status != AssignmentStatus.REPLIED:
        _set_assignment_status(assignment, AssignmentStatus.REPLIED, replied_at=now)
    if reviewed:
        data["reviewed"] = True
    old = _set_reply_status(reply, ReplyStatus.SENT, sent_at=now)
    live = Assignment.objects.live(proposal.pk, proposal.handling_round).filter(role__in=REPLYING_ROLES)
    if (
        not reply.is_followup
        and proposal.status == ProposalStatus.ASSIGNED
        and assignment.round == proposal.handling_round
        and not live.exclude(status=AssignmentStatus.REPLIED).exists()
        and not Reply.objects.filter(
            assignment__in=live, round=proposal.handling_round, is_followup=False, status=ReplyStatus.IN_REVIEW
        ).exists()
    ):
        data["proposal_status"] = [proposal.status, ProposalStatus.REPLIED]
        set_status(proposal, ProposalStatus.REPLIED)
    record_event(proposal, actor, EventVerb.REPLY_SENT, obj=reply, from_status=old, to_status=reply.status, data=data)
    url = f"{reverse('portal:proposal_detail', args=[proposal.pk])}#reply-{reply.pk}"
    with site_language():
        if reply.is_followup:
            title = _("%(unit)s has sent a follow-up reply on your proposal %(label)s") % {
                "unit": assignment.unit.name,
                "label": proposal_label(proposal),
            }
            body = _("The unit reports on what it committed to in its reply.")
        else:
            title = _("%(unit)s has replied to your proposal %(label)s") % {
                "unit": assignment.unit.name,
                "label": proposal_label(proposal),
            }
            body = _("Please read the reply and rate it within %(days)d working days.") % {
                "days": proposal.session.feedback_workdays
            }
        notify(proposal_recipients(proposal), title=title, body=body, url=url, proposal=proposal)
    if not reply.is_followup:
        _settle(proposal)


def hand_over(proposal: Proposal, assignment: Assignment, reply: Reply, actor: User) -> None:
    """The unit's "send" where the committee reviews replies: the signed letter goes to the committee
    (signed → in_review) and, for a reply (not a follow-up reply), the unit has replied now."""
    now = timezone.now()
    data: dict = {"assignment": assignment.pk, "unit": assignment.unit.name}
    if reply.is_followup:
        data["followup"] = True
    else:
        old_assignment = _set_assignment_status(assignment, AssignmentStatus.REPLIED, replied_at=now)
        data["assignment_status"] = [old_assignment, AssignmentStatus.REPLIED]
    old = _set_reply_status(reply, ReplyStatus.IN_REVIEW, to_review_at=now)
    record_event(
        proposal, actor, EventVerb.REPLY_TO_REVIEW, obj=reply, from_status=old, to_status=reply.status, data=data
    )
    with site_language():
        notify(
            _committee_users(),
            title=_("Reply awaiting your review (督办审核): %(label)s, from %(unit)s")
            % {"label": proposal_label(proposal), "unit": assignment.unit.name},
            url=_review_url(reply),
            proposal=proposal,
        )


def release_reply(reply: Reply, *, actor: User) -> Reply:
    """The committee releases a reviewed reply (in_review → sent): it is sent exactly as a send without
    review would have sent it; the unit is told too."""
    with transaction.atomic():
        proposal, assignment, reply = locked_rows(reply)
        policy.check_review(actor, reply)
        deliver(proposal, assignment, reply, actor, reviewed=True)
        with site_language():
            notify(
                [reply.drafted_by, *_unit_users([assignment.unit_id], [Role.UNIT_HANDLER])],
                title=_("The committee released your reply to the proposers: %(label)s")
                % {"label": proposal_label(proposal)},
                url=reverse("admin:responses_reply_review", args=[reply.pk]),
                proposal=proposal,
                email=False,
            )
    return reply


def return_reviewed_reply(reply: Reply, *, actor: User, comments: str) -> Reply:
    """The committee returns a reviewed reply to the unit with comments (in_review → draft), as a unit
    leader's send-back does: the unit edits it, has it signed off and sends it again. A reply (not a
    follow-up reply) is owed again: its assignment goes back to handling and loses its reply date."""
    with transaction.atomic():
        proposal, assignment, reply = locked_rows(reply)
        policy.check_review(actor, reply)
        comments = require_text(comments, _("Say what the unit should change before the reply can be released."))
        check_length(Reply, "sendback_comment", comments, NOTE_MAX_CHARS)
        old = _set_reply_status(reply, ReplyStatus.DRAFT, sendback_comment=comments, returned_by_committee=True)
        data: dict = {"assignment": assignment.pk, "unit": assignment.unit.name}
        if reply.is_followup:
            data["followup"] = True
        else:
            old_assignment = _set_assignment_status(assignment, AssignmentStatus.HANDLING, replied_at=None)
            data["assignment_status"] = [old_assignment, AssignmentStatus.HANDLING]
        record_event(
            proposal,
            actor,
            EventVerb.REPLY_REVIEW_RETURNED,
            obj=reply,
            from_status=old,
            to_status=reply.status,
            note=comments,
            data=data,
        )
        with site_language():
            notify(
                [reply.drafted_by, *_unit_users([assignment.unit_id])],
                title=_("The committee returned your reply for changes: %(label)s")
                % {"label": proposal_label(proposal)},
                body=comments,
                url=_edit_url(assignment, reply),
                proposal=proposal,
            )
    return reply


def recategorize_reply(reply: Reply, *, actor: User, category: ReplyCategory, reason: str) -> Reply:
    """The committee changes the category (答复类别 A/B/C/D) of a reply under review, with a reason the unit
    is shown and the timeline keeps. The reply stays under review; the change is a new version of the
    letter in its history (``ReplyRevision``), so any earlier countersignature no longer covers it.

    A category that calls for a follow-up reply (B) needs the letter's commitment date: without one the
    committee returns the letter to the unit instead."""
    with transaction.atomic():
        proposal, assignment, reply = locked_rows(reply)
        policy.check_review(actor, reply)
        reason = require_text(reason, _("Give the reason for the new category; the unit is shown it."))
        check_length(Reply, "sendback_comment", reason, NOTE_MAX_CHARS)
        if not isinstance(category, ReplyCategory) or not category.is_active:
            raise WorkflowError(_("Choose a valid reply category."))
        if category.pk == reply.category_id:
            raise WorkflowError(_("The reply already has this category."))
        if category.requires_commitment and reply.commitment_date is None and not reply.is_followup:
            raise WorkflowError(
                _(
                    "Category %(code)s calls for a follow-up reply by a commitment date, and this letter has none: "
                    "return it to the unit to add one."
                )
                % {"code": category.code}
            )
        before = reply.category
        now = timezone.now()
        Reply.objects.filter(pk=reply.pk).update(category=category, version=F("version") + 1, updated_at=now)
        reply.refresh_from_db()
        ReplyRevision.objects.create(
            reply=reply,
            version=reply.version,
            editor=actor,
            changes={"category": [before.pk if before else None, category.pk]},
            created_at=now,
        )
        change = {"from": before.code if before else "", "to": category.code}
        record_event(
            proposal,
            actor,
            EventVerb.REPLY_RECATEGORIZED,
            obj=reply,
            note=reason,
            data={**change, "version": reply.version, "unit": assignment.unit.name},
        )
        with site_language():
            notify(
                [reply.drafted_by, *_unit_users([assignment.unit_id])],
                title=_("The committee changed the category of your reply from %(from)s to %(to)s: %(label)s")
                % {**change, "from": change["from"] or "—", "label": proposal_label(proposal)},
                body=reason,
                url=reverse("admin:responses_reply_review", args=[reply.pk]),
                proposal=proposal,
            )
    return reply
