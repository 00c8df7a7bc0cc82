"""Workflow services for handling: assignment (交办), returns, opinions, contacts, the reply letter,
feedback, re-handling and extensions.

Same rules as ``proposals.services`` (see its docstring): each function checks the
actor's right, runs in one transaction, locks rows in the order proposal →
assignment → request/reply, checks the move against the transitions maps in
``responses.choices``, writes an ``Event`` and leaves email to ``on_commit``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import UNIT_ROLES, Role
from accounts.models import Unit, User
from proposals.choices import PROPOSAL_TRANSITIONS, EventVerb, ProposalStatus
from proposals.errors import ReplyConflict, WorkflowError
from proposals.models import Proposal
from proposals.notifications import notify, site_language
from proposals.services import (
    check_length,
    check_move,
    close,
    feedback_complete,
    lock,
    proposal_label,
    proposal_recipients,
    record_event,
    require_committee,
    require_text,
    set_status,
)
from responses.choices import (
    ASSIGNMENT_TRANSITIONS,
    OPEN_ASSIGNMENT_STATUSES,
    REPLY_TRANSITIONS,
    REPLYING_ROLES,
    AssignmentRole,
    AssignmentStatus,
    ContactMethod,
    ReplyStatus,
    RequestStatus,
    Satisfaction,
)
from responses.deadlines import WorkCalendar, add_months, assignment_deadlines, feedback_window_ends

# The limits of the unit's forms, enforced here too: the admin's add pages (a contact) call these services
# with only the model's own checks in front of them. One definition (responses/limits.py) for both.
from responses.limits import COMMITMENT_MAX_YEARS, LETTER_MAX_CHARS, NOTE_MAX_CHARS, session_start
from responses.list_columns import refresh_units
from responses.models import (
    Assignment,
    Contact,
    ExtensionRequest,
    Feedback,
    Opinion,
    Reply,
    ReplyCategory,
    ReplyRevision,
    ReturnRequest,
)

UnitsRoles = Sequence[tuple[Unit, str]]


# Helpers ---------------------------------------------------------------------------------


def _require_unit_staff(actor: User, unit_id: int) -> None:
    if not (actor.role in UNIT_ROLES and actor.unit_id == unit_id):
        raise PermissionDenied(_("Only staff of the assigned unit may do this."))


def _require_unit_leader(actor: User, unit_id: int) -> None:
    if not (actor.role == Role.UNIT_LEADER and actor.unit_id == unit_id):
        raise PermissionDenied(_("Only the leader of the assigned unit may do this."))


def _unit_users(unit_ids: Iterable[int], roles: Iterable[str] = UNIT_ROLES) -> models.QuerySet[User]:
    return User.objects.filter(unit_id__in=list(unit_ids), role__in=list(roles), is_active=True)


def _committee_users() -> models.QuerySet[User]:
    return User.objects.filter(role=Role.COMMITTEE, is_active=True)


def _set_assignment_status(assignment: Assignment, target: str, **fields) -> str:
    """Move a locked assignment after checking the map; returns the old status."""
    old = assignment.status
    check_move(AssignmentStatus, ASSIGNMENT_TRANSITIONS, old, target)
    assignment.status = target
    for name, value in fields.items():
        setattr(assignment, name, value)
    assignment.save(update_fields=["status", *fields])
    return old


def _set_reply_status(reply: Reply, target: str, **fields) -> str:
    old = reply.status
    check_move(ReplyStatus, REPLY_TRANSITIONS, old, target)
    reply.status = target
    for name, value in fields.items():
        setattr(reply, name, value)
    reply.save(update_fields=["status", "updated_at", *fields])
    return old


def _open_replying(proposal: Proposal) -> models.QuerySet[Assignment]:
    """Lead and separate assignments of the current round that still owe a reply."""
    return Assignment.objects.filter(
        proposal=proposal, round=proposal.handling_round, role__in=REPLYING_ROLES, status__in=OPEN_ASSIGNMENT_STATUSES
    )


def _live_assignments(proposal: Proposal) -> models.QuerySet[Assignment]:
    """The current round's assignments that were not handed back."""
    return Assignment.objects.filter(proposal=proposal, round=proposal.handling_round).exclude(
        status=AssignmentStatus.RETURNED
    )


