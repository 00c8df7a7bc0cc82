"""交办: the committee hands accepted proposals to units; a unit accepts (签收) its assignment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from proposals.choices import PROPOSAL_TRANSITIONS, EventVerb, ProposalStatus
from proposals.models import Proposal
from proposals.services import proposal_label, set_status
from proposals.workflow import (
    WorkflowError,
    check_move,
    lock,
    notify,
    record_event,
    require_committee,
    site_language,
)
from responses import policy
from responses.choices import (
    AssignmentRole,
    AssignmentStatus,
)
from responses.deadlines import WorkCalendar, assignment_deadlines

# The limits of the unit's forms, enforced here too: the admin's add pages (a contact) call these services
# with only the model's own checks in front of them. One definition (responses/limits.py) for both.
from responses.limits import session_start
from responses.list_columns import refresh_units
from responses.models import (
    Assignment,
)
from responses.services.base import (
    UnitsRoles,
    _set_assignment_status,
    _unit_users,
    live_assignments,
)


def _validate_units_roles(units_roles: UnitsRoles, existing: Sequence[Assignment]) -> list[tuple[Unit, str]]:
    """One lead with co-handlers, or one or more separate units; each unit once in a round."""
    pairs = list(units_roles)
    if not pairs:
        raise WorkflowError(_("Choose at least one unit."))
    for unit, role in pairs:
        if role not in AssignmentRole.values:
            raise WorkflowError(_("Choose whether each unit leads, co-handles or replies separately."))
        if not unit.is_active:
            raise WorkflowError(_("%(unit)s is no longer active.") % {"unit": unit.name})
    unit_ids = [unit.pk for unit, _role in pairs] + [row.unit_id for row in existing]
    if len(unit_ids) != len(set(unit_ids)):
        raise WorkflowError(_("Each unit can be given a proposal only once per handling round."))
    roles = [role for _unit, role in pairs] + [row.role for row in existing]
    leads = roles.count(AssignmentRole.LEAD)
    if leads > 1:
        raise WorkflowError(_("Only one unit can be the lead unit."))
    if AssignmentRole.COHANDLING in roles and leads != 1:
        raise WorkflowError(_("Co-handling units need a lead unit."))
    if AssignmentRole.SEPARATE in roles and leads:
        raise WorkflowError(_("Separate units reply on their own and cannot be combined with a lead unit."))
    return pairs


def _create_assignments(
    proposal: Proposal,
    pairs: Sequence[tuple[Unit, str]],
    *,
    assigned_by: User | Sequence[User],
    assigned_on: dt.date,
    instructions: str,
    cal: WorkCalendar,
) -> list[Assignment]:
    now = timezone.now()
    by = assigned_by if isinstance(assigned_by, Sequence) else [assigned_by] * len(pairs)
    rows = []
    for (unit, role), user in zip(pairs, by, strict=True):
        due = assignment_deadlines(
            proposal.session, assigned_on, with_opinion=role == AssignmentRole.COHANDLING, cal=cal
        )
        rows.append(
            Assignment.objects.create(
                proposal=proposal,
                unit=unit,
                role=role,
                round=proposal.handling_round,
                assigned_by=user,
                assigned_at=now,
                assigned_on=assigned_on,
                instructions=instructions,
                **due,
            )
        )
    refresh_units(proposal)
    return rows


def _assignment_summary(rows: Sequence[Assignment]) -> list[dict]:
    return [{"id": row.pk, "unit": row.unit.name, "role": row.role, "reply_due": str(row.reply_due)} for row in rows]


def _notify_units_assigned(proposal: Proposal, rows: Sequence[Assignment]) -> None:
    with site_language():
        for row in rows:
            notify(
                _unit_users([row.unit_id]),
                title=_("New assignment: %(label)s") % {"label": proposal_label(proposal)},
                body=_("Role: %(role)s. Reply due %(due)s.") % {"role": row.get_role_display(), "due": row.reply_due},
                proposal=proposal,
            )


def _assign(
    proposal: Proposal,
    *,
    actor: User,
    units_roles: UnitsRoles,
    assigned_on: dt.date,
    instructions: str,
    cal: WorkCalendar,
) -> list[Assignment]:
    """Assign a locked proposal. An accepted proposal becomes assigned; one already assigned (after a
    unit was handed back while others still work on it) takes the extra units as they are."""
    # The same date rules as the assignment forms (responses/admin_assign.py UnitsForm): back-dating is
    # allowed (recorded late), but not into the future nor before the proposal's session began or it was
    # accepted (立案).
    if assigned_on > timezone.localdate():
        raise WorkflowError(_("The assignment date cannot be in the future."))
    start = session_start(proposal.session)
    if assigned_on < start:
        raise WorkflowError(
            _("The assignment date cannot be earlier than %(date)s, the start of %(session)s.")
            % {"date": start.isoformat(), "session": proposal.session.name}
        )
    accepted_on = timezone.localdate(proposal.accepted_at) if proposal.accepted_at else None
    if accepted_on and assigned_on < accepted_on:
        raise WorkflowError(
            _("The assignment date cannot be earlier than %(date)s, the day the proposal was accepted.")
            % {"date": accepted_on.isoformat()}
        )
    if proposal.status != ProposalStatus.ASSIGNED:
        if proposal.status != ProposalStatus.ACCEPTED:
            raise WorkflowError(_("Only an accepted proposal can be assigned."))
        check_move(ProposalStatus, PROPOSAL_TRANSITIONS, proposal.status, ProposalStatus.ASSIGNED)
    pairs = _validate_units_roles(units_roles, list(live_assignments(proposal)))
    rows = _create_assignments(
        proposal, pairs, assigned_by=actor, assigned_on=assigned_on, instructions=instructions, cal=cal
    )
    old = proposal.status
    if old != ProposalStatus.ASSIGNED:
        set_status(proposal, ProposalStatus.ASSIGNED)
    record_event(
        proposal,
        actor,
        EventVerb.ASSIGNED,
        from_status=old,
        to_status=proposal.status,
        note=instructions,
        data={
            "round": proposal.handling_round,
            "assigned_on": assigned_on.isoformat(),
            "assignments": _assignment_summary(rows),
        },
    )
    _notify_units_assigned(proposal, rows)
    return rows


def assign_proposal(
    proposal: Proposal,
    *,
    actor: User,
    units_roles: UnitsRoles,
    assigned_on: dt.date | None = None,
    instructions: str = "",
) -> list[Assignment]:
    """交办: the committee hands an accepted proposal to one lead unit (with co-handling units) or to
    one or several separate units. Due dates count from ``assigned_on`` (default today)."""
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        require_committee(actor)
        return _assign(
            proposal,
            actor=actor,
            units_roles=units_roles,
            assigned_on=assigned_on or timezone.localdate(),
            instructions=(instructions or "").strip(),
            cal=WorkCalendar.load(),
        )


def assign_many(
    proposals: Iterable[Proposal],
    *,
    actor: User,
    units_roles: UnitsRoles,
    assigned_on: dt.date | None = None,
    instructions: str = "",
) -> list[Assignment]:
    """Bulk 交办 of several proposals to the same units in one step: all are assigned, or none."""
    require_committee(actor)
    ids = sorted({proposal.pk for proposal in proposals})
    if not ids:
        raise WorkflowError(_("Choose at least one proposal."))
    assigned_on = assigned_on or timezone.localdate()
    cal = WorkCalendar.load()  # once for the batch
    rows: list[Assignment] = []
    with transaction.atomic():
        # Locked in primary-key order, like every other batch, so batches cannot deadlock.
        for proposal in Proposal.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
            try:
                rows += _assign(
                    proposal,
                    actor=actor,
                    units_roles=units_roles,
                    assigned_on=assigned_on,
                    instructions=(instructions or "").strip(),
                    cal=cal,
                )
            except WorkflowError as exc:
                raise WorkflowError(
                    _("%(label)s: %(error)s") % {"label": proposal_label(proposal), "error": exc.message}
                ) from exc
    return rows


def accept_assignment(assignment: Assignment, *, actor: User) -> Assignment:
    """签收: the unit's staff take on a pending assignment (pending → handling)."""
    with transaction.atomic():
        assignment = lock(Assignment, assignment.pk)
        policy.check_accept(actor, assignment)
        old = _set_assignment_status(
            assignment, AssignmentStatus.HANDLING, accepted_at=timezone.now(), accepted_by=actor
        )
        record_event(
            assignment.proposal,
            actor,
            EventVerb.ASSIGNMENT_ACCEPTED,
            obj=assignment,
            from_status=old,
            to_status=assignment.status,
            note=assignment.unit.name,
        )
    return assignment
