"""Requests to the committee: returning an assignment (申请退回) and more time (延期), and their decisions."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from proposals.choices import EventVerb, ProposalStatus
from proposals.models import Proposal
from proposals.services import proposal_label, set_status
from proposals.workflow import (
    WorkflowError,
    lock,
    notify,
    record_event,
    require_committee,
    require_text,
    site_language,
)
from responses import policy
from responses.choices import (
    OPEN_ASSIGNMENT_STATUSES,
    AssignmentStatus,
    RequestStatus,
)
from responses.deadlines import WorkCalendar

# The limits of the unit's forms, enforced here too: the admin's add pages (a contact) call these services
# with only the model's own checks in front of them. One definition (responses/limits.py) for both.
from responses.list_columns import refresh_units
from responses.models import (
    Assignment,
    ExtensionRequest,
    ReturnRequest,
)
from responses.services.base import (
    _committee_users,
    _open_replying,
    _set_assignment_status,
    _unit_users,
)


def request_return(
    assignment: Assignment, *, actor: User, reason: str, suggested_unit: Unit | None = None
) -> ReturnRequest:
    """The unit asks to hand the assignment back, inside the return window, with a reason."""
    with transaction.atomic():
        assignment = lock(Assignment, assignment.pk)
        policy.check_request_return(actor, assignment)
        reason = require_text(reason, _("Give the reason for handing the assignment back."))
        if suggested_unit is not None and suggested_unit.pk == assignment.unit_id:
            raise WorkflowError(_("Suggest a different unit, or none."))
        old = _set_assignment_status(assignment, AssignmentStatus.RETURN_REQUESTED)
        request = ReturnRequest.objects.create(
            assignment=assignment, reason=reason, suggested_unit=suggested_unit, requested_by=actor, previous_status=old
        )
        proposal = assignment.proposal
        record_event(
            proposal,
            actor,
            EventVerb.RETURN_REQUESTED,
            obj=assignment,
            from_status=old,
            to_status=assignment.status,
            note=reason,
            data={"return_request": request.pk},
        )
        with site_language():
            notify(
                _committee_users(),
                title=_("%(unit)s asks to hand back %(label)s")
                % {"unit": assignment.unit.name, "label": proposal_label(proposal)},
                body=reason,
                proposal=proposal,
            )
    return request


def decide_return(request: ReturnRequest, *, actor: User, approve: bool, note: str = "") -> ReturnRequest:
    """The committee approves a return (the assignment is returned; the proposal goes back to accepted
    when no unit still owes a reply in this round) or refuses it with a reason (back where it was)."""
    with transaction.atomic():
        assignment_id = ReturnRequest.objects.values_list("assignment_id", flat=True).get(pk=request.pk)
        proposal_id = Assignment.objects.values_list("proposal_id", flat=True).get(pk=assignment_id)
        proposal = lock(Proposal, proposal_id)
        assignment = lock(Assignment, assignment_id)
        request = lock(ReturnRequest, request.pk)
        require_committee(actor)
        if request.status != RequestStatus.PENDING:
            raise WorkflowError(_("This request has already been decided."))
        note = (note or "").strip()
        data: dict = {"return_request": request.pk}
        if approve:
            old = _set_assignment_status(assignment, AssignmentStatus.RETURNED)
            refresh_units(proposal)
            if (
                proposal.status == ProposalStatus.ASSIGNED
                and assignment.round == proposal.handling_round
                and not _open_replying(proposal).exists()
            ):
                data["proposal_status"] = [proposal.status, ProposalStatus.ACCEPTED]
                set_status(proposal, ProposalStatus.ACCEPTED)
            verb, request.status = EventVerb.RETURN_APPROVED, RequestStatus.APPROVED
        else:
            note = require_text(note, _("Give the reason for refusing the return."))
            old = _set_assignment_status(assignment, request.previous_status or AssignmentStatus.PENDING)
            verb, request.status = EventVerb.RETURN_REFUSED, RequestStatus.REFUSED
        request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        record_event(
            proposal, actor, verb, obj=assignment, from_status=old, to_status=assignment.status, note=note, data=data
        )
        with site_language():
            title = (_("Return approved: %(label)s") if approve else _("Return refused: %(label)s")) % {
                "label": proposal_label(proposal)
            }
            notify(_unit_users([assignment.unit_id]), title=title, body=note, proposal=proposal)
    return request


def request_extension(
    assignment: Assignment, *, actor: User, requested_until: dt.date, reason: str
) -> ExtensionRequest:
    """The unit asks for a later reply date: after the current one, never past the hard cap."""
    with transaction.atomic():
        assignment = lock(Assignment, assignment.pk)
        policy.check_request_extension(actor, assignment)
        reason = require_text(reason, _("Give the reason for needing more time."))
        _check_extension_date(assignment, requested_until)
        request = ExtensionRequest.objects.create(
            assignment=assignment, reason=reason, requested_until=requested_until, requested_by=actor
        )
        proposal = assignment.proposal
        record_event(
            proposal,
            actor,
            EventVerb.EXTENSION_REQUESTED,
            obj=request,
            to_status=request.status,
            note=reason,
            data={"assignment": assignment.pk, "requested_until": requested_until.isoformat()},
        )
        with site_language():
            notify(
                _committee_users(),
                title=_("%(unit)s asks for more time on %(label)s")
                % {"unit": assignment.unit.name, "label": proposal_label(proposal)},
                body=reason,
                proposal=proposal,
            )
    return request


def _check_extension_date(assignment: Assignment, until: dt.date) -> None:
    if until <= timezone.localdate():
        raise WorkflowError(_("The new date must be in the future."))
    if assignment.reply_due is not None and until <= assignment.reply_due:
        raise WorkflowError(
            _("The new date must be after the current due date, %(date)s.") % {"date": assignment.reply_due}
        )
    if assignment.reply_cap is not None and until > assignment.reply_cap:
        raise WorkflowError(
            _("The reply cannot be due later than %(date)s, the latest date with extensions.")
            % {"date": assignment.reply_cap}
        )


def extension_note(cal: WorkCalendar, *, old: dt.date | None, asked: dt.date, until: dt.date, actor: User) -> str:
    """How an extended reply date came about, in the words stored beside it (site language)."""
    values = {
        "old": old,
        "new": until.isoformat(),
        "asked": asked.isoformat(),
        "why": cal.day_name(asked),
        "name": actor.display_name,
        "today": timezone.localdate().isoformat(),
    }
    if asked != until:
        return (
            _(
                "Extended from %(old)s to %(asked)s (%(why)s), moved to the next working day %(new)s; "
                "approved by %(name)s on %(today)s."
            )
            % values
        )
    return _("Extended from %(old)s to %(new)s, approved by %(name)s on %(today)s.") % values


def decide_extension(
    request: ExtensionRequest,
    *,
    actor: User,
    approve: bool,
    approved_until: dt.date | None = None,
    note: str = "",
) -> ExtensionRequest:
    """The committee approves an extension (the requested date, or an earlier or later one, never past
    the cap) and moves the reply due date, or refuses it with a reason."""
    with transaction.atomic():
        assignment_id = ExtensionRequest.objects.values_list("assignment_id", flat=True).get(pk=request.pk)
        assignment = lock(Assignment, assignment_id)
        request = lock(ExtensionRequest, request.pk)
        require_committee(actor)
        if request.status != RequestStatus.PENDING:
            raise WorkflowError(_("This request has already been decided."))
        note = (note or "").strip()
        data: dict = {"assignment": assignment.pk}
        if approve:
            if assignment.status not in OPEN_ASSIGNMENT_STATUSES:
                raise WorkflowError(_("Only an assignment still being handled can be extended."))
            asked = approved_until or request.requested_until
            cal = WorkCalendar.load()
            # A reply falls due on a working day: a weekend or holiday moves to the next one, and says so.
            until = cal.next_working_day(asked)
            _check_extension_date(assignment, until)
            data["reply_due"] = [str(assignment.reply_due), until.isoformat()]
            with site_language():
                assignment.reply_due_note = extension_note(
                    cal, old=assignment.reply_due, asked=asked, until=until, actor=actor
                )
            assignment.reply_due = until
            assignment.reply_due_provisional = cal.span_provisional(until, until)
            assignment.save(update_fields=["reply_due", "reply_due_note", "reply_due_provisional"])
            request.status, request.approved_until = RequestStatus.APPROVED, until
            verb = EventVerb.EXTENSION_APPROVED
        else:
            note = require_text(note, _("Give the reason for refusing the extension."))
            request.status = RequestStatus.REFUSED
            verb = EventVerb.EXTENSION_REFUSED
        request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note
        request.save(update_fields=["status", "approved_until", "decided_by", "decided_at", "decision_note"])
        proposal = assignment.proposal
        record_event(
            proposal,
            actor,
            verb,
            obj=request,
            from_status=RequestStatus.PENDING,
            to_status=request.status,
            note=note,
            data=data,
        )
        with site_language():
            title = (
                _("Extension approved until %(date)s: %(label)s")
                % {"date": request.approved_until, "label": proposal_label(proposal)}
                if approve
                else _("Extension refused: %(label)s") % {"label": proposal_label(proposal)}
            )
            notify(_unit_users([assignment.unit_id]), title=title, body=note, proposal=proposal)
    return request