# Assignment (交办) -------------------------------------------------------------------------


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
    # The same date rules as the assignment forms (proposals/admin_views.py UnitsForm): back-dating is
    # allowed (recorded late), but not into the future nor before the proposal's session began.
    if assigned_on > timezone.localdate():
        raise WorkflowError(_("The assignment date cannot be in the future."))
    start = session_start(proposal.session)
    if assigned_on < start:
        raise WorkflowError(
            _("The assignment date cannot be earlier than %(date)s, the start of %(session)s.")
            % {"date": start.isoformat(), "session": proposal.session.name}
        )
    if proposal.status != ProposalStatus.ASSIGNED:
        if proposal.status != ProposalStatus.ACCEPTED:
            raise WorkflowError(_("Only an accepted proposal can be assigned."))
        check_move(ProposalStatus, PROPOSAL_TRANSITIONS, proposal.status, ProposalStatus.ASSIGNED)
    pairs = _validate_units_roles(units_roles, list(_live_assignments(proposal)))
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
        _require_unit_staff(actor, assignment.unit_id)
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


# Returns (申请退回) -------------------------------------------------------------------------


def request_return(
    assignment: Assignment, *, actor: User, reason: str, suggested_unit: Unit | None = None
) -> ReturnRequest:
    """The unit asks to hand the assignment back, inside the return window, with a reason."""
    with transaction.atomic():
        assignment = lock(Assignment, assignment.pk)
        _require_unit_staff(actor, assignment.unit_id)
        check_move(AssignmentStatus, ASSIGNMENT_TRANSITIONS, assignment.status, AssignmentStatus.RETURN_REQUESTED)
        ends = assignment.return_window_ends
        if ends is not None and timezone.localdate() > ends:
            raise WorkflowError(_("The time to ask for a return ended on %(date)s.") % {"date": ends})
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


# Co-handling opinion and contact -----------------------------------------------------------


def send_opinion(assignment: Assignment, *, actor: User, body: str) -> Opinion:
    """A co-handling unit sends its opinion (会办意见) to the lead unit; late when after ``opinion_due``."""
    with transaction.atomic():
        assignment = lock(Assignment, assignment.pk)
        _require_unit_staff(actor, assignment.unit_id)
        if assignment.role != AssignmentRole.COHANDLING:
            raise WorkflowError(_("Only a co-handling unit sends an opinion."))
        check_move(AssignmentStatus, ASSIGNMENT_TRANSITIONS, assignment.status, AssignmentStatus.OPINION_SENT)
        body = require_text(body, _("Write the opinion."))
        is_late = assignment.opinion_due is not None and timezone.localdate() > assignment.opinion_due
        old = _set_assignment_status(assignment, AssignmentStatus.OPINION_SENT)
        opinion = Opinion.objects.create(
            assignment=assignment, body=body, author=actor, sent_at=timezone.now(), is_late=is_late
        )
        proposal = assignment.proposal
        record_event(
            proposal,
            actor,
            EventVerb.OPINION_SENT,
            obj=assignment,
            from_status=old,
            to_status=assignment.status,
            data={"opinion": opinion.pk, "late": is_late},
        )
        lead_units = _live_assignments(proposal).filter(role=AssignmentRole.LEAD).values_list("unit_id", flat=True)
        with site_language():
            notify(
                _unit_users(lead_units),
                title=_("Co-handling opinion from %(unit)s on %(label)s")
                % {"unit": assignment.unit.name, "label": proposal_label(proposal)},
                proposal=proposal,
                email=False,
            )
    return opinion


CONTACT_STATUSES = {AssignmentStatus.HANDLING, AssignmentStatus.OPINION_SENT, AssignmentStatus.REPLIED}


