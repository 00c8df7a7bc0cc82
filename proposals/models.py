from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import UNIT_ROLES
from proposals.choices import (
    EventVerb,
    JointRule,
    ProposalKind,
    ProposalStatus,
    ProposerRole,
    ProposerStatus,
    RejectionGround,
    SatisfactionRule,
)


def default_reminder_days() -> list[int]:
    return [30, 7, 1]


def default_escalation() -> list[str]:
    return ["unit_handler", "unit_leader", "committee", "leader"]


class Session(models.Model):
    """A meeting of a term (届次/会次), e.g. 六届三次会议; holds the deadline and reminder rules.

    Defaults follow DESIGN.md section 4; each committee edits its own.
    """

    name = models.CharField(_("name"), max_length=60, unique=True, help_text=_("For example 六届三次会议"))
    full_name = models.CharField(
        _("full name"), max_length=120, blank=True, help_text=_("For example 深圳市福田区政协第六届第三次会议")
    )
    term = models.PositiveSmallIntegerField(_("term"))
    meeting = models.PositiveSmallIntegerField(_("meeting"))
    year = models.PositiveSmallIntegerField(_("year"))
    is_current = models.BooleanField(_("current session"), default=False)
    opens_on = models.DateField(_("submissions open"), null=True, blank=True)
    closes_on = models.DateField(_("submissions close"), null=True, blank=True)
    cosign_cutoff = models.DateTimeField(_("co-signer confirmation cutoff"), null=True, blank=True)
    joint_rule = models.CharField(
        _("joint proposal rule"), max_length=10, choices=JointRule.choices, default=JointRule.MINIMUM
    )
    joint_min_confirmed = models.PositiveSmallIntegerField(_("minimum confirmed co-signers"), default=1)
    number_format = models.CharField(
        _("number format"),
        max_length=40,
        default="{year}{serial:03d}",
        help_text=_("Python format with {year} and {serial}; 2023160 is year 2023 and serial 160"),
    )
    next_serial = models.PositiveIntegerField(_("next serial number"), default=1)
    reply_months = models.PositiveSmallIntegerField(_("reply due after (months)"), default=3)
    reply_cap_months = models.PositiveSmallIntegerField(_("hard cap with extensions (months)"), default=6)
    opinion_months = models.PositiveSmallIntegerField(_("co-handling opinion due after (months)"), default=1)
    return_window_workdays = models.PositiveSmallIntegerField(_("return window (working days)"), default=5)
    contact_workdays = models.PositiveSmallIntegerField(_("contact expected within (working days)"), default=15)
    feedback_workdays = models.PositiveSmallIntegerField(_("feedback window (working days)"), default=15)
    publication_workdays = models.PositiveSmallIntegerField(_("publication within (working days)"), default=20)
    satisfaction_rule = models.CharField(
        _("satisfaction rate counts"),
        max_length=30,
        choices=SatisfactionRule.choices,
        default=SatisfactionRule.SATISFIED_OR_BASICALLY,
        help_text=_("Which ratings of the handling result the dashboard's satisfaction rate counts as satisfied"),
    )
    reminder_days_before = models.JSONField(
        _("remind days before the reply is due"), default=default_reminder_days, blank=True
    )
    overdue_every_days = models.PositiveSmallIntegerField(_("remind overdue replies every (days)"), default=7)
    escalation = models.JSONField(
        _("escalation order for overdue replies"),
        default=default_escalation,
        blank=True,
        help_text=_("Roles reminded in turn at each overdue stage: unit_handler, unit_leader, committee, leader"),
    )
    # Where practice differs between committees (issue 21): each is off unless the session asks for it.
    countersign = models.BooleanField(
        _("co-handling units countersign the final draft (会签)"),
        default=False,
        help_text=_(
            "The lead unit's final draft goes to each co-handling unit, which agrees or returns it with comments; "
            "the lead submits it for sign-off only when all have agreed. Off: co-handling units send opinions only."
        ),
    )
    reply_review = models.BooleanField(
        _("the committee reviews signed replies (督办审核)"),
        default=False,
        help_text=_(
            "A signed reply goes to the committee, which releases it, returns it to the unit or changes its "
            "category, before the proposers see it."
        ),
    )
    letter_cc = models.CharField(
        _("copy to (抄送) on reply letters"),
        max_length=200,
        blank=True,
        help_text=_("For example 区政协提案委员会、区政府督查室; left empty, the letters have no 抄送 line"),
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-year", "-term", "-meeting"]
        constraints = [
            models.UniqueConstraint(fields=["term", "meeting"], name="session_term_meeting_unique"),
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_session"),
            models.CheckConstraint(
                condition=Q(reply_cap_months__gte=models.F("reply_months")), name="session_cap_after_due"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Session | None:
        return cls.objects.filter(is_current=True).first() or cls.objects.first()

    def format_number(self, serial: int) -> str:
        return self.number_format.format(year=self.year, serial=serial, term=self.term, meeting=self.meeting)


class Category(models.Model):
    """A proposal category (经济建设, 社会事业 ...); the list is edited by committee staff."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProposalQuerySet:
        """The one place that decides which proposals a user may see.

        Committee staff and leaders see every proposal once it has been submitted (a draft, and a
        draft withdrawn before submission, stay private to its proposers); unit staff see proposals
        assigned to their unit; members see those they lead or co-sign (not declined ones);
        anonymous users see none (the public pages use ``published()``).
        """
        if not user.is_authenticated:
            return self.none()
        if user.is_oversight:
            return self.submitted()
        if user.role in UNIT_ROLES:
            return self.filter(
                pk__in=models.Subquery(_assignment_model().objects.filter(unit_id=user.unit_id).values("proposal_id"))
            )
        mine = Proposer.objects.filter(user=user).exclude(status=ProposerStatus.DECLINED).values("proposal_id")
        # A proposal merged into another (并案) keeps its proposers, who follow the target's handling too.
        merged_targets = Proposal.objects.filter(pk__in=mine, merged_into__isnull=False).values("merged_into_id")
        return self.filter(Q(pk__in=mine) | Q(pk__in=merged_targets))

    def submitted(self) -> ProposalQuerySet:
        """Proposals that have reached the committee: everything but drafts never submitted."""
        return self.filter(submitted_at__isnull=False)

    def published(self) -> ProposalQuerySet:
        return self.filter(is_published=True, publication_consent=True)


class SearchTextField(models.TextField):
    """The stored search form (``proposals.search_text``); ``__tsmatch`` matches a tsquery on PostgreSQL."""


@SearchTextField.register_lookup
class TsMatch(models.Lookup):
    """``search_text__tsmatch="'时尚' & ('老旧' <-> '旧小')"``: a tsquery, through the GIN index on PostgreSQL.

    Reads the generated tsvector column ``search_vector`` that migration 0002 adds beside
    ``search_text`` on PostgreSQL (Django does not manage it: the database keeps it current).
    """

    lookup_name = "tsmatch"

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            raise NotImplementedError("tsmatch needs PostgreSQL; proposals.search falls back to word matching")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        column = connection.ops.quote_name("search_text")
        if not lhs.endswith(column):
            raise NotImplementedError("tsmatch applies to the search_text column itself")
        vector = lhs[: -len(column)] + connection.ops.quote_name("search_vector")
        return f"{vector} @@ to_tsquery('simple'::regconfig, {rhs})", [*lhs_params, *rhs_params]


def _assignment_model():
    from django.apps import apps

    return apps.get_model("responses", "Assignment")


class Proposal(models.Model):
    """A proposal (提案): 案由 title, 情况分析, 具体建议, its proposers and its path to replies."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("session"))
    number = models.CharField(_("proposal number"), max_length=30, blank=True, default="")
    serial = models.PositiveIntegerField(_("serial"), null=True, blank=True, editable=False)
    title = models.CharField(_("title (案由)"), max_length=200)
    background = models.TextField(_("situation analysis (情况分析)"), blank=True)
    suggestions = models.TextField(_("suggestions (具体建议)"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals", verbose_name=_("category")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ProposalKind.choices, default=ProposalKind.INDIVIDUAL)
    collective_author = models.CharField(
        _("collective author"), max_length=100, blank=True, help_text=_("Party, group, sector or special committee")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    suggested_units = models.ManyToManyField(
        "accounts.Unit", blank=True, related_name="suggested_for", verbose_name=_("suggested units")
    )
    publication_consent = models.BooleanField(_("agrees to publication"), default=True)
    publication_refusal_reason = models.CharField(_("reason for refusing publication"), max_length=300, blank=True)
    is_key = models.BooleanField(_("key proposal"), default=False, db_index=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_proposals",
        verbose_name=_("supervising leader"),
    )
    handling_round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    # The lists' columns, written by the services that change them (proposals/list_columns.py,
    # responses/list_columns.py): a list page reads them with its rows, not a subquery per row.
    lead_display = models.CharField(_("lead proposer"), max_length=150, blank=True, editable=False)
    first_unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,  # never filtered by; units are not deleted while assignments name them
        verbose_name=_("first handling unit"),
        help_text=_("Lead, else separate, else co-handling unit of the current handling; returned ones left out"),
    )
    unit_count = models.PositiveSmallIntegerField(_("handling units"), default=0, editable=False)
    rejection_ground = models.CharField(
        _("rejection ground"), max_length=16, choices=RejectionGround.choices, blank=True
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    converted_to_suggestion = models.BooleanField(_("converted to an opinion (意见建议)"), default=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_proposals",
        verbose_name=_("merged into"),
    )
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Words of number, title, analysis and suggestions as segmented by proposals.search, space-separated;
    # PostgreSQL indexes it as a tsvector (GIN), other databases match whole words in it.
    search_text = SearchTextField(_("search words"), blank=True, default="", editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # 代提交: a member's paper proposal entered by committee staff (proposals.paper); empty for proposals
    # the members wrote themselves.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered from paper by"),
        help_text=_("Committee staff who entered the member's paper proposal on the member's behalf (代提交)"),
    )
    entered_at = models.DateTimeField(_("entered from paper at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"], condition=~Q(number=""), name="proposal_number_unique_in_session"
            ),
            models.UniqueConstraint(
                fields=["session", "serial"],
                condition=Q(serial__isnull=False),
                name="proposal_serial_unique_in_session",
            ),
            models.CheckConstraint(
                condition=Q(publication_consent=True) | ~Q(publication_refusal_reason=""),
                name="publication_refusal_has_reason",
                violation_error_message=_("Give a reason when refusing publication."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.MERGED) | Q(merged_into__isnull=False),
                name="merged_proposal_names_target",
            ),
            models.CheckConstraint(
                condition=Q(entered_by__isnull=True, entered_at__isnull=True)
                | Q(entered_by__isnull=False, entered_at__isnull=False),
                name="paper_entry_names_who_and_when",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status"], name="proposal_session_status"),
            # Lists filtered by one status, newest first (keyset pages): the ids of each status in an
            # index of their own, walked from the page's key. PostgreSQL costs a (status, id) index by
            # how the status column lies in the table (scattered) and walked the primary key instead,
            # reading every row of the other statuses on the way (896 rows for 51, 10,000 rows deep
            # into the closed ones at 1M); an index of ids it costs by the ids' own order, and reads 51.
            *[
                models.Index(fields=["id"], condition=Q(status=status), name=f"proposal_{status}_id")
                for status in ProposalStatus.values
            ],
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title

    SEARCHED_FIELDS = frozenset({"number", "title", "background", "suggestions"})

    def save(self, *args, **kwargs) -> None:
        # Kept current on every save that touches a searched field.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or self.SEARCHED_FIELDS.intersection(update_fields):
            from proposals.search import document_words

            self.search_text = document_words(self.number, self.title, self.background, self.suggestions)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    @property
    def entered_on_paper(self) -> bool:
        """Entered by committee staff from the member's paper proposal (代提交)."""
        return self.entered_by_id is not None

    @property
    def lead_proposer(self):
        return next((p for p in self.proposers.all() if p.role == ProposerRole.LEAD), None)


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the original is kept in the row, never trusted as a path.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file attached to a proposal, stored outside the web root and served by a permission-checking view."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("proposal")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class Proposer(models.Model):
    """A member's place on a proposal: the lead proposer (第一提案人) or a co-signer (联名人) who confirms."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="proposers", verbose_name=_("proposal")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposer_roles", verbose_name=_("member")
    )
    role = models.CharField(_("role"), max_length=10, choices=ProposerRole.choices, default=ProposerRole.COSIGNER)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposerStatus.choices, default=ProposerStatus.INVITED
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    confirmed_on_paper = models.BooleanField(
        _("confirmed on paper"),
        default=False,
        help_text=_("Signed the paper proposal that committee staff entered (代提交), rather than confirming online"),
    )

    class Meta:
        verbose_name = _("proposer")
        verbose_name_plural = _("proposers")
        ordering = ["proposal", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="proposer_once_per_proposal"),
            models.UniqueConstraint(fields=["proposal"], condition=Q(role=ProposerRole.LEAD), name="one_lead_proposer"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    @staticmethod
    def awaiting_answer() -> Q:
        """Invitations to co-sign that wait for the member's answer: the proposal is still a draft or
        submitted (``services.COSIGNING_STATUSES``) and the session's cutoff has not passed."""
        return (
            Q(role=ProposerRole.COSIGNER, status=ProposerStatus.INVITED)
            & Q(proposal__status__in=[ProposalStatus.DRAFT, ProposalStatus.SUBMITTED])
            & (Q(proposal__session__cosign_cutoff__isnull=True) | Q(proposal__session__cosign_cutoff__gt=Now()))
        )


class SupervisionNote(models.Model):
    """A supervising leader's or committee's note on a key proposal (督办)."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="supervision_notes", verbose_name=_("proposal")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("supervision note")
        verbose_name_plural = _("supervision notes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.body[:40]


class EventQuerySet(models.QuerySet):
    def visible_to(self, user) -> EventQuerySet:
        return self.filter(proposal__in=Proposal.objects.visible_to(user))


class Event(models.Model):
    """One step in a proposal's life: who did what, when, from which status to which.

    Written only by services; the timeline members, staff and leaders see. Never edited.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events", verbose_name=_("proposal"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    verb = models.CharField(_("what"), max_length=32, choices=EventVerb.choices)
    object_type = models.CharField(_("object type"), max_length=32, blank=True)
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_verb_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> NotificationQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one user (invitation, reply sent, reminder ...); unread until opened."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user")
    )
    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("proposal"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The email copy is an outbox row: sent by a worker, swept again if a publish or a worker is lost.
    email_pending = models.BooleanField(_("email pending"), default=False)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            # Used by the email sweep: only rows whose email is still to go out.
            models.Index(fields=["created_at"], condition=Q(email_pending=True), name="notification_email_pending"),
        ]

    def __str__(self) -> str:
        return self.title


class SearchTerm(models.Model):
    """A word the segmenter must keep whole (河套, 香蜜湖, a unit's name): the editable user dictionary.

    Saving or deleting one starts the background re-indexing (``proposals.tasks.reindex_search``),
    whose progress ``SearchIndexRun`` records for the admin.
    """

    word = models.CharField(_("word"), max_length=40, unique=True)
    weight = models.PositiveIntegerField(
        _("weight"), default=50, help_text=_("Higher keeps the word whole against competing segmentations")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("search dictionary word")
        verbose_name_plural = _("search dictionary")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class SearchIndexRun(models.Model):
    """One re-indexing of every proposal's stored search words, asked for when the dictionary changed.

    A row is the work itself (claimed by the task through ``started_at``), so a lost message leaves a
    visible "requested" row rather than nothing, and the admin shows when the last one finished."""

    reason = models.CharField(_("reason"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    proposals = models.PositiveIntegerField(_("proposals re-indexed"), default=0)

    class Meta:
        verbose_name = _("search re-indexing")
        verbose_name_plural = _("search re-indexings")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return self.reason or str(self.requested_at)
