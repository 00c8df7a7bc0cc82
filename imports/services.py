"""Writing a checked plan: everything in one transaction, in bulk, with the historical dates kept.

The workflow services take one step at a time as of today: they refuse a session that closed years
ago, a rating after its window, and they notify people. An import writes what already happened, so
it writes the rows those services would have left (statuses, deadlines computed by the same
``responses.deadlines`` rules, list columns, search words, timeline events dated when each step was
taken and marked as imported) without notifying anyone. Each imported proposal is marked by an
``ImportedProposal`` row; a proposal already imported is skipped, so importing a file twice
changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from imports.models import ImportBatch, ImportedProposal
from imports.plan import Plan, ProposalPlan, check
from proposals import cache_versions
from proposals.choices import EventVerb, ProposalKind, ProposalStatus, ProposerRole, ProposerStatus
from proposals.list_columns import fill_lead_names
from proposals.models import Event, Proposal, Proposer
from proposals.search import document_words
from proposals.workflow import WorkflowError
from responses.choices import REPLYING_ROLES, AssignmentRole, AssignmentStatus, ReplyStatus
from responses.deadlines import WorkCalendar, assignment_deadlines
from responses.list_columns import fill_units
from responses.models import Assignment, Feedback, Reply

BATCH = 1000
# A proposal whose last reply went out longer ago than this is closed, rated or not (the feedback window
# of DESIGN.md section 4 is 15 working days).
FEEDBACK_SETTLED = dt.timedelta(days=30)


def _moment(day: dt.date) -> dt.datetime:
    """A historical date as a moment: nine in the morning of that day, local time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _status(plan: ProposalPlan, today: dt.date) -> tuple[str, dt.date | None]:
    """The status the proposal reached, and when it closed (None while open)."""
    replying = [a for a in plan.assignments.values() if a.role in REPLYING_ROLES]
    if not replying:
        return ProposalStatus.ACCEPTED, None
    if any(a.reply is None for a in replying):
        return ProposalStatus.ASSIGNED, None
    replies = [a.reply for a in replying]
    last = max(reply.sent for reply in replies)
    proposers = 1 + len(plan.cosigners)
    rated = all(len(reply.feedback) >= proposers for reply in replies)
    if rated:
        return ProposalStatus.CLOSED, max([last, *(f.given for r in replies for f in r.feedback)])
    if today - last > FEEDBACK_SETTLED:
        return ProposalStatus.CLOSED, last + FEEDBACK_SETTLED
    return ProposalStatus.REPLIED, None


def _assignment_status(role: str, has_reply: bool, proposal_status: str) -> str:
    if role in REPLYING_ROLES:
        return AssignmentStatus.REPLIED if has_reply else AssignmentStatus.HANDLING
    # A co-handling unit's part ends when the lead unit has replied.
    done = proposal_status in (ProposalStatus.REPLIED, ProposalStatus.CLOSED)
    return AssignmentStatus.OPINION_SENT if done else AssignmentStatus.HANDLING


