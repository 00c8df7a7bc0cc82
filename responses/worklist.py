"""The unit's worklist: its assignments grouped by what needs doing next, with days left or overdue.

The rows come from ``Assignment.objects.visible_to(user)`` narrowed by the shared
``AssignmentFilterSet``; two queries (open work, then the most recent finished
work) whatever the number of rows, with everything a row shows annotated.

Stages, in the order a unit meets them:
accept (待签收) → contact (办前沟通) → draft (起草答复) → signoff (待签发) → send (待发送)
→ review (督办审核中, where the committee reviews replies), opinion (会办意见) and countersign
(待会签, a lead unit's draft to agree to) for co-handling units, followup (跟踪答复) once a reply
with a commitment date was sent, return (退回申请中) while the committee decides, done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.choices import Role
from proposals.choices import ProposerRole
from proposals.models import Proposer
from responses.choices import AssignmentRole, AssignmentStatus, CountersignStatus, ReplyStatus, RequestStatus
from responses.models import Assignment, Contact, Countersign, ExtensionRequest, Opinion, Reply

DONE_LIMIT = 20

SORTS = {
    "due": _("due date"),
    "assigned": _("assigned at"),
    "number": _("proposal number"),
}


@dataclass(frozen=True)
class Stage:
    key: str
    title: str
    hint: str


STAGES = {
    stage.key: stage
    for stage in (
        Stage("signoff", _("Awaiting sign-off"), _("Submitted replies for the unit leader to sign off (签发).")),
        Stage("accept", _("To accept"), _("Accept (签收) each new assignment, or ask to return it within the window.")),
        Stage("contact", _("Contact the proposer"), _("Talk with the proposer before replying (办前沟通).")),
        Stage("draft", _("Draft the reply"), _("Write the reply letter and submit it for sign-off.")),
        Stage("opinion", _("Send the co-handling opinion"), _("Send your opinion (会办意见) to the lead unit.")),
        Stage("send", _("Signed, ready to send"), _("Send the signed letter to the proposers.")),
        Stage(
            "countersign",
            _("Drafts to countersign (会签)"),
            _("The lead unit asks your unit to agree to its draft reply, or to return it with comments."),
        ),
        Stage(
            "review",
            _("With the committee for review"),
            _("Signed replies the committee reviews (督办审核) before the proposers see them."),
        ),
        Stage(
            "followup",
            _("Follow-up replies due"),
            _("A reply with a commitment date calls for a follow-up reply (跟踪答复) by that date."),
        ),
        Stage("return", _("Return requested"), _("Waiting for the committee to decide on your request.")),
        Stage("done", _("Recently finished"), _("Replied, opinion sent or handed back.")),
    )
}
# Handlers see the work in the order they do it; a unit leader's own step, sign-off, comes first.
HANDLER_ORDER = [
    "accept",
    "contact",
    "draft",
    "opinion",
    "countersign",
    "signoff",
    "send",
    "followup",
    "review",
    "return",
    "done",
]
LEADER_ORDER = [
    "signoff",
    "accept",
    "contact",
    "draft",
    "opinion",
    "countersign",
    "send",
    "followup",
    "review",
    "return",
    "done",
]


@dataclass
class Row:
    assignment: Assignment
    stage: str
    due: dt.date | None
    due_kind: str  # reply, opinion, commitment or "" (done)
    due_label: str = ""
    days: int | None = None
    overdue_days: int = 0
    is_followup: bool = False
    flags: list[tuple[str, str, str]] = field(default_factory=list)  # (key, colour, label)
    actions: list[dict] = field(default_factory=list)  # filled by the view: label, url, post, primary

    @property
    def proposal(self):
        return self.assignment.proposal

    @property
    def reply_pk(self) -> int | None:
        """The reply the row's stage is about: the follow-up reply in the follow-up stages."""
        return self.assignment.followup_pk if self.is_followup else self.assignment.reply_pk


@dataclass
class Group:
    stage: Stage
    rows: list[Row]


def _round_reply(followup: bool):
    return Reply.objects.filter(assignment=OuterRef("pk"), round=OuterRef("round"), is_followup=followup).order_by("pk")


def _lead_name():
    return Subquery(
        Proposer.objects.filter(proposal=OuterRef("proposal_id"), role=ProposerRole.LEAD)
        .annotate(name=Coalesce(NullIf(F("user__full_name"), Value("")), F("user__username")))
        .order_by("order", "pk")
        .values("name")[:1]
    )


