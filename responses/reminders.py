"""Reminders (催办): what is due becomes rows, rows are delivered once (DESIGN.md section 5).

1. ``scan()`` finds what is due and inserts one ``Reminder`` per (target, kind,
   stage); the unique constraint makes a second scanner or a crashed one
   harmless. Each rule looks only at the dates that crossed a threshold in the
   last few days (``CATCH_UP_DAYS``), through the (status, reply_due) index, so
   its cost follows the number due, not the number of open assignments.
2. ``responses.reminder_delivery`` hands unsent rows to workers (the sweep,
   again when a worker died or a publish was lost, so a reminder is delayed,
   never dropped) and delivers each: in-app first, then the email.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from proposals.choices import ProposalStatus, ProposerStatus
from proposals.models import Proposer, Session
from responses.choices import AssignmentRole, AssignmentStatus, ReminderKind, ReplyStatus
from responses.models import Assignment, Countersign, Feedback, Reminder, Reply

logger = logging.getLogger(__name__)

# A scan that did not run for this many days still catches up on what crossed a threshold meanwhile.
CATCH_UP_DAYS = 7
OPINION_STAGES = [7, 1]
FEEDBACK_REMIND_AFTER_DAYS = 7
COSIGN_REMIND_BEFORE = dt.timedelta(days=3)
FOLLOWUP_STAGES = [7, 0]
# A draft sent for countersigning (会签) and still unanswered after this many days: its co-handling unit is
# reminded; a signed reply with the committee for review (督办审核) this long: committee staff are.
COUNTERSIGN_REMIND_AFTER_DAYS = 3
REVIEW_REMIND_AFTER_DAYS = 3

REPLY_OPEN = [AssignmentStatus.PENDING, AssignmentStatus.HANDLING, AssignmentStatus.RETURN_REQUESTED]


@dataclass(frozen=True)
class Due:
    """One reminder the scan found due, before it becomes a row."""

    kind: str
    stage: str
    target_type: str
    target_id: int
    proposal_id: int
    due_on: dt.date | None
    recipients: tuple[int, ...]
    assignment_id: int | None = None
    proposer_id: int | None = None

    def as_row(self, now: dt.datetime) -> Reminder:
        return Reminder(
            kind=self.kind,
            stage=self.stage,
            target_type=self.target_type,
            target_id=self.target_id,
            proposal_id=self.proposal_id,
            assignment_id=self.assignment_id,
            proposer_id=self.proposer_id,
            due_on=self.due_on,
            recipients=sorted(set(self.recipients)),
            created_at=now,
        )


class People:
    """Recipients by role, loaded once per scan (a handful of queries, whatever the number due)."""

    def __init__(self, unit_ids: Iterable[int] | None = None) -> None:
        active = User.objects.filter(is_active=True)
        unit_staff = active.filter(role__in=[Role.UNIT_HANDLER, Role.UNIT_LEADER])
        if unit_ids is not None:
            unit_staff = unit_staff.filter(unit_id__in=list(unit_ids))
        self.by_unit: dict[tuple[int, str], list[int]] = defaultdict(list)
        for pk, unit_id, role in unit_staff.values_list("pk", "unit_id", "role"):
            self.by_unit[(unit_id, role)].append(pk)
        self.committee = list(User.objects.committee().values_list("pk", flat=True))
        self.leaders = list(active.filter(role=Role.LEADER).values_list("pk", flat=True))

    def for_level(self, level: str, unit_id: int) -> list[int]:
        if level == "unit_handler":
            return self.by_unit[(unit_id, Role.UNIT_HANDLER)]
        if level == "unit_leader":
            return self.by_unit[(unit_id, Role.UNIT_LEADER)]
        if level == "committee":
            return self.committee
        if level == "leader":
            return self.leaders
        return []

    def escalated(self, session: Session, stage_number: int, unit_id: int) -> list[int]:
        """Overdue stage 1 reaches the first level, stage 2 the first two, and so on."""
        levels = list(session.escalation or ["unit_handler"])
        reached = levels[: max(1, min(stage_number, len(levels)))]
        return [pk for level in reached for pk in self.for_level(level, unit_id)]


def _stages(session: Session) -> list[int]:
    return sorted({int(n) for n in (session.reminder_days_before or []) if int(n) > 0})


def _stage_for(days_left: int, stages: list[int]) -> int | None:
    """The smallest stage that ``days_left`` has reached (5 days left with stages 30, 7, 1 → 7)."""
    reached = [n for n in stages if n >= days_left]
    return min(reached) if reached else None


def _crossed_recently(days_left: int, stage: int, stages: list[int]) -> bool:
    """Whether the threshold "``stage`` days before" was crossed within the catch-up days.

    Keeps a scan from announcing a stage long after it began (an assignment
    created with 20 days left gets no "30 days left" reminder).
    """
    smaller = max([n for n in stages if n < stage], default=0)
    return stage - days_left < min(CATCH_UP_DAYS, stage - smaller)


def _days_ahead_q(field: str, today: dt.date, days: Iterable[int]) -> Q:
    """``field`` falls in the catch-up window ending ``days`` days from today, for each of ``days``."""
    q = Q()
    for ahead in sorted(set(days)):
        last = today + dt.timedelta(days=ahead)
        q |= Q(**{f"{field}__range": (last - dt.timedelta(days=CATCH_UP_DAYS - 1), last)})
    return q


def _reply_rules(sessions: dict[int, Session], today: dt.date, people: People) -> Iterable[Due]:
    base = Assignment.objects.filter(
        status__in=REPLY_OPEN, role__in=[AssignmentRole.LEAD, AssignmentRole.SEPARATE]
    ).values_list("pk", "proposal_id", "proposal__session_id", "unit_id", "reply_due")
    all_stages = {n for session in sessions.values() for n in _stages(session)}
    if all_stages:
        for pk, proposal_id, session_id, unit_id, due in base.filter(
            _days_ahead_q("reply_due", today, all_stages), reply_due__gt=today
        ):
            stages = _stages(sessions[session_id])
            days_left = (due - today).days
            stage = _stage_for(days_left, stages)
            if stage is not None and _crossed_recently(days_left, stage, stages):
                handlers = tuple(people.for_level("unit_handler", unit_id))
                yield Due(ReminderKind.REPLY_DUE, f"d{stage}", "assignment", pk, proposal_id, due, handlers, pk)
    for pk, proposal_id, _session_id, unit_id, due in base.filter(reply_due=today):
        handlers = tuple(people.for_level("unit_handler", unit_id))
        yield Due(ReminderKind.REPLY_DUE_TODAY, "today", "assignment", pk, proposal_id, due, handlers, pk)
    # Overdue: stage k starts on day 1 + (k-1)·every past the due date and reaches one more level each time.
    horizon = max((s.reply_cap_months + 12) * 31 for s in sessions.values())
    for pk, proposal_id, session_id, unit_id, due in base.filter(
        reply_due__range=(today - dt.timedelta(days=horizon), today - dt.timedelta(days=1))
    ):
        session = sessions[session_id]
        every = max(1, session.overdue_every_days)
        late = (today - due).days
        if (late - 1) % every >= min(CATCH_UP_DAYS, every):
            continue
        number = (late - 1) // every + 1
        recipients = tuple(people.escalated(session, number, unit_id))
        yield Due(ReminderKind.REPLY_OVERDUE, f"overdue-{number}", "assignment", pk, proposal_id, due, recipients, pk)


def _opinion_rules(today: dt.date, people: People) -> Iterable[Due]:
    rows = Assignment.objects.filter(
        _days_ahead_q("opinion_due", today, [0, *OPINION_STAGES]),
        role=AssignmentRole.COHANDLING,
        status__in=[AssignmentStatus.PENDING, AssignmentStatus.HANDLING],
    ).values_list("pk", "proposal_id", "unit_id", "opinion_due")
    for pk, proposal_id, unit_id, due in rows:
        days_left = (due - today).days
        if days_left < 0:
            stage = "overdue"
        elif days_left == 0:
            stage = "today"
        else:
            number = _stage_for(days_left, OPINION_STAGES)
            if number is None or not _crossed_recently(days_left, number, OPINION_STAGES):
                continue
            stage = f"d{number}"
        handlers = tuple(people.for_level("unit_handler", unit_id))
        yield Due(ReminderKind.OPINION_DUE, stage, "assignment", pk, proposal_id, due, handlers, pk)


def _return_window_rules(today: dt.date, people: People) -> Iterable[Due]:
    rows = Assignment.objects.filter(
        status=AssignmentStatus.PENDING, return_window_ends__range=(today, today + dt.timedelta(days=1))
    ).values_list("pk", "proposal_id", "unit_id", "return_window_ends")
    for pk, proposal_id, unit_id, ends in rows:
        handlers = tuple(people.for_level("unit_handler", unit_id))
        yield Due(ReminderKind.RETURN_WINDOW, "closing", "assignment", pk, proposal_id, ends, handlers, pk)


def _cosign_rules(sessions: dict[int, Session], now: dt.datetime) -> Iterable[Due]:
    closing = [
        pk for pk, s in sessions.items() if s.cosign_cutoff and now <= s.cosign_cutoff <= now + COSIGN_REMIND_BEFORE
    ]
    if not closing:
        return
    rows = Proposer.objects.filter(
        proposal__session_id__in=closing,
        status=ProposerStatus.INVITED,
        proposal__status__in=[ProposalStatus.DRAFT, ProposalStatus.SUBMITTED],
    ).values_list("pk", "proposal_id", "user_id", "proposal__session_id")
    for pk, proposal_id, user_id, session_id in rows:
        cutoff = timezone.localdate(sessions[session_id].cosign_cutoff)
        yield Due(
            ReminderKind.COSIGN_PENDING, "cutoff", "proposer", pk, proposal_id, cutoff, (user_id,), proposer_id=pk
        )


def _feedback_rules(today: dt.date) -> Iterable[Due]:
    last = today - dt.timedelta(days=FEEDBACK_REMIND_AFTER_DAYS)
    first = last - dt.timedelta(days=CATCH_UP_DAYS - 1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    reply_ids = dict(
        Reply.objects.filter(
            status=ReplyStatus.SENT, is_followup=False, sent_at__gte=start, sent_at__lt=end
        ).values_list("pk", "assignment__proposal_id")
    )
    if not reply_ids:
        return
    rated = set(Feedback.objects.filter(reply_id__in=reply_ids).values_list("reply_id", "user_id"))
    proposers = Proposer.objects.filter(
        proposal_id__in=set(reply_ids.values()), status=ProposerStatus.CONFIRMED
    ).values_list("pk", "proposal_id", "user_id")
    by_proposal = defaultdict(list)
    for pk, proposal_id, user_id in proposers:
        by_proposal[proposal_id].append((pk, user_id))
    for reply_id, proposal_id in reply_ids.items():
        for proposer_id, user_id in by_proposal[proposal_id]:
            if (reply_id, user_id) not in rated:
                stage = f"rate-{user_id}"
                yield Due(
                    ReminderKind.FEEDBACK_PENDING,
                    stage,
                    "reply",
                    reply_id,
                    proposal_id,
                    None,
                    (user_id,),
                    proposer_id=proposer_id,
                )


def _followup_rules(today: dt.date, people: People) -> Iterable[Due]:
    ranges = Q(commitment_date=today) | _days_ahead_q("commitment_date", today, [max(FOLLOWUP_STAGES)])
    rows = (
        Reply.objects.filter(ranges, status=ReplyStatus.SENT, is_followup=False, commitment_date__gte=today)
        .exclude(assignment__replies__is_followup=True, assignment__replies__status=ReplyStatus.SENT)
        .values_list("pk", "assignment_id", "assignment__proposal_id", "assignment__unit_id", "commitment_date")
    )
    for pk, assignment_id, proposal_id, unit_id, due in rows:
        stage = "today" if due == today else f"d{max(FOLLOWUP_STAGES)}"
        handlers = tuple(people.for_level("unit_handler", unit_id))
        yield Due(ReminderKind.FOLLOWUP_DUE, stage, "reply", pk, proposal_id, due, handlers, assignment_id)


def _waited_since(today: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    """The span of moments that were ``days`` days ago, give or take the catch-up days: a scan that did not
    run meanwhile still finds them."""
    last = today - dt.timedelta(days=days)
    first = last - dt.timedelta(days=CATCH_UP_DAYS - 1)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return start, end


def _countersign_rules(today: dt.date, people: People) -> Iterable[Due]:
    """A lead unit's draft still waiting for a co-handling unit's countersignature (会签): that unit's
    handlers, once per request (a request sent again is a new one)."""
    start, end = _waited_since(today, COUNTERSIGN_REMIND_AFTER_DAYS)
    rows = (
        Countersign.objects.pending()
        .filter(requested_at__gte=start, requested_at__lt=end)
        .values_list("pk", "assignment_id", "assignment__proposal_id", "assignment__unit_id", "requested_at")
    )
    for pk, assignment_id, proposal_id, unit_id, requested_at in rows:
        handlers = tuple(people.for_level("unit_handler", unit_id) + people.for_level("unit_leader", unit_id))
        stage = f"asked-{timezone.localdate(requested_at).isoformat()}"
        yield Due(
            ReminderKind.COUNTERSIGN_PENDING, stage, "countersign", pk, proposal_id, None, handlers, assignment_id
        )


def _review_rules(today: dt.date, people: People) -> Iterable[Due]:
    """A signed reply with the committee for review (督办审核) for some days: committee staff, once per
    hand-over (a reply returned and sent again is a new one)."""
    start, end = _waited_since(today, REVIEW_REMIND_AFTER_DAYS)
    rows = Reply.objects.filter(
        status=ReplyStatus.IN_REVIEW, to_review_at__gte=start, to_review_at__lt=end
    ).values_list("pk", "assignment_id", "assignment__proposal_id", "to_review_at")
    for pk, assignment_id, proposal_id, handed_at in rows:
        stage = f"review-{timezone.localdate(handed_at).isoformat()}"
        committee = tuple(people.committee)
        yield Due(ReminderKind.REVIEW_PENDING, stage, "reply", pk, proposal_id, None, committee, assignment_id)


def find_due(now: dt.datetime | None = None) -> list[Due]:
    """Everything due now, whatever the session; nothing is written.

    A fixed number of queries, each through an index on the date it checks.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    sessions = {s.pk: s for s in Session.objects.all()}
    if not sessions:
        return []
    people = People()
    due: list[Due] = [
        *_reply_rules(sessions, today, people),
        *_opinion_rules(today, people),
        *_return_window_rules(today, people),
        *_cosign_rules(sessions, now),
        *_feedback_rules(today),
        *_followup_rules(today, people),
        *_countersign_rules(today, people),
        *_review_rules(today, people),
    ]
    return [d for d in due if d.recipients]


