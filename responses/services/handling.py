"""A unit's work before the reply: the co-handling opinion (会办意见) and contacts with the proposer (办前沟通)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from proposals.choices import EventVerb
from proposals.services import proposal_label
from proposals.workflow import (
    WorkflowError,
    check_length,
    lock,
    notify,
    record_event,
    require_text,
    site_language,
)
from responses import policy
from responses.choices import (
    AssignmentRole,
    AssignmentStatus,
    ContactMethod,
)

# The limits of the unit's forms, enforced here too: the admin's add pages (a contact) call these services
# with only the model's own checks in front of them. One definition (responses/limits.py) for both.
from responses.limits import NOTE_MAX_CHARS, session_start
from responses.models import (
    Assignment,
    Contact,
    Opinion,
)
from responses.services.base import (
    _set_assignment_status,
    _unit_users,
    live_assignments,
)


def send_opinion(assignment: Assignment, *, actor: User, body: str) -> Opinion:
    """A co-handling unit sends its opinion (会办意见) to the lead unit; late when after ``opinion_due``."""
    with transaction.atomic():
        assignment = lock(Assignment, assignment.pk)
        policy.check_send_opinion(actor, assignment)
        body = require_text(body, _("Write the opinion."))
        is_late = assignment.opinion_due is not None and timezone.localdate() > assignment.opinion_due
        old = _set_assignment_status(assignment, AssignmentStatus.OPINION_SENT)
        opinion = Opinion.objects.create(
            assignment=assignment, body=body, author=actor, sent_at=timezone.now(), is_late=is_late
        )
        proposal = assignment.proposal
        record_event(
            proposal,
            actor,
            EventVerb.OPINION_SENT,
            obj=assignment,
            from_status=old,
            to_status=assignment.status,
            data={"opinion": opinion.pk, "late": is_late},
        )
        lead_units = live_assignments(proposal).filter(role=AssignmentRole.LEAD).values_list("unit_id", flat=True)
        with site_language():
            notify(
                _unit_users(lead_units),
                title=_("Co-handling opinion from %(unit)s on %(label)s")
                % {"unit": assignment.unit.name, "label": proposal_label(proposal)},
                proposal=proposal,
                email=False,
            )
    return opinion


def waive_opinion(assignment: Assignment, *, actor: User, reason: str) -> Assignment:
    """The committee lets the lead unit reply without a co-handling unit's opinion (recorded, with a reason).

    The co-handler keeps its assignment and may still send the opinion; the lead unit no longer waits."""
    with transaction.atomic():
        assignment = lock(Assignment, assignment.pk)
        policy.check_waive_opinion(actor, assignment)
        reason = require_text(reason, _("Give the reason for waiving the opinion."))
        check_length(Assignment, "opinion_waiver_reason", reason, NOTE_MAX_CHARS)
        assignment.opinion_waived_by, assignment.opinion_waived_at = actor, timezone.now()
        assignment.opinion_waiver_reason = reason
        assignment.save(update_fields=["opinion_waived_by", "opinion_waived_at", "opinion_waiver_reason"])
        proposal = assignment.proposal
        record_event(
            proposal,
            actor,
            EventVerb.OPINION_WAIVED,
            obj=assignment,
            note=reason,
            data={"assignment": assignment.pk, "unit": assignment.unit.name},
        )
        lead_units = live_assignments(proposal).filter(role=AssignmentRole.LEAD).values_list("unit_id", flat=True)
        with site_language():
            notify(
                _unit_users([*lead_units, assignment.unit_id]),
                title=_("The committee waived the co-handling opinion of %(unit)s on %(label)s")
                % {"unit": assignment.unit.name, "label": proposal_label(proposal)},
                body=reason,
                proposal=proposal,
                email=False,
            )
    return assignment


def log_contact(
    assignment: Assignment,
    *,
    actor: User,
    contacted_on: dt.date,
    method: str,
    participants: str,
    notes: str = "",
) -> Contact:
    """Record the unit's contact with the proposer (办前沟通)."""
    with transaction.atomic():
        assignment = lock(Assignment, assignment.pk)
        policy.check_log_contact(actor, assignment)
        if method not in ContactMethod.values:
            raise WorkflowError(_("Choose how the proposer was contacted."))
        participants = require_text(participants, _("Say who took part."))
        notes = (notes or "").strip()
        check_length(Contact, "participants", participants)
        check_length(Contact, "notes", notes, NOTE_MAX_CHARS)
        if contacted_on > timezone.localdate():
            raise WorkflowError(_("The contact date cannot be in the future."))
        # No talk about a proposal can come before its session began (the same rule as ContactForm).
        session = assignment.proposal.session
        start = session_start(session)
        if contacted_on < start:
            raise WorkflowError(
                _("The contact date cannot be earlier than %(date)s, the start of %(session)s.")
                % {"date": start.isoformat(), "session": session.name}
            )
        contact = Contact.objects.create(
            assignment=assignment,
            contacted_on=contacted_on,
            method=method,
            participants=participants,
            notes=notes,
            recorded_by=actor,
        )
        record_event(
            assignment.proposal,
            actor,
            EventVerb.CONTACT_LOGGED,
            obj=contact,
            note=f"{contacted_on.isoformat()} {ContactMethod(method).label}",
        )
    return contact
