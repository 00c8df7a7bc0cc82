"""Who may take each step of a unit's handling, and when: one function per step.

Each ``check_*`` raises ``PermissionDenied`` (wrong person) or ``WorkflowError`` (wrong moment)
with the message the user sees. The services call them on the rows they have locked, so the
rule is enforced; the unit's pages ask the same functions through ``allowed`` to decide which
buttons and forms to offer, so a page never offers a step the service would refuse, nor hides
one it would take. Checks that need what the user typed (a date, a reason) stay in the service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import UNIT_ROLES, Role
from accounts.models import User
from proposals.workflow import WorkflowError, check_move, require_committee
from responses.choices import (
    ASSIGNMENT_TRANSITIONS,
    COUNTERSIGN_TRANSITIONS,
    OPEN_ASSIGNMENT_STATUSES,
    REPLY_TRANSITIONS,
    REPLYING_ROLES,
    AssignmentRole,
    AssignmentStatus,
    CountersignStatus,
    ReplyStatus,
    RequestStatus,
)
from responses.models import Assignment, Countersign, ExtensionRequest, Reply

# The assignment statuses in which the unit may record a contact with the proposer (办前沟通).
CONTACT_STATUSES = {AssignmentStatus.HANDLING, AssignmentStatus.OPINION_SENT, AssignmentStatus.REPLIED}
# The assignment statuses in which a replying unit may ask for a later reply date (延期).
EXTENSION_STATUSES = {AssignmentStatus.PENDING, AssignmentStatus.HANDLING}


def allowed(check: Callable[..., object], *args, **kwargs) -> bool:
    """Whether ``check(*args, **kwargs)`` passes: what a page asks before it offers the step."""
    try:
        check(*args, **kwargs)
    except (PermissionDenied, WorkflowError):
        return False
    return True


def require_unit_staff(actor: User, unit_id: int) -> None:
    if not (actor.role in UNIT_ROLES and actor.unit_id == unit_id):
        raise PermissionDenied(_("Only staff of the assigned unit may do this."))


def require_unit_leader(actor: User, unit_id: int) -> None:
    if not (actor.role == Role.UNIT_LEADER and actor.unit_id == unit_id):
        raise PermissionDenied(_("Only the leader of the assigned unit may do this."))


def check_accept(actor: User, assignment: Assignment) -> None:
    """签收: the unit's staff, while the assignment is pending. (A return-requested assignment also moves
    back to handling, but only by the committee's refusal of the request, never by the unit.)"""
    require_unit_staff(actor, assignment.unit_id)
    if assignment.status != AssignmentStatus.PENDING:
        raise WorkflowError(_("Only an assignment awaiting acceptance can be accepted."))


def return_window_open(assignment: Assignment, today: dt.date | None = None) -> bool:
    """Whether today is inside the assignment's return window (申请退回); open when it has none."""
    ends = assignment.return_window_ends
    return ends is None or (today or timezone.localdate()) <= ends


def check_request_return(actor: User, assignment: Assignment, today: dt.date | None = None) -> None:
    """申请退回: the unit's staff, before the assignment is replied, inside the return window.

    A pending request leaves the assignment ``return_requested``, from which no second one can start."""
    require_unit_staff(actor, assignment.unit_id)
    check_move(AssignmentStatus, ASSIGNMENT_TRANSITIONS, assignment.status, AssignmentStatus.RETURN_REQUESTED)
    if not return_window_open(assignment, today):
        raise WorkflowError(
            _("The time to ask for a return ended on %(date)s.") % {"date": assignment.return_window_ends}
        )


