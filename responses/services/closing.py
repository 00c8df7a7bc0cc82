"""Closing a replied proposal once every proposer has rated every reply or the feedback window ended."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from proposals.choices import PROPOSAL_TRANSITIONS, EventVerb, ProposalStatus
from proposals.models import Proposal
from proposals.services import proposal_recipients, set_status
from proposals.workflow import WorkflowError, check_move, lock, record_event, require_committee
from responses.choices import ReplyStatus
from responses.deadlines import WorkCalendar
from responses.models import Feedback, Reply
from responses.services.base import feedback_open, feedback_window_end


def _current_sent_replies(proposal: Proposal) -> list:
    return list(
        Reply.objects.filter(
            assignment__proposal=proposal, round=proposal.handling_round, status=ReplyStatus.SENT, is_followup=False
        )
    )


def feedback_complete(proposal: Proposal, *, today: dt.date | None = None) -> bool:
    """Whether every sent reply of the current round is rated by every proposer, or its feedback window
    has ended (when ``today`` is given). False while no reply is sent."""
    replies = _current_sent_replies(proposal)
    if not replies:
        return False
    user_ids = {user.pk for user in proposal_recipients(proposal)}
    rated: dict[int, set[int]] = {}
    for reply_id, user_id in Feedback.objects.filter(reply__in=replies, user_id__in=user_ids).values_list(
        "reply_id", "user_id"
    ):
        rated.setdefault(reply_id, set()).add(user_id)
    cal = None
    for reply in replies:
        if rated.get(reply.pk, set()) >= user_ids:
            continue
        if today is None:
            return False
        cal = cal or WorkCalendar.load()
        if feedback_open(feedback_window_end(proposal, reply, cal), today):
            return False
    return True


def close(proposal: Proposal, *, actor: User | None, note: str = "") -> Proposal:
    """Close a locked, replied proposal; the caller has checked the right and the condition."""
    old = set_status(proposal, ProposalStatus.CLOSED, closed_at=timezone.now())
    record_event(proposal, actor, EventVerb.CLOSED, from_status=old, to_status=proposal.status, note=note)
    return proposal


def close_proposal(proposal: Proposal, *, actor: User | None) -> Proposal:
    """Close a replied proposal once every proposer has rated every reply or the feedback window ended.

    ``actor`` is committee staff, or None for the scheduled scan.
    """
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        if actor is not None:
            require_committee(actor)
        check_move(ProposalStatus, PROPOSAL_TRANSITIONS, proposal.status, ProposalStatus.CLOSED)
        if not feedback_complete(proposal, today=timezone.localdate()):
            raise WorkflowError(
                _("The proposal can be closed once every proposer has given feedback or the feedback window has ended.")
            )
        close(proposal, actor=actor)
    return proposal
