from django.db import models
from django.utils.translation import gettext_lazy as _

# The assignment's role and status are defined with the proposal's choices (proposals.choices), which the
# proposal FilterSet needs below this app; they are imported from here by the handling code.
from proposals.choices import ASSIGNMENT_TRANSITIONS as ASSIGNMENT_TRANSITIONS
from proposals.choices import OPEN_ASSIGNMENT_STATUSES as OPEN_ASSIGNMENT_STATUSES
from proposals.choices import REPLYING_ROLES as REPLYING_ROLES
from proposals.choices import AssignmentRole as AssignmentRole
from proposals.choices import AssignmentStatus as AssignmentStatus

ASSIGNMENT_STATUS_COLOURS = {
    AssignmentStatus.PENDING: "blue",
    AssignmentStatus.HANDLING: "amber",
    AssignmentStatus.OPINION_SENT: "teal",
    AssignmentStatus.REPLIED: "green",
    AssignmentStatus.RETURN_REQUESTED: "purple",
    AssignmentStatus.RETURNED: "grey",
    AssignmentStatus.SUPERSEDED: "grey",
}


class ReplyStatus(models.TextChoices):
    """A reply letter's state. Allowed moves (see REPLY_TRANSITIONS):

    draft → awaiting_signoff → signed → sent; awaiting_signoff → draft when the unit leader sends it back.
    Where the session has the committee review replies (``Session.reply_review``, 督办审核), the unit's
    "send" hands the signed letter to the committee instead: signed → in_review, and the committee
    releases it (in_review → sent, exactly as a send) or returns it with comments (in_review → draft).
    Where the session has countersigning (``Session.countersign``, 会签), a lead unit's draft is submitted
    only once every co-handling unit agreed to that version (``Countersign``); the status does not change.
    """

    DRAFT = "draft", _("Draft")
    AWAITING_SIGNOFF = "awaiting_signoff", _("Awaiting sign-off")
    SIGNED = "signed", _("Signed off")
    IN_REVIEW = "in_review", _("With the committee for review")
    SENT = "sent", _("Sent")


REPLY_TRANSITIONS: dict[str, set[str]] = {
    ReplyStatus.DRAFT: {ReplyStatus.AWAITING_SIGNOFF},
    ReplyStatus.AWAITING_SIGNOFF: {ReplyStatus.SIGNED, ReplyStatus.DRAFT},
    ReplyStatus.SIGNED: {ReplyStatus.SENT, ReplyStatus.IN_REVIEW},
    ReplyStatus.IN_REVIEW: {ReplyStatus.SENT, ReplyStatus.DRAFT},
    ReplyStatus.SENT: set(),
}

REPLY_STATUS_COLOURS = {
    ReplyStatus.DRAFT: "grey",
    ReplyStatus.AWAITING_SIGNOFF: "amber",
    ReplyStatus.SIGNED: "indigo",
    ReplyStatus.IN_REVIEW: "purple",
    ReplyStatus.SENT: "green",
}


class CountersignStatus(models.TextChoices):
    """A co-handling unit's answer to the lead unit's final draft (会签). Allowed moves (COUNTERSIGN_TRANSITIONS):

    pending → agreed | returned (with comments); agreed | returned | pending → pending when the lead unit
    sends the draft again: every new request asks every unit again, and earlier answers are reset.
    """

    PENDING = "pending", _("Awaiting countersignature")
    AGREED = "agreed", _("Agreed to the draft")
    RETURNED = "returned", _("Returned with comments")


COUNTERSIGN_TRANSITIONS: dict[str, set[str]] = {
    CountersignStatus.PENDING: {CountersignStatus.AGREED, CountersignStatus.RETURNED, CountersignStatus.PENDING},
    CountersignStatus.AGREED: {CountersignStatus.PENDING},
    CountersignStatus.RETURNED: {CountersignStatus.PENDING},
}

COUNTERSIGN_STATUS_COLOURS = {
    CountersignStatus.PENDING: "blue",
    CountersignStatus.AGREED: "green",
    CountersignStatus.RETURNED: "amber",
}


class ContactMethod(models.TextChoices):
    MEETING = "meeting", _("Face to face (面谈)")
    PHONE = "phone", _("Telephone (电话)")
    FORUM = "forum", _("Forum (座谈)")
    WRITTEN = "written", _("In writing (书面)")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class RequestStatus(models.TextChoices):
    """A return or extension request: pending → approved | refused."""

    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


REQUEST_STATUS_COLOURS = {
    RequestStatus.PENDING: "blue",
    RequestStatus.APPROVED: "green",
    RequestStatus.REFUSED: "red",
}


class ReminderKind(models.TextChoices):
    """What a reminder (催办) is about; see DESIGN.md section 5."""

    REPLY_DUE = "reply_due", _("Reply due soon")
    REPLY_DUE_TODAY = "reply_due_today", _("Reply due today")
    REPLY_OVERDUE = "reply_overdue", _("Reply overdue")
    OPINION_DUE = "opinion_due", _("Co-handling opinion due")
    RETURN_WINDOW = "return_window", _("Return window closing")
    COSIGN_PENDING = "cosign_pending", _("Co-signer confirmation pending")
    FEEDBACK_PENDING = "feedback_pending", _("Feedback pending")
    FOLLOWUP_DUE = "followup_due", _("Follow-up reply due")
    COUNTERSIGN_PENDING = "countersign_pending", _("Draft awaiting countersignature (会签)")
    REVIEW_PENDING = "review_pending", _("Reply awaiting the committee's review (督办审核)")
    MANUAL = "manual", _("Manual reminder (催办)")
