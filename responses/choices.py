from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentRole(models.TextChoices):
    """主办 writes the one reply with the co-handlers' opinions; 会办 sends an opinion; 分办 replies on its own."""

    LEAD = "lead", _("Lead unit (主办)")
    COHANDLING = "cohandling", _("Co-handling unit (会办)")
    SEPARATE = "separate", _("Separate unit (分办)")


REPLYING_ROLES = {AssignmentRole.LEAD, AssignmentRole.SEPARATE}


class AssignmentStatus(models.TextChoices):
    """An assignment's state. Allowed moves (see ASSIGNMENT_TRANSITIONS):

    pending → handling → replied (lead and separate units);
    handling → opinion_sent (co-handling units);
    pending|handling → return_requested → returned, or back where it was when refused.
    """

    PENDING = "pending", _("Awaiting acceptance")
    HANDLING = "handling", _("Being handled")
    OPINION_SENT = "opinion_sent", _("Opinion sent")
    REPLIED = "replied", _("Replied")
    RETURN_REQUESTED = "return_requested", _("Return requested")
    RETURNED = "returned", _("Returned")


ASSIGNMENT_TRANSITIONS: dict[str, set[str]] = {
    AssignmentStatus.PENDING: {AssignmentStatus.HANDLING, AssignmentStatus.RETURN_REQUESTED},
    AssignmentStatus.HANDLING: {
        AssignmentStatus.REPLIED,
        AssignmentStatus.OPINION_SENT,
        AssignmentStatus.RETURN_REQUESTED,
    },
    AssignmentStatus.RETURN_REQUESTED: {
        AssignmentStatus.RETURNED,
        AssignmentStatus.PENDING,
        AssignmentStatus.HANDLING,
    },
    AssignmentStatus.OPINION_SENT: set(),
    AssignmentStatus.REPLIED: set(),
    AssignmentStatus.RETURNED: set(),
}

OPEN_ASSIGNMENT_STATUSES = [AssignmentStatus.PENDING, AssignmentStatus.HANDLING, AssignmentStatus.RETURN_REQUESTED]

ASSIGNMENT_STATUS_COLOURS = {
    AssignmentStatus.PENDING: "blue",
    AssignmentStatus.HANDLING: "amber",
    AssignmentStatus.OPINION_SENT: "teal",
    AssignmentStatus.REPLIED: "green",
    AssignmentStatus.RETURN_REQUESTED: "purple",
    AssignmentStatus.RETURNED: "grey",
}


class ReplyStatus(models.TextChoices):
    """A reply letter's state: draft → awaiting_signoff → signed → sent; awaiting_signoff → draft when sent back."""

    DRAFT = "draft", _("Draft")
    AWAITING_SIGNOFF = "awaiting_signoff", _("Awaiting sign-off")
    SIGNED = "signed", _("Signed off")
    SENT = "sent", _("Sent")


REPLY_TRANSITIONS: dict[str, set[str]] = {
    ReplyStatus.DRAFT: {ReplyStatus.AWAITING_SIGNOFF},
    ReplyStatus.AWAITING_SIGNOFF: {ReplyStatus.SIGNED, ReplyStatus.DRAFT},
    ReplyStatus.SIGNED: {ReplyStatus.SENT},
    ReplyStatus.SENT: set(),
}

REPLY_STATUS_COLOURS = {
    ReplyStatus.DRAFT: "grey",
    ReplyStatus.AWAITING_SIGNOFF: "amber",
    ReplyStatus.SIGNED: "indigo",
    ReplyStatus.SENT: "green",
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
    MANUAL = "manual", _("Manual reminder (催办)")