def check_request_extension(actor: User, assignment: Assignment, *, pending: bool | None = None) -> None:
    """延期: the staff of a replying unit, while the assignment is open, one pending request at a time,
    and only while the reply can still move later (its due date is before the hard cap).

    ``pending`` is whether a request already waits, when the caller knows it (the worklist annotates it
    for every row at once); otherwise it is looked up."""
    require_unit_staff(actor, assignment.unit_id)
    if assignment.role not in REPLYING_ROLES:
        raise WorkflowError(_("Only a unit that writes a reply can ask for more time."))
    if assignment.status not in EXTENSION_STATUSES:
        raise WorkflowError(_("Only an assignment still being handled can be extended."))
    if assignment.reply_due and assignment.reply_cap and assignment.reply_due >= assignment.reply_cap:
        raise WorkflowError(
            _("The reply is already due on %(date)s, the latest date with extensions.") % {"date": assignment.reply_cap}
        )
    if pending is None:
        pending = ExtensionRequest.objects.filter(assignment=assignment, status=RequestStatus.PENDING).exists()
    if pending:
        raise WorkflowError(_("An extension request for this assignment is already waiting for a decision."))


def check_log_contact(actor: User, assignment: Assignment) -> None:
    """办前沟通: the unit's staff, once the assignment is accepted."""
    require_unit_staff(actor, assignment.unit_id)
    if assignment.status not in CONTACT_STATUSES:
        raise WorkflowError(_("Contact is recorded once the unit has accepted the assignment."))


def check_send_opinion(actor: User, assignment: Assignment) -> None:
    """会办意见: the staff of a co-handling unit, while it handles the assignment."""
    require_unit_staff(actor, assignment.unit_id)
    if assignment.role != AssignmentRole.COHANDLING:
        raise WorkflowError(_("Only a co-handling unit sends an opinion."))
    check_move(AssignmentStatus, ASSIGNMENT_TRANSITIONS, assignment.status, AssignmentStatus.OPINION_SENT)


def check_draft(actor: User, assignment: Assignment, reply: Reply | None, *, followup: bool = False) -> None:
    """Writing the reply (or the follow-up reply, 跟踪答复): the unit's staff, while the draft is a draft.

    ``reply`` is the assignment's current draft of that kind (``round_reply``), None before the first save."""
    require_unit_staff(actor, assignment.unit_id)
    check_draftable(assignment, followup=followup)
    if reply is not None and reply.status != ReplyStatus.DRAFT:
        raise WorkflowError(_("This reply is no longer a draft and cannot be edited."))


def check_draftable(assignment: Assignment, *, followup: bool) -> None:
    """Whether the assignment is at the step where its reply (or follow-up reply) is written."""
    if assignment.role not in REPLYING_ROLES:
        raise WorkflowError(_("A co-handling unit sends an opinion to the lead unit, not a reply."))
    if not followup:
        if assignment.status != AssignmentStatus.HANDLING:
            raise WorkflowError(_("A reply is drafted while the unit is handling the assignment."))
        return
    if assignment.status != AssignmentStatus.REPLIED or followup_basis(assignment) is None:
        raise WorkflowError(_("A follow-up reply is written after a reply with a commitment date has been sent."))


def followup_basis(assignment: Assignment) -> Reply | None:
    """The sent reply of the current round whose commitment date calls for a follow-up reply (跟踪答复)."""
    return (
        Reply.objects.filter(
            assignment=assignment,
            round=assignment.round,
            is_followup=False,
            status=ReplyStatus.SENT,
            commitment_date__isnull=False,
        )
        .select_related("category")
        .first()
    )


def check_submit(actor: User, reply: Reply, assignment: Assignment) -> None:
    """Submitting a draft for sign-off: the unit's staff, while the assignment is at the reply's step, and,
    where the session has countersigning (会签), once every co-handling unit agreed to this version.
    (Whether the draft is complete is checked by ``submit_reply`` on the saved fields.)"""
    require_unit_staff(actor, assignment.unit_id)
    check_move(ReplyStatus, REPLY_TRANSITIONS, reply.status, ReplyStatus.AWAITING_SIGNOFF)
    if assignment.status != (AssignmentStatus.REPLIED if reply.is_followup else AssignmentStatus.HANDLING):
        raise WorkflowError(_("The assignment is not being handled, so its reply cannot go forward."))
    refusal = countersign_refusal(reply, assignment)
    if refusal:
        raise WorkflowError(refusal)