def log_contact(
    assignment: Assignment,
    *,
    actor: User,
    contacted_on: dt.date,
    method: str,
    participants: str,
    notes: str = "",
) -> Contact:
    """Record the unit's contact with the proposer (办前沟通)."""
    with transaction.atomic():
        assignment = lock(Assignment, assignment.pk)
        _require_unit_staff(actor, assignment.unit_id)
        if assignment.status not in CONTACT_STATUSES:
            raise WorkflowError(_("Contact is recorded once the unit has accepted the assignment."))
        if method not in ContactMethod.values:
            raise WorkflowError(_("Choose how the proposer was contacted."))
        participants = require_text(participants, _("Say who took part."))
        notes = (notes or "").strip()
        check_length(Contact, "participants", participants)
        check_length(Contact, "notes", notes, NOTE_MAX_CHARS)
        if contacted_on > timezone.localdate():
            raise WorkflowError(_("The contact date cannot be in the future."))
        # No talk about a proposal can come before its session began (the same rule as ContactForm).
        session = assignment.proposal.session
        start = session_start(session)
        if contacted_on < start:
            raise WorkflowError(
                _("The contact date cannot be earlier than %(date)s, the start of %(session)s.")
                % {"date": start.isoformat(), "session": session.name}
            )
        contact = Contact.objects.create(
            assignment=assignment,
            contacted_on=contacted_on,
            method=method,
            participants=participants,
            notes=notes,
            recorded_by=actor,
        )
        record_event(
            assignment.proposal,
            actor,
            EventVerb.CONTACT_LOGGED,
            obj=contact,
            note=f"{contacted_on.isoformat()} {ContactMethod(method).label}",
        )
    return contact


# The reply letter (答复函) ------------------------------------------------------------------

REPLY_FIELDS = ("category", "letter_number", "body", "contact_person", "contact_phone", "commitment_date")
SINGLE_LINE_FIELDS = {"letter_number", "contact_person", "contact_phone"}
# Text fields without a max_length in the table, limited as on ReplyForm.
REPLY_TEXT_LIMITS = {"body": LETTER_MAX_CHARS}


def reply_values(reply: Reply) -> dict:
    """The editable fields of a reply as JSON-ready values (category as its id, the date as ISO text)."""
    return {
        "category": reply.category_id,
        "letter_number": reply.letter_number,
        "body": reply.body,
        "contact_person": reply.contact_person,
        "contact_phone": reply.contact_phone,
        "commitment_date": reply.commitment_date.isoformat() if reply.commitment_date else None,
    }


def _json_value(name: str, value):
    if name == "category":
        return value.pk if value is not None else None
    if name == "commitment_date":
        return value.isoformat() if value else None
    return value


def _clean_reply_data(data: dict) -> dict:
    unknown = sorted(set(data) - set(REPLY_FIELDS))
    if unknown:
        raise WorkflowError(_("These fields cannot be edited here: %(fields)s") % {"fields": ", ".join(unknown)})
    cleaned: dict = {}
    for name, value in data.items():
        if name == "category":
            if value in (None, ""):
                cleaned[name] = None
            elif isinstance(value, ReplyCategory):
                cleaned[name] = value
            else:
                try:
                    cleaned[name] = ReplyCategory.objects.get(pk=value)
                except (ReplyCategory.DoesNotExist, ValueError, TypeError) as exc:
                    raise WorkflowError(_("Choose a valid reply category.")) from exc
        elif name == "commitment_date":
            if value in (None, ""):
                cleaned[name] = None
            elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                cleaned[name] = value
            else:
                try:
                    cleaned[name] = dt.date.fromisoformat(str(value))
                except ValueError as exc:
                    raise WorkflowError(_("Enter the commitment date as YYYY-MM-DD.")) from exc
            if cleaned[name] is not None:
                _check_commitment_date(cleaned[name])
        else:
            text = "" if value is None else str(value)
            if name in SINGLE_LINE_FIELDS:
                text = text.strip()
            check_length(Reply, name, text, REPLY_TEXT_LIMITS.get(name))
            cleaned[name] = text
    return cleaned


