from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import UNIT_ROLES
from proposals.choices import ProposalStatus
from proposals.models import Proposal
from responses.choices import (
    AssignmentRole,
    AssignmentStatus,
    ContactMethod,
    ReminderKind,
    ReplyStatus,
    RequestStatus,
    Satisfaction,
)


class UnitScopedQuerySet(models.QuerySet):
    """visible_to for rows that belong to a unit through ``unit_path``.

    Committee staff and leaders see all rows, unit staff their unit's rows,
    members and anonymous users none unless a subclass says otherwise.
    """

    unit_path = "assignment__unit_id"

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_oversight:
            return self
        if user.role in UNIT_ROLES:
            return self.filter(**{self.unit_path: user.unit_id})
        return self.visible_to_member(user)

    def visible_to_member(self, user):
        return self.none()


class Holiday(models.Model):
    """A day that overrides China's official calendar: a holiday or a working day (调休).

    Adds the years that the chinesecalendar package does not know yet, or
    corrects a local arrangement. An entry here always wins over the package.
    """

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=40, blank=True)
    is_working_day = models.BooleanField(
        _("working day"), default=False, help_text=_("Tick for a weekend day that becomes a working day (调休)")
    )

    class Meta:
        verbose_name = _("holiday or working-day override")
        verbose_name_plural = _("holiday calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class CalendarYear(models.Model):
    """A year's official schedule (国务院办公厅关于某年部分节假日安排的通知) as entered in the holiday table.

    Entering days does not make a year final: due dates in it stay provisional until staff mark its
    schedule published, after every holiday and make-up working day of the notice is in."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    notice = models.CharField(_("official notice"), max_length=200, blank=True)
    published = models.BooleanField(_("schedule published"), default=False)
    published_at = models.DateTimeField(_("marked published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked published by"),
    )

    class Meta:
        verbose_name = _("year's holiday schedule")
        verbose_name_plural = _("years' holiday schedules")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class ReplyCategory(models.Model):
    """A reply category (答复类别); Shenzhen uses A to D, the list is editable."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    requires_commitment = models.BooleanField(
        _("requires a commitment date"),
        default=False,
        help_text=_("Such replies are followed up on that date (跟踪答复)"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reply category")
        verbose_name_plural = _("reply categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AssignmentQuerySet(UnitScopedQuerySet):
    unit_path = "unit_id"

    def visible_to_member(self, user):
        return self.filter(proposal__in=Proposal.objects.visible_to(user))

    def open(self):
        from responses.choices import OPEN_ASSIGNMENT_STATUSES

        return self.filter(status__in=OPEN_ASSIGNMENT_STATUSES)

    def with_reply_in_review(self):
        """Annotates ``reply_in_review``: the round's reply (or follow-up reply) is with the committee
        (督办审核). What a member is shown of such an assignment is ``Assignment.status_shown_to``."""
        return self.annotate(
            reply_in_review=models.Exists(
                Reply.objects.filter(
                    assignment=models.OuterRef("pk"), round=models.OuterRef("round"), status=ReplyStatus.IN_REVIEW
                )
            )
        )

    def live(self, proposal_id=None, handling_round=None):
        """The assignments of a proposal's current handling round that were not handed back: the units
        handling it now. The one definition of "live".

        ``proposal_id`` and ``handling_round`` may be values or ``OuterRef``s (a page about an earlier
        round passes that round); without them, the live assignments of every proposal, each compared
        with its own proposal's ``handling_round``."""
        rows = self.exclude(status=AssignmentStatus.RETURNED)
        if proposal_id is not None:
            rows = rows.filter(proposal_id=proposal_id)
        return rows.filter(round=models.F("proposal__handling_round") if handling_round is None else handling_round)


class Assignment(models.Model):
    """A proposal handed to one unit (交办) in one handling round, with its role and due dates.

    Each due date keeps the explanation of how it was computed and whether it is
    provisional (its year's official holiday calendar was not yet published).
    """

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("proposal")
    )
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=12, choices=AssignmentRole.choices)
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING, db_index=True
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned by")
    )
    assigned_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # The day the assignment was made (often at a meeting, entered later): every due date counts from it.
    assigned_on = models.DateField(_("assignment date (交办日期)"), default=timezone.localdate, db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply_due = models.DateField(_("reply due"), null=True, blank=True)
    reply_due_note = models.CharField(_("how the reply due date was computed"), max_length=300, blank=True)
    reply_due_provisional = models.BooleanField(_("reply due date provisional"), default=False)
    original_reply_due = models.DateField(_("reply due before extensions"), null=True, blank=True)
    reply_cap = models.DateField(_("latest date with extensions"), null=True, blank=True)
    reply_cap_note = models.CharField(_("how the latest date was computed"), max_length=300, blank=True)
    opinion_due = models.DateField(_("opinion due"), null=True, blank=True)
    opinion_due_note = models.CharField(_("how the opinion due date was computed"), max_length=300, blank=True)
    return_window_ends = models.DateField(_("return window ends"), null=True, blank=True)
    return_window_note = models.CharField(_("how the return window was computed"), max_length=300, blank=True)
    contact_due = models.DateField(_("contact expected by"), null=True, blank=True)
    contact_due_note = models.CharField(_("how the contact date was computed"), max_length=300, blank=True)
    deadlines_provisional = models.BooleanField(
        _("some due dates provisional"),
        default=False,
        db_index=True,
        help_text=_("Recomputed by manage.py recompute_deadlines once the year's calendar is published"),
    )
    instructions = models.TextField(_("instructions from the committee"), blank=True)
    # The committee's recorded decision that the lead unit may reply without this co-handler's opinion.
    opinion_waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opinion waived by"),
    )
    opinion_waived_at = models.DateTimeField(_("opinion waived at"), null=True, blank=True)
    opinion_waiver_reason = models.TextField(_("why the opinion was waived"), blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["reply_due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "round"],
                condition=Q(role=AssignmentRole.LEAD) & ~Q(status=AssignmentStatus.RETURNED),
                name="one_lead_unit_per_round",
            ),
            models.UniqueConstraint(
                fields=["proposal", "unit", "round"],
                condition=~Q(status=AssignmentStatus.RETURNED),
                name="unit_once_per_proposal_round",
            ),
        ]
        indexes = [
            # Used by the reminder scan and the unit's worklist: open rows by due date.
            models.Index(fields=["status", "reply_due"], name="assignment_status_due"),
            models.Index(fields=["unit", "status"], name="assignment_unit_status"),
            # A unit's own list, newest first (keyset pages): one index range at any depth.
            models.Index(fields=["unit", "id"], name="assignment_unit_id"),
            # Partial indexes for the reminder scan: only rows that can still be due.
            models.Index(
                fields=["opinion_due"],
                condition=Q(role=AssignmentRole.COHANDLING, status__in=["pending", "handling"]),
                name="assignment_opinion_open",
            ),
            models.Index(fields=["return_window_ends"], condition=Q(status="pending"), name="assignment_window_open"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal.number or self.proposal.title} → {self.unit} ({self.get_role_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in (AssignmentStatus.PENDING, AssignmentStatus.HANDLING, AssignmentStatus.RETURN_REQUESTED)

    def status_shown_to(self, user) -> str:
        """The status ``user`` is shown. A unit has replied once it handed its signed letter to the committee
        (督办审核), but the proposers learn of the reply only when the committee releases it: until then a
        member sees the assignment as being handled. Needs ``with_reply_in_review()``."""
        if getattr(self, "reply_in_review", False) and not getattr(user, "has_staff_role", False):
            return AssignmentStatus.HANDLING
        return self.status

    def days_left(self, today=None) -> int | None:
        """Days until the reply is due; negative when overdue."""
        if self.reply_due is None:
            return None
        today = today or timezone.localdate()
        return (self.reply_due - today).days


class OpinionQuerySet(UnitScopedQuerySet):
    def visible_to(self, user):
        if user.is_authenticated and user.role in UNIT_ROLES:
            # A co-handler sees what it wrote; the lead unit sees the opinions sent to it.
            lead_proposals = Assignment.objects.filter(unit_id=user.unit_id, role=AssignmentRole.LEAD).values(
                "proposal_id"
            )
            return self.filter(Q(assignment__unit_id=user.unit_id) | Q(assignment__proposal_id__in=lead_proposals))
        return super().visible_to(user)


class Opinion(models.Model):
    """A co-handling unit's written input (会办意见) to the lead unit, due before the reply."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="opinion", verbose_name=_("assignment")
    )
    body = models.TextField(_("opinion"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    is_late = models.BooleanField(_("late"), default=False)

    objects = OpinionQuerySet.as_manager()

    class Meta:
        verbose_name = _("co-handling opinion")
        verbose_name_plural = _("co-handling opinions")
        ordering = ["sent_at"]

    def __str__(self) -> str:
        return f"{self.assignment.unit} · {self.sent_at:%Y-%m-%d}"


class Contact(models.Model):
    """A record of the unit talking with the proposer before replying (办前沟通)."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("assignment")
    )
    contacted_on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=10, choices=ContactMethod.choices)
    participants = models.CharField(_("who took part"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact with proposer")
        verbose_name_plural = _("contacts with proposers")
        ordering = ["-contacted_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.contacted_on:%Y-%m-%d} {self.get_method_display()}"


class ReplyQuerySet(UnitScopedQuerySet):
    def visible_to_member(self, user):
        return self.filter(status=ReplyStatus.SENT, assignment__proposal__in=Proposal.objects.visible_to(user))

    def sent(self):
        return self.filter(status=ReplyStatus.SENT)


class Reply(models.Model):
    """A reply letter (答复函) from a lead or separate unit, signed off by the unit leader and sent.

    ``version`` is the optimistic lock: a save names the version it started from
    and is refused when someone saved in between.
    """

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="replies", verbose_name=_("assignment")
    )
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    is_followup = models.BooleanField(_("follow-up reply (跟踪答复)"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ReplyStatus.choices, default=ReplyStatus.DRAFT, db_index=True
    )
    category = models.ForeignKey(
        ReplyCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("reply category"),
    )
    letter_number = models.CharField(_("letter number (发文字号)"), max_length=60, blank=True)
    body = models.TextField(_("body"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    commitment_date = models.DateField(
        _("commitment date"), null=True, blank=True, help_text=_("For category B: when a follow-up reply is due")
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by")
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)
    sendback_comment = models.TextField(_("comments when sent back"), blank=True)
    # Whether the comments above are the committee's, which returned the letter from its review (督办审核),
    # rather than the unit leader's.
    returned_by_committee = models.BooleanField(_("returned by the committee"), default=False)
    # When the unit last handed the signed letter to the committee for review (Session.reply_review).
    to_review_at = models.DateTimeField(_("handed to the committee at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "round"], condition=Q(is_followup=False), name="one_reply_per_assignment_round"
            ),
        ]
        indexes = [
            # Used by the reminder scan for follow-up replies (跟踪答复) that fall due.
            models.Index(
                fields=["commitment_date"], condition=Q(commitment_date__isnull=False), name="reply_commitment_due"
            ),
        ]

    def __str__(self) -> str:
        return self.letter_number or f"{self.assignment}"


class ReplyRevisionQuerySet(UnitScopedQuerySet):
    unit_path = "reply__assignment__unit_id"


class ReplyRevision(models.Model):
    """Field-level history of a reply draft: who changed which fields from what to what."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("reply"))
    version = models.PositiveIntegerField(_("version"))
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("editor")
    )
    changes = models.JSONField(_("changes"), default=dict)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = ReplyRevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply revision")
        verbose_name_plural = _("reply revisions")
        ordering = ["reply", "version"]
        constraints = [models.UniqueConstraint(fields=["reply", "version"], name="reply_revision_unique")]

    def __str__(self) -> str:
        return f"{self.reply} v{self.version}"


class FeedbackQuerySet(UnitScopedQuerySet):
    unit_path = "reply__assignment__unit_id"

    def visible_to_member(self, user):
        return self.filter(user=user)


def paper_form_path(instance: Feedback, filename: str) -> str:
    # A random name, as for attachments: the original is kept in the row, never trusted as a path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"feedback-forms/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Feedback(models.Model):
    """A proposer's rating of a sent reply (满意度测评): attitude and result rated separately.

    Given online by the proposer, or rated on paper and recorded by committee staff on the proposer's
    behalf (代评价): then ``recorded_by`` names them and ``paper_form`` holds the scanned form, which is
    served only by the permission-checking download view (``responses.views_portal.feedback_paper_form``).
    """

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("reply"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_given", verbose_name=_("proposer")
    )
    attitude = models.CharField(_("handling attitude"), max_length=14, choices=Satisfaction.choices)
    result = models.CharField(_("handling result"), max_length=14, choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("given at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded on the proposer's behalf by"),
        help_text=_("Committee staff who recorded a rating given on paper (代评价); empty when rated online"),
    )
    paper_form = models.FileField(_("paper rating form"), upload_to=paper_form_path, max_length=200, blank=True)
    paper_form_name = models.CharField(_("paper form file name"), max_length=200, blank=True)
    paper_form_type = models.CharField(_("paper form content type"), max_length=100, blank=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["reply", "user"], name="one_feedback_per_proposer_reply"),
            # A rating recorded on the member's behalf always keeps the paper form it was recorded from.
            models.CheckConstraint(
                condition=Q(recorded_by__isnull=True, paper_form="")
                | (Q(recorded_by__isnull=False) & ~Q(paper_form="")),
                name="feedback_recorded_with_paper_form",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_attitude_display()} / {self.get_result_display()}"

    @property
    def is_dissatisfied(self) -> bool:
        return Satisfaction.DISSATISFIED in (self.attitude, self.result)

    @property
    def on_paper(self) -> bool:
        """Rated on paper and recorded by committee staff on the proposer's behalf (代评价)."""
        return self.recorded_by_id is not None


class UnitRequest(models.Model):
    """What a return and an extension request share: who asked, why, and the committee's decision."""

    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class ReturnRequest(UnitRequest):
    """A unit's request to hand an assignment back (申请退回/调整), made inside the return window."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="return_requests", verbose_name=_("assignment")
    )
    suggested_unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggested unit"),
    )
    previous_status = models.CharField(_("assignment status before the request"), max_length=20, blank=True)

    class Meta(UnitRequest.Meta):
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(status=RequestStatus.PENDING), name="one_pending_return_request"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.get_status_display()}"


class ExtensionRequest(UnitRequest):
    """A unit's request for more time (延期); the committee may approve up to the hard cap."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="extension_requests", verbose_name=_("assignment")
    )
    requested_until = models.DateField(_("requested new due date"))
    approved_until = models.DateField(_("approved new due date"), null=True, blank=True)

    class Meta(UnitRequest.Meta):
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(status=RequestStatus.PENDING), name="one_pending_extension_request"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.requested_until:%Y-%m-%d}"


class ReminderQuerySet(UnitScopedQuerySet):
    def visible_to_member(self, user):
        # Members see reminders addressed to them as co-signers or raters, nothing about units.
        return self.filter(proposer__user=user)

    def unsent(self):
        return self.filter(sent_at__isnull=True)


class Reminder(models.Model):
    """One reminder (催办) to send: unique per (target, kind, stage), so no scan or crash can make two.

    The target is the row the reminder is about (an assignment, a co-signer's
    Proposer row, a reply awaiting feedback). A delivery claims the row for a
    short lease and writes the in-app notifications (once: ``notified_at``), then
    sends the email and marks the row sent the moment the mail server accepted it
    (responses/reminder_delivery.py).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    stage = models.CharField(
        _("stage"), max_length=40, help_text=_("For example d30, d7, today, overdue-2, or a date for manual reminders")
    )
    target_type = models.CharField(_("target type"), max_length=20)
    target_id = models.PositiveBigIntegerField(_("target id"))
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("proposal")
    )
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("assignment"),
    )
    proposer = models.ForeignKey(
        "proposals.Proposer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("proposer"),
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    recipients = models.JSONField(_("recipients (user ids)"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Held by the delivery that claimed the row until it has marked it sent or failed; a worker killed
    # in between leaves a lease that runs out, and the sweep hands the row on.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # The in-app notifications and the timeline event were written (once, whatever the email does).
    notified_at = models.DateTimeField(_("notified in the app at"), null=True, blank=True)
    # First failed send of the current run of failures; cleared by a successful send.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id", "kind", "stage"], name="one_reminder_per_target_kind_stage"
            ),
        ]
        indexes = [
            # Partial index used by the delivery sweep: only unsent rows, whatever the history size.
            models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="reminder_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.stage}"


class SuggestionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Committee staff and leaders: every proposal converted to an opinion (意见建议); others none here
        (a unit reads what was forwarded to it through ``SuggestionForward``, a member their own proposal)."""
        if not user.is_authenticated or not user.is_oversight:
            return self.none()
        return self.filter(status=ProposalStatus.REJECTED, converted_to_suggestion=True)


class Suggestion(Proposal):
    """A proposal not accepted (不予立案) but kept as an opinion (意见建议): its own list in the admin."""

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("opinion (意见建议)")
        verbose_name_plural = _("opinions (意见建议)")


class SuggestionForwardQuerySet(UnitScopedQuerySet):
    unit_path = "unit_id"

    def visible_to_member(self, user):
        return self.filter(proposal__in=Proposal.objects.visible_to(user))


class SuggestionForward(models.Model):
    """An opinion (意见建议) sent to a unit for reference (转交参考): the unit reads it, no formal reply is due."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="forwards", verbose_name=_("opinion (意见建议)")
    )
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, related_name="forwarded_suggestions", verbose_name=_("unit")
    )
    note = models.TextField(_("note to the unit"), blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("forwarded by")
    )
    forwarded_at = models.DateTimeField(_("forwarded at"), default=timezone.now)

    objects = SuggestionForwardQuerySet.as_manager()

    class Meta:
        verbose_name = _("opinion forwarded for reference")
        verbose_name_plural = _("opinions forwarded for reference")
        ordering = ["-forwarded_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["proposal", "unit"], name="suggestion_forwarded_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.proposal.title} → {self.unit}"


# The countersigning of a lead unit's draft (会签) lives in a module of its own; imported here so that Django
# registers it with the app's other models.
from responses.models_countersign import Countersign  # noqa: E402, F401
