"""满意度测评 and what follows: re-handling (重新办理) after 不满意, and closing when feedback is complete."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from proposals.choices import EventVerb, ProposalStatus
from proposals.drafting import StoredFiles, check_scan
from proposals.models import Proposal
from proposals.services import proposal_label, proposal_recipients, set_status
from proposals.workflow import (
    WorkflowError,
    lock,
    notify,
    record_event,
    require_committee,
    require_text,
    site_language,
)
from responses.choices import (
    OPEN_ASSIGNMENT_STATUSES,
    AssignmentRole,
    AssignmentStatus,
    ReplyStatus,
    RequestStatus,
    Satisfaction,
)
from responses.deadlines import WorkCalendar

# The limits of the unit's forms, enforced here too: the admin's add pages (a contact) call these services
# with only the model's own checks in front of them. One definition (responses/limits.py) for both.
from responses.models import (
    Assignment,
    ExtensionRequest,
    Feedback,
    Reply,
    ReturnRequest,
)
from responses.services.assignment import _assignment_summary, _create_assignments, _notify_units_assigned
from responses.services.base import (
    _set_assignment_status,
    _unit_users,
    feedback_open,
    feedback_window_end,
    live_assignments,
)
from responses.services.closing import close, feedback_complete


def give_feedback(reply: Reply, *, actor: User, attitude: str, result: str, comment: str = "") -> Feedback:
    """满意度测评: a proposer rates a sent reply, once, within the feedback window.

    A 不满意 rating opens a new handling round once every unit of the round has
    replied; when every proposer has rated every reply, the proposal closes.
    """
    with transaction.atomic():
        reply = Reply.objects.select_related("assignment").get(pk=reply.pk)
        proposal = lock(Proposal, reply.assignment.proposal_id)
        if actor.pk not in {user.pk for user in proposal_recipients(proposal)}:
            raise PermissionDenied(_("Only the proposers of this proposal may rate its reply."))
        comment = (comment or "").strip()
        _check_rating(
            proposal,
            reply,
            attitude,
            result,
            comment,
            no_comment=_("Say what you are dissatisfied with, so that it can be handled again."),
        )
        if Feedback.objects.filter(reply=reply, user=actor).exists():
            raise WorkflowError(_("You have already rated this reply."))
        feedback = Feedback.objects.create(reply=reply, user=actor, attitude=attitude, result=result, comment=comment)
        record_event(
            proposal,
            actor,
            EventVerb.FEEDBACK_GIVEN,
            obj=feedback,
            note=comment,
            data={"reply": reply.pk, "attitude": attitude, "result": result},
        )
        with site_language():
            notify(
                _unit_users([reply.assignment.unit_id]),
                title=_("%(name)s rated your reply on %(label)s: %(attitude)s / %(result)s")
                % {
                    "name": actor.display_name,
                    "label": proposal_label(proposal),
                    "attitude": Satisfaction(attitude).label,
                    "result": Satisfaction(result).label,
                },
                body=comment,
                proposal=proposal,
                email=False,
            )
        _settle(proposal)
    return feedback


def record_paper_feedback(
    reply: Reply,
    *,
    actor: User,
    member: User,
    attitude: str,
    result: str,
    comment: str = "",
    paper_form: UploadedFile | None,
) -> Feedback:
    """代评价: committee staff record the rating ``member`` gave a sent reply on paper, with the form.

    The rules of ``give_feedback`` hold for the member's rating: only a proposer rates, once per reply,
    a sent reply, within the feedback window, with a comment when dissatisfied; a 不满意 starts
    re-handling and the last rating closes the proposal, exactly as when the member rates online. The
    rating is marked as recorded on the member's behalf (``recorded_by``) and keeps the paper form
    (required: a PDF or an image, checked by its content like every upload); the member is told.
    """
    with StoredFiles() as stored, transaction.atomic():
        reply = Reply.objects.select_related("assignment").get(pk=reply.pk)
        proposal = lock(Proposal, reply.assignment.proposal_id)
        require_committee(actor)
        if member.pk not in {user.pk for user in proposal_recipients(proposal)}:
            raise WorkflowError(
                _("%(name)s is not a proposer of this proposal: only its proposers rate its reply.")
                % {"name": member.display_name}
            )
        comment = (comment or "").strip()
        _check_rating(
            proposal,
            reply,
            attitude,
            result,
            comment,
            no_comment=_("Write down what the member is dissatisfied with, as the paper form says."),
        )
        if Feedback.objects.filter(reply=reply, user=member).exists():
            raise WorkflowError(_("%(name)s has already rated this reply.") % {"name": member.display_name})
        if not paper_form:
            raise WorkflowError(_("Attach the scan of the paper rating form (PDF or image)."))
        content_type = check_scan(paper_form)
        feedback = Feedback(
            reply=reply,
            user=member,
            attitude=attitude,
            result=result,
            comment=comment,
            recorded_by=actor,
            paper_form_name=PurePath(paper_form.name).name[:200],
            paper_form_type=content_type,
        )
        feedback.paper_form.save(paper_form.name, paper_form, save=False)
        stored.keep(feedback.paper_form.name)
        feedback.save()
        record_event(
            proposal,
            actor,
            EventVerb.FEEDBACK_RECORDED,
            obj=feedback,
            note=comment,
            data={
                "reply": reply.pk,
                "attitude": attitude,
                "result": result,
                "on_behalf_of": member.pk,
                "member": member.display_name,
                "paper_form": feedback.paper_form_name,
            },
        )
        labels = {
            "name": member.display_name,
            "staff": actor.display_name,
            "label": proposal_label(proposal),
            "attitude": Satisfaction(attitude).label,
            "result": Satisfaction(result).label,
        }
        with site_language():
            notify(
                _unit_users([reply.assignment.unit_id]),
                title=_("%(name)s rated your reply on %(label)s on paper: %(attitude)s / %(result)s") % labels,
                body=comment,
                proposal=proposal,
                email=False,
            )
            notify(
                [member],
                title=_("Your paper rating of the reply on %(label)s was recorded") % labels,
                body=_("%(staff)s of the proposal committee recorded it on your behalf: %(attitude)s / %(result)s.")
                % labels,
                proposal=proposal,
            )
        _settle(proposal)
    return feedback


def _check_rating(
    proposal: Proposal, reply: Reply, attitude: str, result: str, comment: str, *, no_comment: str
) -> None:
    """What a rating must be, whoever enters it: of a sent reply, both parts rated, a comment with a
    不满意 (``no_comment`` says so in the words of whoever enters it), inside the feedback window."""
    if reply.status != ReplyStatus.SENT:
        raise WorkflowError(_("Only a sent reply can be rated."))
    if attitude not in Satisfaction.values or result not in Satisfaction.values:
        raise WorkflowError(_("Rate both the handling attitude and the handling result."))
    if Satisfaction.DISSATISFIED in (attitude, result) and not comment:
        raise WorkflowError(no_comment)
    ends = feedback_window_end(proposal, reply)
    if not feedback_open(ends):
        raise WorkflowError(_("The time to rate this reply ended on %(date)s.") % {"date": ends})


def _settle(proposal: Proposal) -> None:
    """After a reply or a rating: re-handle a replied proposal with a 不满意 rating in this round,
    or close it when every proposer has rated every reply."""
    if proposal.status != ProposalStatus.REPLIED:
        return
    to_redo = _dissatisfied_assignments(proposal)
    if to_redo:
        with site_language():
            note = _("A proposer was dissatisfied with the reply.")
        _rehandle(proposal, actor=None, previous=to_redo, note=note)
    elif feedback_complete(proposal):
        with site_language():
            note = _("Every proposer has rated every reply.")
        close(proposal, actor=None, note=note)


def _dissatisfied_assignments(proposal: Proposal) -> list[Assignment]:
    """The current round's assignments to do again: each whose reply was rated 不满意, and with a
    lead unit its co-handling units too."""
    live = list(live_assignments(proposal).select_related("unit").order_by("pk"))
    bad = set(
        Feedback.objects.filter(reply__assignment__in=live, reply__status=ReplyStatus.SENT, reply__is_followup=False)
        .filter(Q(attitude=Satisfaction.DISSATISFIED) | Q(result=Satisfaction.DISSATISFIED))
        .values_list("reply__assignment_id", flat=True)
    )
    lead_bad = any(row.pk in bad and row.role == AssignmentRole.LEAD for row in live)
    return [row for row in live if row.pk in bad or (lead_bad and row.role == AssignmentRole.COHANDLING)]


def _rehandle(proposal: Proposal, *, actor: User | None, previous: Sequence[Assignment], note: str) -> list[Assignment]:
    """重新办理 of a locked proposal: a new round with new assignments for the same units and roles.

    What the earlier round left open (an assignment never accepted, a co-handler's missing opinion, a
    request still waiting) is closed first: the new round supersedes it, so nothing waits forever."""
    superseded = _supersede_open(proposal, actor=actor)
    old = set_status(proposal, ProposalStatus.ASSIGNED, handling_round=proposal.handling_round + 1, closed_at=None)
    rows = _create_assignments(
        proposal,
        [(row.unit, row.role) for row in previous],
        assigned_by=[actor or row.assigned_by for row in previous],
        assigned_on=timezone.localdate(),
        instructions=note,
        cal=WorkCalendar.load(),
    )
    record_event(
        proposal,
        actor,
        EventVerb.REHANDLING,
        from_status=old,
        to_status=proposal.status,
        note=note,
        data={
            "round": proposal.handling_round,
            "assigned_on": rows[0].assigned_on.isoformat(),
            "assignments": _assignment_summary(rows),
            "superseded": superseded,
        },
    )
    _notify_units_assigned(proposal, rows)
    return rows


def _supersede_open(proposal: Proposal, *, actor: User | None) -> list[dict]:
    """Close the current round's open assignments and their waiting requests before a new round starts;
    returns what was closed, for the event."""
    closed = []
    rows = Assignment.objects.filter(
        proposal=proposal, round=proposal.handling_round, status__in=OPEN_ASSIGNMENT_STATUSES
    ).select_related("unit")
    for row in rows.select_for_update().order_by("pk"):
        old = _set_assignment_status(row, AssignmentStatus.SUPERSEDED)
        closed.append({"id": row.pk, "unit": row.unit.name, "role": row.role, "from": old})
        record_event(
            proposal,
            actor,
            EventVerb.ASSIGNMENT_SUPERSEDED,
            obj=row,
            from_status=old,
            to_status=row.status,
            note=row.unit.name,
            data={"round": proposal.handling_round},
        )
    if closed:
        ids = [item["id"] for item in closed]
        with site_language():
            note = _("Closed: the proposal is being handled again in round %(round)d.") % {
                "round": proposal.handling_round + 1
            }
        for model in (ReturnRequest, ExtensionRequest):
            model.objects.filter(assignment_id__in=ids, status=RequestStatus.PENDING).update(
                status=RequestStatus.REFUSED, decided_by=actor, decided_at=timezone.now(), decision_note=note
            )
    return closed


def rehandle(proposal: Proposal, *, actor: User, reason: str) -> list[Assignment]:
    """The committee reopens a replied or closed proposal for a new handling round with the same units.

    (A 不满意 rating does this by itself through ``give_feedback``.)
    """
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        require_committee(actor)
        if proposal.status not in (ProposalStatus.REPLIED, ProposalStatus.CLOSED):
            raise WorkflowError(_("Only a replied or closed proposal can be handled again."))
        reason = require_text(reason, _("Give the reason for handling the proposal again."))
        previous = list(live_assignments(proposal).select_related("unit").order_by("pk"))
        return _rehandle(proposal, actor=actor, previous=previous, note=reason)