def _check_commitment_date(day: dt.date) -> None:
    """The same range as ReplyForm: after today, and within COMMITMENT_MAX_YEARS (a later one is a typo
    whose follow-up would never fall due)."""
    today = timezone.localdate()
    if day <= today:
        raise WorkflowError(_("The commitment date must be in the future."))
    if day > add_months(today, 12 * COMMITMENT_MAX_YEARS):
        raise WorkflowError(_("The commitment date must be within %(years)d years.") % {"years": COMMITMENT_MAX_YEARS})


def _conflict(reply: Reply, base_version: int | None) -> ReplyConflict:
    revisions = list(
        ReplyRevision.objects.filter(reply=reply, version__gt=base_version or 0)
        .select_related("editor")
        .order_by("version")
    )
    names = ", ".join(dict.fromkeys(revision.editor.display_name for revision in revisions)) or _("Someone")
    return ReplyConflict(
        _(
            "%(names)s saved this reply after you opened it (it is now version %(version)d). "
            "Review the changes and save again."
        )
        % {"names": names, "version": reply.version},
        current=reply_values(reply),
        version=reply.version,
        revisions=revisions,
    )


def _create_draft(assignment: Assignment, actor: User, cleaned: dict, *, followup: bool = False) -> Reply:
    try:
        # A savepoint: the unique constraint answers two first saves at the same moment.
        with transaction.atomic():
            reply = Reply.objects.create(
                assignment=assignment,
                round=assignment.round,
                is_followup=followup,
                drafted_by=actor,
                version=1,
                **cleaned,
            )
    except IntegrityError:
        existing = round_reply(assignment, followup=followup)
        if existing is None:
            raise
        raise _conflict(existing, None) from None
    changes = {
        name: [None if name in ("category", "commitment_date") else "", _json_value(name, value)]
        for name, value in cleaned.items()
        if value not in (None, "")
    }
    ReplyRevision.objects.create(reply=reply, version=1, editor=actor, changes=changes, created_at=reply.created_at)
    record_event(
        assignment.proposal,
        actor,
        EventVerb.REPLY_SAVED,
        obj=reply,
        to_status=reply.status,
        data={"version": 1, "fields": sorted(changes), **({"followup": True} if followup else {})},
    )
    return reply


def round_reply(assignment: Assignment, *, followup: bool = False) -> Reply | None:
    """The assignment's reply (or follow-up reply) of its current round, if drafted."""
    return (
        Reply.objects.filter(assignment=assignment, round=assignment.round, is_followup=followup).order_by("pk").first()
    )


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


def _check_draftable(assignment: Assignment, *, followup: bool) -> None:
    if assignment.role not in REPLYING_ROLES:
        raise WorkflowError(_("A co-handling unit sends an opinion to the lead unit, not a reply."))
    if not followup:
        if assignment.status != AssignmentStatus.HANDLING:
            raise WorkflowError(_("A reply is drafted while the unit is handling the assignment."))
        return
    if assignment.status != AssignmentStatus.REPLIED or followup_basis(assignment) is None:
        raise WorkflowError(_("A follow-up reply is written after a reply with a commitment date has been sent."))


