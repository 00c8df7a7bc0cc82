"""Reminders (催办): what is due becomes rows, rows are delivered once (DESIGN.md section 5).

1. ``scan()`` finds what is due and inserts one ``Reminder`` per (target, kind,
   stage); the unique constraint makes a second scanner or a crashed one
   harmless. Each rule looks only at the dates that crossed a threshold in the
   last few days (``CATCH_UP_DAYS``), through the (status, reply_due) index, so
   its cost follows the number due, not the number of open assignments.
2. ``deliver(pk)`` claims an unsent row (``SELECT … FOR UPDATE SKIP LOCKED`` on
   PostgreSQL; a conditional update takes SQLite's write lock), sends the email,
   writes the in-app notifications and an Event, and marks it sent, all in one
   transaction. A failed send is recorded with its error and retried later with
   backoff.
3. ``sweep()`` hands unsent rows to workers, again when a worker died or a
   publish was lost, so a reminder is delayed, never dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from proposals.choices import EventVerb, ProposalStatus, ProposerStatus
from proposals.models import Event, Notification, Proposer, Session
from responses.choices import AssignmentRole, AssignmentStatus, ReminderKind, ReplyStatus
from responses.models import Assignment, Reminder, Reply

logger = logging.getLogger(__name__)

# A scan that did not run for this many days still catches up on what crossed a threshold meanwhile.
CATCH_UP_DAYS = 7
# Rows queued but not sent after this long are queued again (dead worker, lost publish).
MAX_ATTEMPTS = 8
OPINION_STAGES = [7, 1]
FEEDBACK_REMIND_AFTER_DAYS = 7
COSIGN_REMIND_BEFORE = dt.timedelta(days=3)
FOLLOWUP_STAGES = [7, 0]

REPLY_OPEN = [AssignmentStatus.PENDING, AssignmentStatus.HANDLING, AssignmentStatus.RETURN_REQUESTED]


def requeue_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.REMINDER_REQUEUE_SECONDS)


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

    def __init__(self) -> None:
        active = User.objects.filter(is_active=True)
        self.by_unit: dict[tuple[int, str], list[int]] = defaultdict(list)
        for pk, unit_id, role in active.filter(role__in=[Role.UNIT_HANDLER, Role.UNIT_LEADER]).values_list(
            "pk", "unit_id", "role"
        ):
            self.by_unit[(unit_id, role)].append(pk)
        self.committee = list(active.filter(Q(role=Role.COMMITTEE) | Q(is_superuser=True)).values_list("pk", flat=True))
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


def _window(today: dt.date, days_ahead: int, catch_up: int = CATCH_UP_DAYS) -> tuple[dt.date, dt.date]:
    """Dates that crossed "``days_ahead`` days before due" within the last ``catch_up`` days."""
    last = today + dt.timedelta(days=days_ahead)
    return last - dt.timedelta(days=catch_up - 1), last


def _stage_for(days_left: int, stages: list[int]) -> int | None:
    """The smallest configured stage that ``days_left`` has reached (7 days left → the d7 stage)."""
    reached = [n for n in sorted(stages) if n >= days_left]
    return reached[0] if reached else None


def _reply_rules(session: Session, today: dt.date, people: People) -> Iterable[Due]:
    stages = sorted({int(n) for n in (session.reminder_days_before or []) if int(n) > 0})
    base = Assignment.objects.filter(
        proposal__session=session, status__in=REPLY_OPEN, role__in=[AssignmentRole.LEAD, AssignmentRole.SEPARATE]
    )
    # Due in N days: only dates that crossed a stage threshold recently, so older stages are not re-sent.
    ranges = Q()
    for index, days in enumerate(stages):
        smaller = stages[index - 1] if index else 0
        start, end = _window(today, days, min(CATCH_UP_DAYS, days - smaller))
        ranges |= Q(reply_due__range=(start, end))
    if stages:
        rows = base.filter(ranges, reply_due__gt=today).values_list("pk", "proposal_id", "unit_id", "reply_due")
        for pk, proposal_id, unit_id, due in rows:
            stage = _stage_for((due - today).days, stages)
            if stage is not None:
                yield Due(
                    ReminderKind.REPLY_DUE,
                    f"d{stage}",
                    "assignment",
                    pk,
                    proposal_id,
                    due,
                    tuple(people.for_level("unit_handler", unit_id)),
                    assignment_id=pk,
                )
    for pk, proposal_id, unit_id, due in base.filter(reply_due=today).values_list(
        "pk", "proposal_id", "unit_id", "reply_due"
    ):
        yield Due(
            ReminderKind.REPLY_DUE_TODAY,
            "today",
            "assignment",
            pk,
            proposal_id,
            due,
            tuple(people.for_level("unit_handler", unit_id)),
            assignment_id=pk,
        )
    # Overdue: stage k on days 1, 1+every, 1+2·every ... past the due date, escalating each time.
    every = max(1, session.overdue_every_days)
    catch_up = min(CATCH_UP_DAYS, every)
    horizon = (session.reply_cap_months + 12) * 31 // every + 1
    overdue = Q()
    for k in range(horizon):
        first_day = today - dt.timedelta(days=1 + k * every)
        overdue |= Q(reply_due__range=(first_day - dt.timedelta(days=catch_up - 1), first_day))
    rows = base.filter(overdue, reply_due__lt=today).values_list("pk", "proposal_id", "unit_id", "reply_due")
    for pk, proposal_id, unit_id, due in rows:
        late = (today - due).days
        number = (late - 1) // every + 1
        yield Due(
            ReminderKind.REPLY_OVERDUE,
            f"overdue-{number}",
            "assignment",
            pk,
            proposal_id,
            due,
            tuple(people.escalated(session, number, unit_id)),
            assignment_id=pk,
        )


def _opinion_rules(session: Session, today: dt.date, people: People) -> Iterable[Due]:
    base = Assignment.objects.filter(
        proposal__session=session,
        role=AssignmentRole.COHANDLING,
        status__in=[AssignmentStatus.PENDING, AssignmentStatus.HANDLING],
    )
    ranges = Q(opinion_due__range=(today - dt.timedelta(days=CATCH_UP_DAYS - 1), today))
    for index, days in enumerate(OPINION_STAGES[::-1]):
        smaller = OPINION_STAGES[::-1][index - 1] if index else 0
        start, end = _window(today, days, min(CATCH_UP_DAYS, days - smaller))
        ranges |= Q(opinion_due__range=(start, end))
    for pk, proposal_id, unit_id, due in base.filter(ranges).values_list("pk", "proposal_id", "unit_id", "opinion_due"):
        days_left = (due - today).days
        stage = (
            "today" if days_left == 0 else ("overdue" if days_left < 0 else f"d{_stage_for(days_left, OPINION_STAGES)}")
        )
        yield Due(
            ReminderKind.OPINION_DUE,
            stage,
            "assignment",
            pk,
            proposal_id,
            due,
            tuple(people.for_level("unit_handler", unit_id)),
            assignment_id=pk,
        )


def _return_window_rules(session: Session, today: dt.date, people: People) -> Iterable[Due]:
    rows = Assignment.objects.filter(
        proposal__session=session,
        status=AssignmentStatus.PENDING,
        return_window_ends__range=(today, today + dt.timedelta(days=1)),
    ).values_list("pk", "proposal_id", "unit_id", "return_window_ends")
    for pk, proposal_id, unit_id, ends in rows:
        yield Due(
            ReminderKind.RETURN_WINDOW,
            "closing",
            "assignment",
            pk,
            proposal_id,
            ends,
            tuple(people.for_level("unit_handler", unit_id)),
            assignment_id=pk,
        )


def _cosign_rules(session: Session, now: dt.datetime) -> Iterable[Due]:
    if not session.cosign_cutoff or not (now <= session.cosign_cutoff <= now + COSIGN_REMIND_BEFORE):
        return
    rows = Proposer.objects.filter(
        proposal__session=session,
        status=ProposerStatus.INVITED,
        proposal__status__in=[ProposalStatus.DRAFT, ProposalStatus.SUBMITTED],
    ).values_list("pk", "proposal_id", "user_id")
    for pk, proposal_id, user_id in rows:
        yield Due(
            ReminderKind.COSIGN_PENDING,
            "cutoff",
            "proposer",
            pk,
            proposal_id,
            timezone.localdate(session.cosign_cutoff),
            (user_id,),
            proposer_id=pk,
        )


def _feedback_rules(session: Session, today: dt.date) -> Iterable[Due]:
    start, end = _window(today, -FEEDBACK_REMIND_AFTER_DAYS)
    replies = Reply.objects.filter(
        assignment__proposal__session=session,
        status=ReplyStatus.SENT,
        is_followup=False,
        sent_at__date__range=(start, end),
    ).values_list("pk", "assignment__proposal_id")
    reply_ids = dict(replies)
    if not reply_ids:
        return
    rated = set(
        Reply.objects.filter(pk__in=reply_ids).filter(feedback__isnull=False).values_list("pk", "feedback__user_id")
    )
    proposers = Proposer.objects.filter(
        proposal_id__in=set(reply_ids.values()), status=ProposerStatus.CONFIRMED
    ).values_list("pk", "proposal_id", "user_id")
    by_proposal = defaultdict(list)
    for pk, proposal_id, user_id in proposers:
        by_proposal[proposal_id].append((pk, user_id))
    for reply_id, proposal_id in reply_ids.items():
        for proposer_id, user_id in by_proposal[proposal_id]:
            if (reply_id, user_id) not in rated:
                yield Due(
                    ReminderKind.FEEDBACK_PENDING,
                    f"rate-{user_id}",
                    "reply",
                    reply_id,
                    proposal_id,
                    None,
                    (user_id,),
                    proposer_id=proposer_id,
                )


def _followup_rules(session: Session, today: dt.date, people: People) -> Iterable[Due]:
    ranges = Q()
    for days in FOLLOWUP_STAGES:
        start, end = _window(today, days, 1 if days == 0 else CATCH_UP_DAYS)
        ranges |= Q(commitment_date__range=(start, end))
    rows = (
        Reply.objects.filter(ranges, assignment__proposal__session=session, status=ReplyStatus.SENT, is_followup=False)
        .exclude(assignment__replies__is_followup=True, assignment__replies__status=ReplyStatus.SENT)
        .values_list("pk", "assignment_id", "assignment__proposal_id", "assignment__unit_id", "commitment_date")
    )
    for pk, assignment_id, proposal_id, unit_id, due in rows:
        stage = "today" if due == today else "d7"
        yield Due(
            ReminderKind.FOLLOWUP_DUE,
            stage,
            "reply",
            pk,
            proposal_id,
            due,
            tuple(people.for_level("unit_handler", unit_id)),
            assignment_id=assignment_id,
        )


def find_due(now: dt.datetime | None = None) -> list[Due]:
    """Everything due now, across sessions with open work; nothing is written."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    people = People()
    due: list[Due] = []
    for session in Session.objects.all():
        due.extend(_reply_rules(session, today, people))
        due.extend(_opinion_rules(session, today, people))
        due.extend(_return_window_rules(session, today, people))
        due.extend(_cosign_rules(session, now))
        due.extend(_feedback_rules(session, today))
        due.extend(_followup_rules(session, today, people))
    return [d for d in due if d.recipients]


