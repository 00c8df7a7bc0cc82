from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalStatus(models.TextChoices):
    """Where a proposal stands. Allowed moves (see ALLOWED_TRANSITIONS):

    draft → submitted → accepted → assigned → replied → closed;
    submitted → rejected; submitted → merged; draft|submitted → withdrawn;
    replied → assigned (re-handling after 不满意); closed → assigned likewise.
    """

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    ASSIGNED = "assigned", _("Being handled")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Not accepted")
    MERGED = "merged", _("Merged")
    WITHDRAWN = "withdrawn", _("Withdrawn")


PROPOSAL_TRANSITIONS: dict[str, set[str]] = {
    ProposalStatus.DRAFT: {ProposalStatus.SUBMITTED, ProposalStatus.WITHDRAWN},
    ProposalStatus.SUBMITTED: {
        ProposalStatus.ACCEPTED,
        ProposalStatus.REJECTED,
        ProposalStatus.MERGED,
        ProposalStatus.WITHDRAWN,
        ProposalStatus.DRAFT,
    },
    ProposalStatus.ACCEPTED: {ProposalStatus.ASSIGNED},
    ProposalStatus.ASSIGNED: {ProposalStatus.REPLIED, ProposalStatus.ACCEPTED},
    ProposalStatus.REPLIED: {ProposalStatus.CLOSED, ProposalStatus.ASSIGNED},
    ProposalStatus.CLOSED: {ProposalStatus.ASSIGNED},
    ProposalStatus.REJECTED: set(),
    ProposalStatus.MERGED: set(),
    ProposalStatus.WITHDRAWN: set(),
}

# The statuses staff count and list: a draft is its proposers' own until submitted (Proposal.objects.submitted()).
SUBMITTED_STATUSES = [status for status in ProposalStatus if status != ProposalStatus.DRAFT]

# Badge colours for lists and timelines, one map for the whole site.
PROPOSAL_STATUS_COLOURS = {
    ProposalStatus.DRAFT: "grey",
    ProposalStatus.SUBMITTED: "blue",
    ProposalStatus.ACCEPTED: "indigo",
    ProposalStatus.ASSIGNED: "amber",
    ProposalStatus.REPLIED: "green",
    ProposalStatus.CLOSED: "teal",
    ProposalStatus.REJECTED: "red",
    ProposalStatus.MERGED: "purple",
    ProposalStatus.WITHDRAWN: "grey",
}


class ProposalKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    JOINT = "joint", _("Joint")
    COLLECTIVE = "collective", _("Collective")


class ProposerRole(models.TextChoices):
    LEAD = "lead", _("Lead proposer")
    COSIGNER = "cosigner", _("Co-signer")


class ProposerStatus(models.TextChoices):
    """A co-signer's answer to the invitation; the lead proposer is confirmed from the start."""

    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class JointRule(models.TextChoices):
    """When a joint proposal may be submitted."""

    ALL = "all", _("Every invited co-signer has confirmed")
    MINIMUM = "minimum", _("At least the minimum number of co-signers has confirmed")


class SatisfactionRule(models.TextChoices):
    """Which ratings of the handling result count as satisfied in the 办理结果满意率 (a session setting).

    Common practice counts 满意 and 基本满意; some committees count 满意 only. The values are those of
    ``responses.choices.Satisfaction``, which this app cannot import."""

    SATISFIED_OR_BASICALLY = "satisfied_or_basically", _("Satisfied and basically satisfied count as satisfied")
    SATISFIED_ONLY = "satisfied_only", _("Only satisfied counts as satisfied")

    @classmethod
    def levels(cls, rule: str) -> tuple[str, ...]:
        """The Satisfaction values the rule counts as satisfied."""
        return ("satisfied",) if rule == cls.SATISFIED_ONLY else ("satisfied", "basically")


class RejectionGround(models.TextChoices):
    """Standard grounds for 不予立案."""

    NOT_IN_SCOPE = "scope", _("Outside the scope of political consultation")
    PERSONAL = "personal", _("Concerns a personal or private matter")
    LITIGATION = "litigation", _("Concerns a case under litigation or judicial process")
    SECRET = "secret", _("Concerns state or commercial secrets")
    NO_SUGGESTION = "no_suggestion", _("No concrete suggestion")
    MULTIPLE_MATTERS = "multiple", _("More than one matter in one proposal")
    ALREADY_SOLVED = "solved", _("Already solved or being solved")
    OTHER = "other", _("Other")