def save_reply_draft(
    assignment: Assignment, *, actor: User, data: dict, base_version: int | None, followup: bool = False
) -> Reply:
    """Create or edit the reply draft of an assignment in its current round.

    ``base_version`` is the version the editor started from (None for a new draft).
    When someone saved in between, ``ReplyConflict`` is raised with the saved values
    and the revisions since then; nothing is overwritten. Each save writes a
    ``ReplyRevision`` with the changed fields as ``{field: [old, new]}``.

    With ``followup`` the draft is the follow-up reply (跟踪答复) that a sent reply with a
    commitment date (category B) calls for; it follows the same steps as the reply.
    """
    cleaned = _clean_reply_data(data)
    with transaction.atomic():
        assignment = lock(Assignment, assignment.pk)
        _require_unit_staff(actor, assignment.unit_id)
        _check_draftable(assignment, followup=followup)
        reply = round_reply(assignment, followup=followup)
        if reply is None:
            return _create_draft(assignment, actor, cleaned, followup=followup)
        if reply.status != ReplyStatus.DRAFT:
            raise WorkflowError(_("This reply is no longer a draft and cannot be edited."))
        if base_version is None or reply.version != base_version:
            raise _conflict(reply, base_version)
        old_values = reply_values(reply)
        changes = {
            name: [old_values[name], _json_value(name, value)]
            for name, value in cleaned.items()
            if old_values[name] != _json_value(name, value)
        }
        if not changes:
            return reply
        now = timezone.now()
        # The version in the WHERE clause is the optimistic lock: a save in between makes this match nothing.
        updated = Reply.objects.filter(pk=reply.pk, version=base_version, status=ReplyStatus.DRAFT).update(
            **{name: cleaned[name] for name in changes}, version=F("version") + 1, updated_at=now
        )
        reply.refresh_from_db()
        if updated != 1:
            if reply.status != ReplyStatus.DRAFT:
                raise WorkflowError(_("This reply is no longer a draft and cannot be edited."))
            raise _conflict(reply, base_version)
        ReplyRevision.objects.create(reply=reply, version=reply.version, editor=actor, changes=changes, created_at=now)
        record_event(
            assignment.proposal,
            actor,
            EventVerb.REPLY_SAVED,
            obj=reply,
            data={
                "version": reply.version,
                "fields": sorted(changes),
                **({"followup": True} if reply.is_followup else {}),
            },
        )
    return reply


class SubmittedReply(NamedTuple):
    reply: Reply
    missing_contact: bool  # no Contact recorded: the reply is flagged for the committee


def submit_reply(reply: Reply, *, actor: User) -> SubmittedReply:
    """The handler submits a complete draft for the unit leader's sign-off (draft → awaiting_signoff)."""
    with transaction.atomic():
        assignment_id = Reply.objects.values_list("assignment_id", flat=True).get(pk=reply.pk)
        assignment = lock(Assignment, assignment_id)
        reply = lock(Reply, reply.pk)
        _require_unit_staff(actor, assignment.unit_id)
        check_move(ReplyStatus, REPLY_TRANSITIONS, reply.status, ReplyStatus.AWAITING_SIGNOFF)
        if assignment.status != (AssignmentStatus.REPLIED if reply.is_followup else AssignmentStatus.HANDLING):
            raise WorkflowError(_("The assignment is not being handled, so its reply cannot go forward."))
        required = ["category", "body", "letter_number", "contact_person", "contact_phone"]
        # A follow-up reply reports on a commitment; it does not make a new one.
        if reply.category is not None and reply.category.requires_commitment and not reply.is_followup:
            required.append("commitment_date")
        missing = [
            name for name in required if getattr(reply, name) in (None, "") or str(getattr(reply, name)).strip() == ""
        ]
        if missing:
            raise WorkflowError(
                _("Fill in before submitting: %(fields)s")
                % {"fields": ", ".join(str(Reply._meta.get_field(name).verbose_name) for name in missing)}
            )
        if "commitment_date" in required and reply.commitment_date <= timezone.localdate():
            raise WorkflowError(_("The commitment date must be in the future."))
        old = _set_reply_status(reply, ReplyStatus.AWAITING_SIGNOFF)
        missing_contact = not Contact.objects.filter(assignment=assignment).exists()
        proposal = assignment.proposal
        record_event(
            proposal,
            actor,
            EventVerb.REPLY_SUBMITTED,
            obj=reply,
            from_status=old,
            to_status=reply.status,
            data={"no_contact": missing_contact, **({"followup": True} if reply.is_followup else {})},
        )
        with site_language():
            notify(
                _unit_users([assignment.unit_id], [Role.UNIT_LEADER]),
                title=_("Reply awaiting your sign-off: %(label)s") % {"label": proposal_label(proposal)},
                body=_("No contact with the proposer has been recorded.") if missing_contact else "",
                proposal=proposal,
            )
    return SubmittedReply(reply, missing_contact)