def annotated(queryset):
    """Everything a worklist row shows, as annotations: no query per row."""
    cohandlers = (
        Assignment.objects.live(OuterRef("proposal_id"), OuterRef("round"))
        .filter(role=AssignmentRole.COHANDLING)
        .order_by()
        .values("proposal_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    opinions = (
        Opinion.objects.filter(assignment__proposal=OuterRef("proposal_id"), assignment__round=OuterRef("round"))
        .order_by()
        .values("assignment__proposal_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    reply = _round_reply(False)
    followup = _round_reply(True)
    # 会签 of the lead unit's draft: the answers to its current version, counted for the lead's row.
    answers = (
        Countersign.objects.filter(
            reply__assignment=OuterRef("pk"),
            reply__round=OuterRef("round"),
            reply__is_followup=False,
            version=F("reply__version"),
        )
        .order_by()
        .values("reply_id")
    )
    return queryset.select_related("proposal__session").annotate(
        countersign_pending=Exists(Countersign.objects.pending().filter(assignment=OuterRef("pk"))),
        # Exists, never NULL: the "done" rows are those excluded by OPEN, which a NULL would drop from both.
        reply_in_review=Exists(reply.filter(status=ReplyStatus.IN_REVIEW)),
        countersign_agreed=Coalesce(
            Subquery(answers.filter(status=CountersignStatus.AGREED).annotate(n=Count("pk")).values("n")[:1]), 0
        ),
        countersign_returned=Exists(answers.filter(status=CountersignStatus.RETURNED)),
        countersign_waiting=Exists(answers.filter(status=CountersignStatus.PENDING)),
        lead_name=_lead_name(),
        has_contact=Exists(Contact.objects.filter(assignment=OuterRef("pk"))),
        extension_pending=Exists(
            ExtensionRequest.objects.filter(assignment=OuterRef("pk"), status=RequestStatus.PENDING)
        ),
        reply_pk=Subquery(reply.values("pk")[:1]),
        reply_status=Subquery(reply.values("status")[:1]),
        reply_sendback=Subquery(reply.values("sendback_comment")[:1]),
        reply_by_committee=Subquery(reply.values("returned_by_committee")[:1]),
        commitment_date=Subquery(reply.filter(status=ReplyStatus.SENT).values("commitment_date")[:1]),
        followup_pk=Subquery(followup.values("pk")[:1]),
        followup_status=Subquery(followup.values("status")[:1]),
        followup_sendback=Subquery(followup.values("sendback_comment")[:1]),
        followup_by_committee=Subquery(followup.values("returned_by_committee")[:1]),
        cohandler_count=Coalesce(Subquery(cohandlers), 0),
        opinion_count=Coalesce(Subquery(opinions), 0),
        finished_at=Coalesce("replied_at", "accepted_at", "assigned_at"),
    )


DUE_LABELS = {
    "reply": Assignment._meta.get_field("reply_due").verbose_name,
    "opinion": Assignment._meta.get_field("opinion_due").verbose_name,
    "commitment": Reply._meta.get_field("commitment_date").verbose_name,
}

FOLLOWUP_OPEN = Q(status=AssignmentStatus.REPLIED, commitment_date__isnull=False) & (
    Q(followup_status__isnull=True)
    | Q(
        followup_status__in=[
            ReplyStatus.DRAFT,
            ReplyStatus.AWAITING_SIGNOFF,
            ReplyStatus.SIGNED,
            ReplyStatus.IN_REVIEW,
        ]
    )
)
OPEN = (
    Q(status__in=[AssignmentStatus.PENDING, AssignmentStatus.HANDLING, AssignmentStatus.RETURN_REQUESTED])
    # Waiting on others but still the unit's business: a draft to countersign, a reply under review.
    | Q(countersign_pending=True)
    | Q(reply_in_review=True)
)


def _stage(a: Assignment) -> tuple[str, bool]:
    """(stage key, whether the stage concerns the follow-up reply)."""
    if a.role == AssignmentRole.COHANDLING and a.countersign_pending:
        return "countersign", False
    if a.reply_status == ReplyStatus.IN_REVIEW:
        return "review", False
    if a.status == AssignmentStatus.PENDING:
        return "accept", False
    if a.status == AssignmentStatus.RETURN_REQUESTED:
        return "return", False
    if a.status == AssignmentStatus.HANDLING:
        if a.role == AssignmentRole.COHANDLING:
            return "opinion", False
        if a.reply_status == ReplyStatus.AWAITING_SIGNOFF:
            return "signoff", False
        if a.reply_status == ReplyStatus.SIGNED:
            return "send", False
        if a.reply_status is None and not a.has_contact:
            return "contact", False
        return "draft", False
    if a.status == AssignmentStatus.REPLIED and a.commitment_date and a.followup_status != ReplyStatus.SENT:
        if a.followup_status == ReplyStatus.AWAITING_SIGNOFF:
            return "signoff", True
        if a.followup_status == ReplyStatus.SIGNED:
            return "send", True
        if a.followup_status == ReplyStatus.IN_REVIEW:
            return "review", True
        return "followup", True
    return "done", False


def make_row(a: Assignment, today: dt.date) -> Row:
    stage, is_followup = _stage(a)
    if stage in ("done", "countersign", "review"):
        due, kind = None, ""
    elif is_followup:
        due, kind = a.commitment_date, "commitment"
    elif a.role == AssignmentRole.COHANDLING:
        due, kind = a.opinion_due, "opinion"
    else:
        due, kind = a.reply_due, "reply"
    row = Row(a, stage, due, kind, due_label=DUE_LABELS.get(kind, ""), is_followup=is_followup)
    if due is not None:
        row.days = (due - today).days
        row.overdue_days = max(0, -row.days)
    if a.proposal.is_key:
        row.flags.append(("key", "red", _("Key proposal")))
    if is_followup:
        row.flags.append(("followup", "teal", _("Follow-up reply")))
    sendback = a.followup_sendback if is_followup else a.reply_sendback
    status = a.followup_status if is_followup else a.reply_status
    if status == ReplyStatus.DRAFT and sendback:
        returned = a.followup_by_committee if is_followup else a.reply_by_committee
        label = _("Returned by the committee (督办审核)") if returned else _("Sent back for changes")
        row.flags.append(("sent_back", "amber", label))
    if a.status == AssignmentStatus.HANDLING and a.role != AssignmentRole.COHANDLING and not a.has_contact:
        row.flags.append(("no_contact", "amber", _("No contact recorded")))
    if status == ReplyStatus.DRAFT and a.countersign_returned and not is_followup:
        row.flags.append(("countersign_returned", "amber", _("Returned by a co-handling unit (会签)")))
    elif status == ReplyStatus.DRAFT and a.countersign_waiting and not is_followup:
        row.flags.append(("countersign_waiting", "blue", _("Out for countersigning (会签)")))
    elif status == ReplyStatus.DRAFT and a.countersign_agreed and not is_followup:
        agreed = ngettext("Countersigned by %(agreed)d unit", "Countersigned by %(agreed)d units", a.countersign_agreed)
        row.flags.append(("countersigned", "blue", agreed % {"agreed": a.countersign_agreed}))
    if a.role == AssignmentRole.LEAD and a.cohandler_count:
        row.flags.append(
            (
                "opinions",
                "blue",
                _("Opinions received: %(received)d of %(expected)d")
                % {"received": a.opinion_count, "expected": a.cohandler_count},
            )
        )
    if stage == "accept" and a.return_window_ends and a.return_window_ends >= today:
        row.flags.append(
            ("return_window", "grey", _("Return possible until %(date)s") % {"date": a.return_window_ends})
        )
    if a.extension_pending:
        row.flags.append(("extension", "purple", _("Extension requested")))
    if kind == "reply" and a.reply_due_provisional:
        # The year's official holidays are not published yet: the date may still move.
        row.flags.append(("provisional", "grey", _("Due date provisional")))
    return row


def _sort_key(sort: str):
    field_name = sort.lstrip("-")
    if field_name == "assigned":
        return lambda row: (row.assignment.assigned_on, row.assignment.pk)
    if field_name == "number":
        return lambda row: (row.proposal.number or "", row.assignment.pk)
    # Due date: rows without one go last.
    return lambda row: (row.due is None, row.due or dt.date.max, row.assignment.pk)


def build(queryset, *, user, sort: str = "due", today: dt.date | None = None) -> list[Group]:
    """The groups of the worklist for ``queryset`` (already scoped and filtered), in the user's order."""
    today = today or timezone.localdate()
    rows = annotated(queryset)
    open_rows = [make_row(a, today) for a in rows.filter(OPEN | FOLLOWUP_OPEN)]
    done_rows = [
        make_row(a, today) for a in rows.exclude(OPEN | FOLLOWUP_OPEN).order_by("-finished_at", "-pk")[:DONE_LIMIT]
    ]
    sort = sort if sort.lstrip("-") in SORTS else "due"
    open_rows.sort(key=_sort_key(sort), reverse=sort.startswith("-"))
    if sort.lstrip("-") != "due":
        done_rows.sort(key=_sort_key(sort), reverse=sort.startswith("-"))
    by_stage: dict[str, list[Row]] = {key: [] for key in STAGES}
    for row in [*open_rows, *done_rows]:
        by_stage[row.stage].append(row)
    order = LEADER_ORDER if user.role == Role.UNIT_LEADER else HANDLER_ORDER
    return [Group(STAGES[key], by_stage[key]) for key in order if by_stage[key]]