def _bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def write(plan: Plan, *, actor: User, file_name: str, content: bytes) -> ImportBatch:
    """Writes ``plan`` (which must have no problems) in one transaction; returns the batch."""
    if plan.problems:
        raise WorkflowError(_("The workbook has problems; nothing was imported."))
    today = timezone.localdate()
    cal = WorkCalendar.load()
    computed: dict[tuple, dict] = {}

    def deadlines(session, assigned_on: dt.date, with_opinion: bool) -> dict:
        # The due dates follow from the session, the day and the role alone; a workbook assigns many
        # proposals on the same days, so each combination is worked out once.
        key = (session.pk, assigned_on, with_opinion)
        if key not in computed:
            computed[key] = assignment_deadlines(session, assigned_on, with_opinion=with_opinion, cal=cal)
        return dict(computed[key])

    note = _("Imported from an earlier session's workbook")
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            file_name=file_name[:200],
            file_sha256=hashlib.sha256(content).hexdigest(),
            imported_by=actor,
            counts=plan.counts,
        )
        marker = {"imported": batch.pk}
        statuses = [_status(item, today) for item in plan.proposals]
        proposals = _bulk(
            Proposal,
            [
                Proposal(
                    session=item.session,
                    number=item.number,
                    title=item.title,
                    background=item.background,
                    suggestions=item.suggestions,
                    category=item.category,
                    kind=ProposalKind.JOINT if item.cosigners else ProposalKind.INDIVIDUAL,
                    status=status,
                    created_by=item.lead,
                    search_text=document_words(item.number, item.title, item.background, item.suggestions),
                    created_at=_moment(item.submitted),
                    submitted_at=_moment(item.submitted),
                    accepted_at=_moment(item.accepted),
                    closed_at=_moment(closed) if closed else None,
                )
                for item, (status, closed) in zip(plan.proposals, statuses, strict=True)
            ],
        )
        _bulk(ImportedProposal, [ImportedProposal(batch=batch, proposal=proposal) for proposal in proposals])
        _bulk(Proposer, list(_proposers(plan.proposals, proposals)))
        events: list[Event] = []
        assignments: list[tuple[Assignment, object]] = []
        for item, proposal in zip(plan.proposals, proposals, strict=True):
            lead_at = _moment(item.submitted)
            events += [
                Event(
                    proposal=proposal,
                    actor=item.lead,
                    verb=EventVerb.CREATED,
                    to_status=ProposalStatus.DRAFT,
                    note=note,
                    data=marker,
                    created_at=lead_at,
                ),
                Event(
                    proposal=proposal,
                    actor=item.lead,
                    verb=EventVerb.SUBMITTED,
                    from_status=ProposalStatus.DRAFT,
                    to_status=ProposalStatus.SUBMITTED,
                    data=marker,
                    created_at=lead_at,
                ),
                Event(
                    proposal=proposal,
                    actor=actor,
                    verb=EventVerb.ACCEPTED,
                    from_status=ProposalStatus.SUBMITTED,
                    to_status=ProposalStatus.ACCEPTED,
                    data={**marker, "number": item.number},
                    created_at=_moment(item.accepted),
                ),
            ]
            for plan_row in item.assignments.values():
                fields = deadlines(item.session, plan_row.assigned, plan_row.role == AssignmentRole.COHANDLING)
                if plan_row.due is not None:
                    fields.update(
                        reply_due=plan_row.due,
                        original_reply_due=plan_row.due,
                        reply_due_note=note,
                        reply_due_provisional=False,
                    )
                reply = plan_row.reply
                row = Assignment(
                    proposal=proposal,
                    unit=plan_row.unit,
                    role=plan_row.role,
                    status=_assignment_status(plan_row.role, reply is not None, proposal.status),
                    assigned_by=actor,
                    assigned_at=_moment(plan_row.assigned),
                    accepted_at=_moment(plan_row.assigned),
                    replied_at=_moment(reply.sent) if reply else None,
                    **fields,
                )
                assignments.append((row, plan_row))
            if item.assignments:
                first = min(a.assigned for a in item.assignments.values())
                events.append(
                    Event(
                        proposal=proposal,
                        actor=actor,
                        verb=EventVerb.ASSIGNED,
                        from_status=ProposalStatus.ACCEPTED,
                        to_status=ProposalStatus.ASSIGNED,
                        data={**marker, "units": [a.unit.name for a in item.assignments.values()]},
                        created_at=_moment(first),
                    )
                )
        _bulk(Assignment, [row for row, _plan in assignments])
        replies: list[tuple[Reply, object]] = []
        for row, plan_row in assignments:
            reply = plan_row.reply
            if reply is None:
                continue
            sent = _moment(reply.sent)
            replies.append(
                (
                    Reply(
                        assignment=row,
                        round=1,
                        status=ReplyStatus.SENT,
                        category=reply.category,
                        letter_number=reply.letter_number,
                        body=reply.body,
                        contact_person=reply.contact_person,
                        contact_phone=reply.contact_phone,
                        drafted_by=actor,
                        signed_at=sent,
                        sent_at=sent,
                        created_at=sent,
                    ),
                    reply,
                )
            )
        _bulk(Reply, [row for row, _plan in replies])
        feedback = []
        for row, reply in replies:
            proposal = row.assignment.proposal
            events.append(
                Event(
                    proposal=proposal,
                    actor=actor,
                    verb=EventVerb.REPLY_SENT,
                    object_type="reply",
                    object_id=row.pk,
                    from_status=ReplyStatus.SIGNED,
                    to_status=ReplyStatus.SENT,
                    note=row.assignment.unit.name,
                    data=marker,
                    created_at=row.sent_at,
                )
            )
            for item in reply.feedback:
                feedback.append(
                    Feedback(
                        reply=row,
                        user=item.user,
                        attitude=item.attitude,
                        result=item.result,
                        comment=item.comment,
                        created_at=_moment(item.given),
                    )
                )
                events.append(
                    Event(
                        proposal=proposal,
                        actor=item.user,
                        verb=EventVerb.FEEDBACK_GIVEN,
                        note=item.comment,
                        data={**marker, "reply": row.pk, "attitude": item.attitude, "result": item.result},
                        created_at=_moment(item.given),
                    )
                )
        _bulk(Feedback, feedback)
        for proposal in proposals:
            if proposal.closed_at is not None:
                events.append(
                    Event(
                        proposal=proposal,
                        actor=None,
                        verb=EventVerb.CLOSED,
                        to_status=ProposalStatus.CLOSED,
                        data=marker,
                        created_at=proposal.closed_at,
                    )
                )
        _bulk(Event, events)
        imported = Proposal.objects.filter(import_record__batch=batch)
        fill_lead_names(imported)
        fill_units(imported)
        cache_versions.changed(cache_versions.PROPOSALS)
    return batch


def _proposers(plans: Iterable[ProposalPlan], proposals: Iterable[Proposal]):
    for item, proposal in zip(plans, proposals, strict=True):
        at = proposal.submitted_at
        yield Proposer(
            proposal=proposal,
            user=item.lead,
            role=ProposerRole.LEAD,
            status=ProposerStatus.CONFIRMED,
            order=0,
            invited_at=at,
            confirmed_at=at,
            responded_at=at,
        )
        for order, user in enumerate(item.cosigners, start=1):
            yield Proposer(
                proposal=proposal,
                user=user,
                role=ProposerRole.COSIGNER,
                status=ProposerStatus.CONFIRMED,
                order=order,
                invited_at=at,
                confirmed_at=at,
                responded_at=at,
            )


def import_workbook(
    content: bytes, *, actor: User, file_name: str, dry_run: bool = False, letters: dict[str, bytes] | None = None
) -> tuple[Plan, ImportBatch | None]:
    """Checks the workbook and, unless ``dry_run`` or it has problems, writes it: all of it or nothing.
    ``letters``: the .docx letters the replies sheet names under 答复函文件, by file name."""
    plan = check(content, letters)
    if dry_run or plan.problems or not plan.proposals:
        return plan, None
    return plan, write(plan, actor=actor, file_name=file_name, content=content)