def sign_reply(reply: Reply, *, actor: User) -> Reply:
    """签发: the unit's leader signs off a submitted reply (awaiting_signoff → signed)."""
    with transaction.atomic():
        reply = lock(Reply, reply.pk)
        assignment = reply.assignment
        _require_unit_leader(actor, assignment.unit_id)
        old = _set_reply_status(reply, ReplyStatus.SIGNED, signer=actor, signed_at=timezone.now())
        record_event(
            assignment.proposal, actor, EventVerb.REPLY_SIGNED, obj=reply, from_status=old, to_status=reply.status
        )
        with site_language():
            notify(
                [reply.drafted_by],
                title=_("Reply signed off: %(label)s") % {"label": proposal_label(assignment.proposal)},
                proposal=assignment.proposal,
                email=False,
            )
    return reply


def send_back_reply(reply: Reply, *, actor: User, comments: str) -> Reply:
    """The unit's leader sends a submitted reply back to draft with comments."""
    with transaction.atomic():
        reply = lock(Reply, reply.pk)
        assignment = reply.assignment
        _require_unit_leader(actor, assignment.unit_id)
        check_move(ReplyStatus, REPLY_TRANSITIONS, reply.status, ReplyStatus.DRAFT)
        comments = require_text(comments, _("Say what needs to change before the reply can be signed."))
        old = _set_reply_status(reply, ReplyStatus.DRAFT, sendback_comment=comments)
        record_event(
            assignment.proposal,
            actor,
            EventVerb.REPLY_SENT_BACK,
            obj=reply,
            from_status=old,
            to_status=reply.status,
            note=comments,
        )
        with site_language():
            notify(
                [reply.drafted_by],
                title=_("Reply sent back: %(label)s") % {"label": proposal_label(assignment.proposal)},
                body=comments,
                proposal=assignment.proposal,
            )
    return reply


def send_reply(reply: Reply, *, actor: User) -> Reply:
    """The unit sends a signed reply to the proposers (signed → sent; the assignment is replied).

    The proposal becomes replied when no lead or separate unit of the current round
    still owes a reply. Every proposer is told, in the app and by email, with a link
    to the letter. A follow-up reply (跟踪答复) is sent the same way but moves neither
    the assignment nor the proposal: they were replied already.
    """
    with transaction.atomic():
        assignment_id = Reply.objects.values_list("assignment_id", flat=True).get(pk=reply.pk)
        proposal_id = Assignment.objects.values_list("proposal_id", flat=True).get(pk=assignment_id)
        # The proposal is locked first: two units sending at once must not both think the other is still open.
        proposal = lock(Proposal, proposal_id)
        assignment = lock(Assignment, assignment_id)
        reply = lock(Reply, reply.pk)
        _require_unit_staff(actor, assignment.unit_id)
        check_move(ReplyStatus, REPLY_TRANSITIONS, reply.status, ReplyStatus.SENT)
        now = timezone.now()
        data: dict = {"assignment": assignment.pk, "unit": assignment.unit.name}
        if reply.is_followup:
            data["followup"] = True
        else:
            _set_assignment_status(assignment, AssignmentStatus.REPLIED, replied_at=now)
        old = _set_reply_status(reply, ReplyStatus.SENT, sent_at=now)
        if (
            not reply.is_followup
            and proposal.status == ProposalStatus.ASSIGNED
            and assignment.round == proposal.handling_round
            and not _live_assignments(proposal)
            .filter(role__in=REPLYING_ROLES)
            .exclude(status=AssignmentStatus.REPLIED)
            .exists()
        ):
            data["proposal_status"] = [proposal.status, ProposalStatus.REPLIED]
            set_status(proposal, ProposalStatus.REPLIED)
        record_event(
            proposal, actor, EventVerb.REPLY_SENT, obj=reply, from_status=old, to_status=reply.status, data=data
        )
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
    return reply