def scan(now: dt.datetime | None = None) -> int:
    """Insert a row for each due reminder not yet recorded; returns how many were new."""
    now = now or timezone.now()
    due = find_due(now)
    if not due:
        return 0
    with transaction.atomic():
        keys = {(d.target_type, d.target_id, d.kind, d.stage) for d in due}
        existing = set(
            Reminder.objects.filter(
                target_id__in={d.target_id for d in due}, kind__in={d.kind for d in due}
            ).values_list("target_type", "target_id", "kind", "stage")
        )
        fresh = [d.as_row(now) for d in due if (d.target_type, d.target_id, d.kind, d.stage) not in existing]
        # ignore_conflicts: a concurrent scanner may have inserted the same keys meanwhile.
        Reminder.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=1000)
    logger.info("reminder scan: %d due, %d new", len(keys), len(fresh))
    return len(fresh)


def sweep(publish: Callable[[int], None] | None, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Queue unsent rows that were never queued, or queued long ago, and whose retry time has come.

    With ``publish=None`` the ids are returned for the caller to deliver in-process.
    """
    now = now or timezone.now()
    rows = list(
        Reminder.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - requeue_after()))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    if publish is None:
        return rows
    queued = []
    for pk in rows:
        try:
            publish(pk)
        except Exception as exc:  # noqa: BLE001 - a dead broker: the next sweep tries again
            logger.warning("could not queue reminder %s: %s", pk, exc)
            break
        Reminder.objects.filter(pk=pk).update(queued_at=now)
        queued.append(pk)
    return queued


def _claim(pk: int) -> Reminder | None:
    """Lock an unsent row for this transaction, or return None when another worker has it or it is sent."""
    unsent = Reminder.objects.filter(pk=pk, sent_at__isnull=True)
    if connection.features.has_select_for_update_skip_locked:
        return unsent.select_for_update(skip_locked=True).first()
    # SQLite has no row locks: this write takes the database's write lock until commit,
    # so a second worker waits here and then finds the row sent.
    if not unsent.update(attempts=F("attempts")):
        return None
    return unsent.first()


def deliver(pk: int, *, now: dt.datetime | None = None) -> bool:
    """Send one reminder if it is still unsent; True when this call sent it.

    The SMTP connection is closed only after the commit, so the time between the
    server accepting the message and the row being marked sent is as short as it
    can be: a crash inside it is the only way a reminder goes out twice.
    """
    mail_connection = get_connection(fail_silently=False)
    try:
        return _deliver(pk, mail_connection, now)
    finally:
        try:
            mail_connection.close()
        except Exception as exc:  # noqa: BLE001 - the message was already accepted
            logger.info("closing the mail connection failed: %s", exc)


def _deliver(pk: int, mail_connection, now: dt.datetime | None) -> bool:
    with transaction.atomic():
        reminder = _claim(pk)
        if reminder is None:
            return False
        now = now or timezone.now()
        recipients = list(User.objects.filter(pk__in=reminder.recipients, is_active=True))
        with translation.override(settings.LANGUAGE_CODE):
            subject, body, url = compose(reminder, timezone.localdate(now))
        try:
            with transaction.atomic():
                Notification.objects.bulk_create(
                    [
                        Notification(user=u, proposal_id=reminder.proposal_id, title=subject, body=body, url=url)
                        for u in recipients
                    ]
                )
                addresses = [u.email for u in recipients if u.email]
                if addresses:
                    link = f"{settings.SITE_URL}{url}"
                    message = EmailMessage(subject, f"{body}\n\n{link}\n", to=addresses, connection=mail_connection)
                    mail_connection.open()
                    mail_connection.send_messages([message])
        except Exception as exc:  # noqa: BLE001 - recorded, and retried with backoff by the sweep
            attempts = reminder.attempts + 1
            Reminder.objects.filter(pk=pk).update(
                attempts=attempts,
                last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
                next_attempt_at=now + dt.timedelta(minutes=2**attempts),
                queued_at=None,
            )
            logger.warning("reminder %s failed (attempt %d): %s", pk, attempts, exc)
            return False
        Reminder.objects.filter(pk=pk).update(sent_at=now, attempts=F("attempts") + 1, last_error="")
        with translation.override(settings.LANGUAGE_CODE):
            Event.objects.create(
                proposal_id=reminder.proposal_id,
                actor=reminder.created_by,
                verb=EventVerb.REMINDER_SENT,
                object_type="reminder",
                object_id=reminder.pk,
                note=subject,
                data={"kind": reminder.kind, "stage": reminder.stage, "recipients": reminder.recipients},
                created_at=now,
            )
    return True


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

    from proposals.errors import WorkflowError

    if not (actor.is_superuser or actor.role == Role.COMMITTEE):
        raise PermissionDenied(_("Only committee staff can send a manual reminder."))
    if not assignment.is_open:
        raise WorkflowError(_("This assignment is no longer open."))
    today = timezone.localdate()
    people = People()
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
