"""Helpers shared by the handling services: status moves, who to tell, live assignments.

Who may take each step is decided in ``responses.policy``, which the services and the pages both ask."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import models
from django.utils import timezone

from accounts.choices import UNIT_ROLES
from accounts.models import Unit, User
from proposals.models import Proposal
from proposals.workflow import (
    move_status,
)
from responses.choices import (
    ASSIGNMENT_TRANSITIONS,
    OPEN_ASSIGNMENT_STATUSES,
    REPLY_TRANSITIONS,
    REPLYING_ROLES,
    AssignmentStatus,
    ReplyStatus,
)
from responses.deadlines import WorkCalendar, feedback_window_ends

# The limits of the unit's forms, enforced here too: the admin's add pages (a contact) call these services
# with only the model's own checks in front of them. One definition (responses/limits.py) for both.
from responses.models import (
    Assignment,
    Reply,
)

UnitsRoles = Sequence[tuple[Unit, str]]


def _unit_users(unit_ids: Iterable[int], roles: Iterable[str] = UNIT_ROLES) -> models.QuerySet[User]:
    return User.objects.filter(unit_id__in=list(unit_ids), role__in=list(roles), is_active=True)


def _committee_users() -> models.QuerySet[User]:
    """Who the committee's notifications go to: ``User.is_committee`` (superusers count)."""
    return User.objects.committee()


def _set_assignment_status(assignment: Assignment, target: str, **fields) -> str:
    """Move a locked assignment after checking the map; returns the old status."""
    return move_status(assignment, AssignmentStatus, ASSIGNMENT_TRANSITIONS, target, **fields)


def _set_reply_status(reply: Reply, target: str, **fields) -> str:
    return move_status(reply, ReplyStatus, REPLY_TRANSITIONS, target, **fields)


def _open_replying(proposal: Proposal) -> models.QuerySet[Assignment]:
    """Lead and separate assignments of the current round that still owe a reply."""
    return Assignment.objects.filter(
        proposal=proposal, round=proposal.handling_round, role__in=REPLYING_ROLES, status__in=OPEN_ASSIGNMENT_STATUSES
    )


def live_assignments(proposal: Proposal) -> models.QuerySet[Assignment]:
    """The current round's assignments that were not handed back: the units handling the proposal now.

    The one definition of "live": services, the committee's pages and the supervision pages use it."""
    return Assignment.objects.live(proposal.pk, proposal.handling_round)


def feedback_window_end(proposal: Proposal, reply: Reply, cal: WorkCalendar | None = None) -> dt.date:
    """The last day the proposers may rate a sent ``reply`` (its feedback window)."""
    return feedback_window_ends(proposal.session, timezone.localdate(reply.sent_at), cal).date


def feedback_open(ends: dt.date, today: dt.date | None = None) -> bool:
    """Whether a reply whose feedback window ends on ``ends`` may still be rated: the rule ``give_feedback``
    enforces and the proposal page asks before it offers the rating form."""
    return (today or timezone.localdate()) <= ends