# Feedback and re-handling ------------------------------------------------------------------


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
        if reply.status != ReplyStatus.SENT:
            raise WorkflowError(_("Only a sent reply can be rated."))
        if attitude not in Satisfaction.values or result not in Satisfaction.values:
            raise WorkflowError(_("Rate both the handling attitude and the handling result."))
        comment = (comment or "").strip()
        if Satisfaction.DISSATISFIED in (attitude, result) and not comment:
            raise WorkflowError(_("Say what you are dissatisfied with, so that it can be handled again."))
        ends = feedback_window_ends(proposal.session, timezone.localdate(reply.sent_at)).date
        if timezone.localdate() > ends:
            raise WorkflowError(_("The time to rate this reply ended on %(date)s.") % {"date": ends})
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
    live = list(_live_assignments(proposal).select_related("unit").order_by("pk"))
    bad = set(
        Feedback.objects.filter(reply__assignment__in=live, reply__status=ReplyStatus.SENT, reply__is_followup=False)
        .filter(Q(attitude=Satisfaction.DISSATISFIED) | Q(result=Satisfaction.DISSATISFIED))
        .values_list("reply__assignment_id", flat=True)
    )
    lead_bad = any(row.pk in bad and row.role == AssignmentRole.LEAD for row in live)
    return [row for row in live if row.pk in bad or (lead_bad and row.role == AssignmentRole.COHANDLING)]


def _rehandle(proposal: Proposal, *, actor: User | None, previous: Sequence[Assignment], note: str) -> list[Assignment]:
    """重新办理 of a locked proposal: a new round with new assignments for the same units and roles."""
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
        data={"round": proposal.handling_round, "assignments": _assignment_summary(rows)},
    )
    _notify_units_assigned(proposal, rows)
    return rows


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
        previous = list(_live_assignments(proposal).select_related("unit").order_by("pk"))
        return _rehandle(proposal, actor=actor, previous=previous, note=reason)


# Extensions (延期) --------------------------------------------------------------------------


def request_extension(
    assignment: Assignment, *, actor: User, requested_until: dt.date, reason: str
) -> ExtensionRequest:
    """The unit asks for a later reply date: after the current one, never past the hard cap."""
    with transaction.atomic():
        assignment = lock(Assignment, assignment.pk)
        _require_unit_staff(actor, assignment.unit_id)
        if assignment.role not in REPLYING_ROLES:
            raise WorkflowError(_("Only a unit that writes a reply can ask for more time."))
        if assignment.status not in (AssignmentStatus.PENDING, AssignmentStatus.HANDLING):
            raise WorkflowError(_("Only an assignment still being handled can be extended."))
        reason = require_text(reason, _("Give the reason for needing more time."))
        _check_extension_date(assignment, requested_until)
        if ExtensionRequest.objects.filter(assignment=assignment, status=RequestStatus.PENDING).exists():
            raise WorkflowError(_("An extension request for this assignment is already waiting for a decision."))
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
    if assignment.reply_due is not None and until <= assignment.reply_due:
        raise WorkflowError(
            _("The new date must be after the current due date, %(date)s.") % {"date": assignment.reply_due}
        )
    if assignment.reply_cap is not None and until > assignment.reply_cap:
        raise WorkflowError(
            _("The reply cannot be due later than %(date)s, the latest date with extensions.")
            % {"date": assignment.reply_cap}
        )


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
            until = approved_until or request.requested_until
            if assignment.status not in OPEN_ASSIGNMENT_STATUSES:
                raise WorkflowError(_("Only an assignment still being handled can be extended."))
            _check_extension_date(assignment, until)
            data["reply_due"] = [str(assignment.reply_due), until.isoformat()]
            with site_language():
                assignment.reply_due_note = _(
                    "Extended from %(old)s to %(new)s, approved by %(name)s on %(today)s."
                ) % {
                    "old": assignment.reply_due,
                    "new": until.isoformat(),
                    "name": actor.display_name,
                    "today": timezone.localdate().isoformat(),
                }
            assignment.reply_due = until
            assignment.reply_due_provisional = WorkCalendar.load().span_provisional(until, until)
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