# Countersigning (会签) ---------------------------------------------------------------------------


def countersign_required(assignment: Assignment, reply: Reply | None = None) -> bool:
    """Whether the assignment's reply is countersigned: a lead unit's reply (not a follow-up reply) in a
    session that asks for it (``Session.countersign``)."""
    if reply is not None and reply.is_followup:
        return False
    return assignment.role == AssignmentRole.LEAD and assignment.proposal.session.countersign


def countersign_units(assignment: Assignment):
    """The co-handling assignments of the round asked to countersign the lead unit's draft: the live ones
    whose opinion the committee did not waive (a waiver lets the lead unit reply without that unit)."""
    return (
        Assignment.objects.live(assignment.proposal_id, assignment.round)
        .filter(role=AssignmentRole.COHANDLING, opinion_waived_at__isnull=True)
        .order_by("pk")
    )


def countersign_refusal(reply: Reply, assignment: Assignment) -> str:
    """Why the draft may not go for sign-off yet for want of countersignatures, or "" when it may: every
    unit of ``countersign_units`` must have agreed to the draft's current version."""
    if not countersign_required(assignment, reply):
        return ""
    rows = {row.assignment_id: row for row in Countersign.objects.filter(reply=reply)}
    waiting: dict[str, list[str]] = {"asked": [], "pending": [], "returned": [], "earlier": []}
    for unit_id, name in countersign_units(assignment).values_list("pk", "unit__name"):
        row = rows.get(unit_id)
        if row is None:
            waiting["asked"].append(name)
        elif row.version != reply.version:
            waiting["earlier"].append(name)
        elif row.status == CountersignStatus.PENDING:
            waiting["pending"].append(name)
        elif row.status == CountersignStatus.RETURNED:
            waiting["returned"].append(name)
    details = {
        "asked": _("not yet asked: %(units)s"),
        "pending": _("awaiting an answer: %(units)s"),
        "returned": _("returned with comments: %(units)s"),
        "earlier": _("agreed or answered an earlier version only: %(units)s"),
    }
    parts = [details[key] % {"units": "、".join(names)} for key, names in waiting.items() if names]
    if not parts:
        return ""
    return _(
        "Every co-handling unit must agree to this version of the draft (会签) before it goes for sign-off: "
        "%(details)s. Send the draft for countersigning, then submit it once all have agreed."
    ) % {"details": "; ".join(parts)}


def check_request_countersign(actor: User, reply: Reply, assignment: Assignment) -> None:
    """Sending the draft to the co-handling units for countersigning: the lead unit's staff, while the draft
    is a draft and the unit handles the assignment, once every co-handling unit sent its opinion (or the
    committee waived it): the draft they countersign is the one written with their opinions."""
    require_unit_staff(actor, assignment.unit_id)
    if not countersign_required(assignment, reply):
        raise WorkflowError(_("This reply is not countersigned by co-handling units."))
    if reply.status != ReplyStatus.DRAFT:
        raise WorkflowError(_("Only a draft can be sent for countersigning."))
    if assignment.status != AssignmentStatus.HANDLING:
        raise WorkflowError(_("The assignment is not being handled, so its reply cannot go forward."))
    missing = missing_opinions(assignment)
    if missing:
        raise WorkflowError(
            _(
                "The draft goes for countersigning once every co-handling unit has sent its opinion, or the "
                "committee has waived it. Still missing: %(units)s."
            )
            % {"units": "、".join(missing)}
        )
    if not countersign_units(assignment).exists():
        raise WorkflowError(_("No co-handling unit is asked to countersign this reply."))