class EventVerb(models.TextChoices):
    """What an Event records; the timeline shows the label."""

    CREATED = "created", _("Created")
    ENTERED_FROM_PAPER = "entered_from_paper", _("Paper proposal entered by committee staff (代提交)")
    EDITED = "edited", _("Edited")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RETURNED_TO_DRAFT = "returned_to_draft", _("Returned to draft")
    COSIGNER_INVITED = "cosigner_invited", _("Co-signer invited")
    COSIGNER_CONFIRMED = "cosigner_confirmed", _("Co-signer confirmed")
    COSIGNER_DECLINED = "cosigner_declined", _("Co-signer declined")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Not accepted")
    MERGED = "merged", _("Merged")
    MERGED_IN = "merged_in", _("Another proposal merged in")
    ASSIGNED = "assigned", _("Assigned")
    ASSIGNMENT_ACCEPTED = "assignment_accepted", _("Assignment accepted by unit")
    RETURN_REQUESTED = "return_requested", _("Return requested")
    RETURN_APPROVED = "return_approved", _("Return approved")
    RETURN_REFUSED = "return_refused", _("Return refused")
    OPINION_SENT = "opinion_sent", _("Co-handling opinion sent")
    OPINION_WAIVED = "opinion_waived", _("Co-handling opinion waived")
    CONTACT_LOGGED = "contact_logged", _("Contact with proposer logged")
    REPLY_SAVED = "reply_saved", _("Reply draft saved")
    REPLY_SUBMITTED = "reply_submitted", _("Reply submitted for sign-off")
    REPLY_SIGNED = "reply_signed", _("Reply signed off")
    REPLY_SENT_BACK = "reply_sent_back", _("Reply sent back")
    REPLY_SENT = "reply_sent", _("Reply sent")
    COUNTERSIGN_REQUESTED = "countersign_requested", _("Draft sent for countersigning (会签)")
    COUNTERSIGN_AGREED = "countersign_agreed", _("Draft countersigned")
    COUNTERSIGN_RETURNED = "countersign_returned", _("Draft returned with comments by a co-handling unit")
    REPLY_TO_REVIEW = "reply_to_review", _("Reply handed to the committee for review (督办审核)")
    REPLY_REVIEW_RETURNED = "reply_review_returned", _("Reply returned by the committee")
    REPLY_RECATEGORIZED = "reply_recategorized", _("Reply category changed by the committee")
    FEEDBACK_GIVEN = "feedback_given", _("Feedback given")
    FEEDBACK_RECORDED = "feedback_recorded", _("Paper rating recorded by committee staff (代评价)")
    REHANDLING = "rehandling", _("Re-handling started")
    ASSIGNMENT_SUPERSEDED = "assignment_superseded", _("Assignment closed by the new round")
    CLOSED = "closed", _("Closed")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_APPROVED = "extension_approved", _("Extension approved")
    EXTENSION_REFUSED = "extension_refused", _("Extension refused")
    MARKED_KEY = "marked_key", _("Marked as key proposal")
    SUPERVISION_NOTE = "supervision_note", _("Supervision note")
    PUBLISHED = "published", _("Published")
    SUGGESTION_FORWARDED = "suggestion_forwarded", _("Opinion forwarded to a unit for reference")
    REMINDER_SENT = "reminder_sent", _("Reminder sent")
    DEADLINE_RECOMPUTED = "deadline_recomputed", _("Deadline recomputed")


# Assignments (交办) -----------------------------------------------------------------------------
# Defined here rather than in responses.choices (which imports them) because the proposal FilterSet
# filters proposals by their units' role and open assignments.


class AssignmentRole(models.TextChoices):
    """主办 writes the one reply with the co-handlers' opinions; 会办 sends an opinion; 分办 replies on its own.

    Units are listed in one order everywhere (``in_order``): lead, then separate, then co-handling,
    so the units that write the replies come first.
    """

    LEAD = "lead", _("Lead unit (主办)")
    COHANDLING = "cohandling", _("Co-handling unit (会办)")
    SEPARATE = "separate", _("Separate unit (分办)")

    @classmethod
    def in_order(cls) -> list[AssignmentRole]:
        return [cls.LEAD, cls.SEPARATE, cls.COHANDLING]

    @classmethod
    def rank(cls, role: str) -> int:
        """The place of ``role`` in the unit order, for sorting rows in Python; an unknown role goes last."""
        order = cls.in_order()
        return order.index(role) if role in order else len(order)

    @classmethod
    def rank_expression(cls, field: str = "role") -> models.Case:
        """The same order as a database expression, for ``order_by``."""
        whens = [models.When(**{field: role}, then=place) for place, role in enumerate(cls.in_order())]
        return models.Case(*whens, default=len(whens), output_field=models.IntegerField())


REPLYING_ROLES = {AssignmentRole.LEAD, AssignmentRole.SEPARATE}


class AssignmentStatus(models.TextChoices):
    """An assignment's state. Allowed moves (see ASSIGNMENT_TRANSITIONS):

    pending → handling → replied (lead and separate units);
    handling → opinion_sent (co-handling units);
    pending|handling → return_requested → returned, or back where it was when refused;
    pending|handling|return_requested → superseded when a new handling round (重新办理) starts while the
    assignment was still open (a co-handler that never sent its opinion): the new round replaces it;
    replied → handling when the committee returns a reply it reviews (督办审核, ``Session.reply_review``):
    the unit replied when it handed the signed letter to the committee, and owes the reply again.
    """

    PENDING = "pending", _("Awaiting acceptance")
    HANDLING = "handling", _("Being handled")
    OPINION_SENT = "opinion_sent", _("Opinion sent")
    REPLIED = "replied", _("Replied")
    RETURN_REQUESTED = "return_requested", _("Return requested")
    RETURNED = "returned", _("Returned")
    SUPERSEDED = "superseded", _("Superseded by a new round")


ASSIGNMENT_TRANSITIONS: dict[str, set[str]] = {
    AssignmentStatus.PENDING: {
        AssignmentStatus.HANDLING,
        AssignmentStatus.RETURN_REQUESTED,
        AssignmentStatus.SUPERSEDED,
    },
    AssignmentStatus.HANDLING: {
        AssignmentStatus.REPLIED,
        AssignmentStatus.OPINION_SENT,
        AssignmentStatus.RETURN_REQUESTED,
        AssignmentStatus.SUPERSEDED,
    },
    AssignmentStatus.RETURN_REQUESTED: {
        AssignmentStatus.RETURNED,
        AssignmentStatus.PENDING,
        AssignmentStatus.HANDLING,
        AssignmentStatus.SUPERSEDED,
    },
    AssignmentStatus.OPINION_SENT: set(),
    AssignmentStatus.REPLIED: {AssignmentStatus.HANDLING},
    AssignmentStatus.RETURNED: set(),
    AssignmentStatus.SUPERSEDED: set(),
}

OPEN_ASSIGNMENT_STATUSES = [AssignmentStatus.PENDING, AssignmentStatus.HANDLING, AssignmentStatus.RETURN_REQUESTED]
