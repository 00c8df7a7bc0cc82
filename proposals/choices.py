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
    CONTACT_LOGGED = "contact_logged", _("Contact with proposer logged")
    REPLY_SAVED = "reply_saved", _("Reply draft saved")
    REPLY_SUBMITTED = "reply_submitted", _("Reply submitted for sign-off")
    REPLY_SIGNED = "reply_signed", _("Reply signed off")
    REPLY_SENT_BACK = "reply_sent_back", _("Reply sent back")
    REPLY_SENT = "reply_sent", _("Reply sent")
    FEEDBACK_GIVEN = "feedback_given", _("Feedback given")
    REHANDLING = "rehandling", _("Re-handling started")
    CLOSED = "closed", _("Closed")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    EXTENSION_APPROVED = "extension_approved", _("Extension approved")
    EXTENSION_REFUSED = "extension_refused", _("Extension refused")
    MARKED_KEY = "marked_key", _("Marked as key proposal")
    SUPERVISION_NOTE = "supervision_note", _("Supervision note")
    PUBLISHED = "published", _("Published")
    REMINDER_SENT = "reminder_sent", _("Reminder sent")
    DEADLINE_RECOMPUTED = "deadline_recomputed", _("Deadline recomputed")