def check_answer_countersign(actor: User, countersign: Countersign, reply: Reply) -> None:
    """Agreeing to or returning the lead unit's draft: the staff of the co-handling unit asked, while the
    request waits for an answer and the draft is still a draft (once the lead unit has submitted it,
    there is nothing left to answer)."""
    require_unit_staff(actor, countersign.assignment.unit_id)
    if countersign.status != CountersignStatus.PENDING:
        raise WorkflowError(_("This draft has been answered already; the lead unit asks again when it changes."))
    check_move(CountersignStatus, COUNTERSIGN_TRANSITIONS, countersign.status, CountersignStatus.AGREED)
    if reply.status != ReplyStatus.DRAFT:
        raise WorkflowError(_("The lead unit has taken this draft further; there is nothing to answer now."))


def check_sign(actor: User, reply: Reply, assignment: Assignment) -> None:
    """签发: the unit's leader, while the reply awaits sign-off."""
    require_unit_leader(actor, assignment.unit_id)
    check_move(ReplyStatus, REPLY_TRANSITIONS, reply.status, ReplyStatus.SIGNED)


def check_send_back(actor: User, reply: Reply, assignment: Assignment) -> None:
    """Sending a submitted reply back to draft: the unit's leader, while it awaits sign-off."""
    require_unit_leader(actor, assignment.unit_id)
    check_move(ReplyStatus, REPLY_TRANSITIONS, reply.status, ReplyStatus.DRAFT)


def send_target(assignment: Assignment) -> str:
    """Where the unit's "send" takes a signed reply: to the proposers, or, where the session has the
    committee review replies (``Session.reply_review``, 督办审核), to the committee first."""
    return ReplyStatus.IN_REVIEW if assignment.proposal.session.reply_review else ReplyStatus.SENT


def check_send(actor: User, reply: Reply, assignment: Assignment) -> None:
    """Sending a signed reply to the proposers (or to the committee's review): the unit's staff; a lead
    unit's reply only once every co-handling unit of the round has sent its opinion, or the committee has
    waived it. A reply under review is the committee's to release, whatever the session says now."""
    require_unit_staff(actor, assignment.unit_id)
    if reply.status == ReplyStatus.IN_REVIEW:
        raise WorkflowError(_("The reply is with the committee for review; the committee releases it."))
    check_move(ReplyStatus, REPLY_TRANSITIONS, reply.status, send_target(assignment))
    if not reply.is_followup:
        missing = missing_opinions(assignment)
        if missing:
            raise WorkflowError(
                _(
                    "The reply can be sent once every co-handling unit has sent its opinion, or the committee "
                    "has waived it. Still missing: %(units)s."
                )
                % {"units": "、".join(missing)}
            )


def missing_opinions(assignment: Assignment) -> list[str]:
    """For a lead unit: the names of the round's co-handling units with neither an opinion nor a waiver."""
    if assignment.role != AssignmentRole.LEAD:
        return []
    return list(
        Assignment.objects.live(assignment.proposal_id, assignment.round)
        .filter(role=AssignmentRole.COHANDLING, opinion__isnull=True, opinion_waived_at__isnull=True)
        .order_by("pk")
        .values_list("unit__name", flat=True)
    )


def check_waive_opinion(actor: User, assignment: Assignment) -> None:
    """Waiving a co-handler's opinion: committee staff, while the opinion is still awaited."""
    if not actor.is_committee:
        raise PermissionDenied(_("Only committee staff may do this."))
    if assignment.role != AssignmentRole.COHANDLING:
        raise WorkflowError(_("Only a co-handling unit's opinion can be waived."))
    if assignment.opinion_waived_at is not None:
        raise WorkflowError(_("This opinion has already been waived."))
    if assignment.status not in OPEN_ASSIGNMENT_STATUSES:
        raise WorkflowError(_("Only an opinion still awaited can be waived."))


# The committee's review of replies (督办审核) ------------------------------------------------------


def check_review(actor: User, reply: Reply) -> None:
    """Releasing a reply to the proposers, returning it to the unit or changing its category: committee
    staff, while the reply is with the committee for review."""
    require_committee(actor)
    if reply.status != ReplyStatus.IN_REVIEW:
        raise WorkflowError(_("Only a reply with the committee for review can be released, returned or recategorised."))