def _existing_keys(due: list[Due]) -> set[tuple[str, int, str, str]]:
    return set(
        Reminder.objects.filter(target_id__in={d.target_id for d in due}, kind__in={d.kind for d in due}).values_list(
            "target_type", "target_id", "kind", "stage"
        )
    )


def scan(now: dt.datetime | None = None) -> int:
    """Insert a row for each due reminder not yet recorded; returns how many this scan inserted."""
    now = now or timezone.now()
    due = find_due(now)
    if not due:
        return 0
    with transaction.atomic():
        existing = _existing_keys(due)
        fresh = [d.as_row(now) for d in due if (d.target_type, d.target_id, d.kind, d.stage) not in existing]
        # ignore_conflicts: a concurrent scanner may have inserted the same keys meanwhile, so what
        # was meant is not what was inserted. The rows this scan wrote carry its own ``now`` as
        # created_at (another scanner's differs), which is how they are counted afterwards.
        Reminder.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=1000)
        inserted = (
            Reminder.objects.unsent().filter(created_at=now, target_id__in={r.target_id for r in fresh}).count()
            if fresh
            else 0
        )
    logger.info("reminder scan: %d due, %d new", len(due), inserted)
    return inserted


def compose(reminder: Reminder, today: dt.date) -> tuple[str, str, str]:
    """Subject, body and link of a reminder, in Chinese, naming number, title, unit, due date and days."""
    proposal = reminder.proposal
    assignment = reminder.assignment
    label = proposal.number or _("(not yet numbered)")
    subject_prefix = _("[Reminder]")
    lines = [
        _("Proposal: No. %(number)s 《%(title)s》") % {"number": label, "title": proposal.title},
    ]
    if assignment is not None:
        lines.append(
            _("Unit: %(unit)s (%(role)s)") % {"unit": assignment.unit.name, "role": assignment.get_role_display()}
        )
    if reminder.due_on:
        days = (reminder.due_on - today).days
        if days > 0:
            when = _("%(days)d days left") % {"days": days}
        elif days == 0:
            when = _("due today")
        else:
            when = _("%(days)d days overdue") % {"days": -days}
        lines.append(_("Due date: %(date)s (%(when)s)") % {"date": reminder.due_on.isoformat(), "when": when})
    else:
        when = ""
    what = reminder.get_kind_display()
    if reminder.note:
        lines.append(_("Note: %(note)s") % {"note": reminder.note})
    if reminder.kind in (ReminderKind.COSIGN_PENDING, ReminderKind.FEEDBACK_PENDING):
        url = reverse("portal:proposal_detail", args=[proposal.pk])
    elif reminder.kind == ReminderKind.COUNTERSIGN_PENDING and assignment is not None:
        url = reverse("admin:responses_assignment_countersign", args=[assignment.pk])
    elif reminder.kind == ReminderKind.REVIEW_PENDING:
        url = reverse("admin:responses_reply_committee_review", args=[reminder.target_id])
    elif assignment is not None:
        url = reverse("admin:responses_assignment_change", args=[assignment.pk])
    else:
        url = reverse("portal:proposal_detail", args=[proposal.pk])
    subject = f"{subject_prefix}{what}：{label}《{proposal.title}》"
    if when:
        subject += f"（{when}）"
    return subject[:200], "\n".join(lines), url


def manual_reminder(assignment: Assignment, *, actor: User, note: str = "") -> Reminder:
    """Committee staff's manual 催办: recorded, and at most one per assignment per day."""
    from django.core.exceptions import PermissionDenied
    from django.db import IntegrityError

    from proposals.workflow import WorkflowError

    if not actor.is_committee:
        raise PermissionDenied(_("Only committee staff can send a manual reminder."))
    if not assignment.is_open:
        raise WorkflowError(_("This assignment is no longer open."))
    today = timezone.localdate()
    people = People(unit_ids=[assignment.unit_id])
    recipients = people.for_level("unit_handler", assignment.unit_id) + people.for_level(
        "unit_leader", assignment.unit_id
    )
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                kind=ReminderKind.MANUAL,
                stage=today.isoformat(),
                target_type="assignment",
                target_id=assignment.pk,
                proposal_id=assignment.proposal_id,
                assignment=assignment,
                due_on=assignment.reply_due,
                recipients=sorted(set(recipients)),
                created_by=actor,
                note=note.strip(),
            )
    except IntegrityError as exc:
        raise WorkflowError(_("A manual reminder was already sent for this assignment today.")) from exc
