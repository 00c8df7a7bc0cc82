"""The reply letter (答复函): drafts with a version check, sign-off (签发), sending back and sending."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from proposals.choices import EventVerb
from proposals.services import proposal_label
from proposals.workflow import (
    ReplyConflict,
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
    ReplyStatus,
)
from responses.deadlines import add_months

# The limits of the unit's forms, enforced here too: the admin's add pages (a contact) call these services
# with only the model's own checks in front of them. One definition (responses/limits.py) for both.
from responses.limits import COMMITMENT_MAX_YEARS, LETTER_MAX_CHARS
from responses.models import (
    Assignment,
    Contact,
    Reply,
    ReplyCategory,
    ReplyRevision,
)
from responses.services import sending
from responses.services.base import (
    _set_reply_status,
    _unit_users,
)

REPLY_FIELDS = ("category", "letter_number", "body", "contact_person", "contact_phone", "commitment_date")
SINGLE_LINE_FIELDS = {"letter_number", "contact_person", "contact_phone"}
# Text fields without a max_length in the table, limited as on ReplyForm.
REPLY_TEXT_LIMITS = {"body": LETTER_MAX_CHARS}


def reply_values(reply: Reply) -> dict:
    """The editable fields of a reply as JSON-ready values (category as its id, the date as ISO text)."""
    return {
        "category": reply.category_id,
        "letter_number": reply.letter_number,
        "body": reply.body,
        "contact_person": reply.contact_person,
        "contact_phone": reply.contact_phone,
        "commitment_date": reply.commitment_date.isoformat() if reply.commitment_date else None,
    }


def _json_value(name: str, value):
    if name == "category":
        return value.pk if value is not None else None
    if name == "commitment_date":
        return value.isoformat() if value else None
    return value


def _clean_reply_data(data: dict) -> dict:
    unknown = sorted(set(data) - set(REPLY_FIELDS))
    if unknown:
        raise WorkflowError(_("These fields cannot be edited here: %(fields)s") % {"fields": ", ".join(unknown)})
    cleaned: dict = {}
    for name, value in data.items():
        if name == "category":
            if value in (None, ""):
                cleaned[name] = None
            elif isinstance(value, ReplyCategory):
                cleaned[name] = value
            else:
                try:
                    cleaned[name] = ReplyCategory.objects.get(pk=value)
                except (ReplyCategory.DoesNotExist, ValueError, TypeError) as exc:
                    raise WorkflowError(_("Choose a valid reply category.")) from exc
        elif name == "commitment_date":
            if value in (None, ""):
                cleaned[name] = None
            elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                cleaned[name] = value
            else:
                try:
                    cleaned[name] = dt.date.fromisoformat(str(value))
                except ValueError as exc:
                    raise WorkflowError(_("Enter the commitment date as YYYY-MM-DD.")) from exc
            if cleaned[name] is not None:
                _check_commitment_date(cleaned[name])
        else:
            text = "" if value is None else str(value)
            if name in SINGLE_LINE_FIELDS:
                text = text.strip()
            check_length(Reply, name, text, REPLY_TEXT_LIMITS.get(name))
            cleaned[name] = text
    return cleaned


def _check_commitment_date(day: dt.date) -> None:
    """The same range as ReplyForm: after today, and within COMMITMENT_MAX_YEARS (a later one is a typo
    whose follow-up would never fall due)."""
    today = timezone.localdate()
    if day <= today:
        raise WorkflowError(_("The commitment date must be in the future."))
    if day > add_months(today, 12 * COMMITMENT_MAX_YEARS):
        raise WorkflowError(_("The commitment date must be within %(years)d years.") % {"years": COMMITMENT_MAX_YEARS})


def _conflict(reply: Reply, base_version: int | None) -> ReplyConflict:
    revisions = list(
        ReplyRevision.objects.filter(reply=reply, version__gt=base_version or 0)
        .select_related("editor")
        .order_by("version")
    )
    names = ", ".join(dict.fromkeys(revision.editor.display_name for revision in revisions)) or _("Someone")
    return ReplyConflict(
        _(
            "%(names)s saved this reply after you opened it (it is now version %(version)d). "
            "Review the changes and save again."
        )
        % {"names": names, "version": reply.version},
        current=reply_values(reply),
        version=reply.version,
        revisions=revisions,
    )


def _create_draft(assignment: Assignment, actor: User, cleaned: dict, *, followup: bool = False) -> Reply:
    try:
        # A savepoint: the unique constraint answers two first saves at the same moment.
        with transaction.atomic():
            reply = Reply.objects.create(
                assignment=assignment,
                round=assignment.round,
                is_followup=followup,
                drafted_by=actor,
                version=1,
                **cleaned,
            )
    except IntegrityError:
        existing = round_reply(assignment, followup=followup)
        if existing is None:
            raise
        raise _conflict(existing, None) from None
    changes = {
        name: [None if name in ("category", "commitment_date") else "", _json_value(name, value)]
        for name, value in cleaned.items()
        if value not in (None, "")
    }
    ReplyRevision.objects.create(reply=reply, version=1, editor=actor, changes=changes, created_at=reply.created_at)
    record_event(
        assignment.proposal,
        actor,
        EventVerb.REPLY_SAVED,
        obj=reply,
        to_status=reply.status,
        data={"version": 1, "fields": sorted(changes), **({"followup": True} if followup else {})},
    )
    return reply


def round_reply(assignment: Assignment, *, followup: bool = False) -> Reply | None:
    """The assignment's reply (or follow-up reply) of its current round, if drafted."""
    return (
        Reply.objects.filter(assignment=assignment, round=assignment.round, is_followup=followup).order_by("pk").first()
    )


def save_reply_draft(
    assignment: Assignment, *, actor: User, data: dict, base_version: int | None, followup: bool = False
) -> Reply:
    """Create or edit the reply draft of an assignment in its current round.

    ``base_version`` is the version the editor started from (None for a new draft).
    When someone saved in between, ``ReplyConflict`` is raised with the saved values
    and the revisions since then; nothing is overwritten. Each save writes a
    ``ReplyRevision`` with the changed fields as ``{field: [old, new]}``.

    With ``followup`` the draft is the follow-up reply (跟踪答复) that a sent reply with a
    commitment date (category B) calls for; it follows the same steps as the reply.
    """
    cleaned = _clean_reply_data(data)
    with transaction.atomic():
        assignment = lock(Assignment, assignment.pk)
        reply = round_reply(assignment, followup=followup)
        policy.check_draft(actor, assignment, reply, followup=followup)
        if reply is None:
            return _create_draft(assignment, actor, cleaned, followup=followup)
        if base_version is None or reply.version != base_version:
            raise _conflict(reply, base_version)
        old_values = reply_values(reply)
        changes = {
            name: [old_values[name], _json_value(name, value)]
            for name, value in cleaned.items()
            if old_values[name] != _json_value(name, value)
        }
        if not changes:
            return reply
        now = timezone.now()
        # The version in the WHERE clause is the optimistic lock: a save in between makes this match nothing.
        updated = Reply.objects.filter(pk=reply.pk, version=base_version, status=ReplyStatus.DRAFT).update(
            **{name: cleaned[name] for name in changes}, version=F("version") + 1, updated_at=now
        )
        reply.refresh_from_db()
        if updated != 1:
            if reply.status != ReplyStatus.DRAFT:
                raise WorkflowError(_("This reply is no longer a draft and cannot be edited."))
            raise _conflict(reply, base_version)
        ReplyRevision.objects.create(reply=reply, version=reply.version, editor=actor, changes=changes, created_at=now)
        record_event(
            assignment.proposal,
            actor,
            EventVerb.REPLY_SAVED,
            obj=reply,
            data={
                "version": reply.version,
                "fields": sorted(changes),
                **({"followup": True} if reply.is_followup else {}),
            },
        )
    return reply


class SubmittedReply(NamedTuple):
    reply: Reply
    missing_contact: bool  # no Contact recorded: the reply is flagged for the committee


def submit_reply(reply: Reply, *, actor: User) -> SubmittedReply:
    """The handler submits a complete draft for the unit leader's sign-off (draft → awaiting_signoff)."""
    with transaction.atomic():
        assignment_id = Reply.objects.values_list("assignment_id", flat=True).get(pk=reply.pk)
        assignment = lock(Assignment, assignment_id)
        reply = lock(Reply, reply.pk)
        policy.check_submit(actor, reply, assignment)
        required = ["category", "body", "letter_number", "contact_person", "contact_phone"]
        # A follow-up reply reports on a commitment; it does not make a new one.
        if reply.category is not None and reply.category.requires_commitment and not reply.is_followup:
            required.append("commitment_date")
        missing = [
            name for name in required if getattr(reply, name) in (None, "") or str(getattr(reply, name)).strip() == ""
        ]
        if missing:
            raise WorkflowError(
                _("Fill in before submitting: %(fields)s")
                % {"fields": ", ".join(str(Reply._meta.get_field(name).verbose_name) for name in missing)}
            )
        if "commitment_date" in required and reply.commitment_date <= timezone.localdate():
            raise WorkflowError(_("The commitment date must be in the future."))
        old = _set_reply_status(reply, ReplyStatus.AWAITING_SIGNOFF)
        missing_contact = not Contact.objects.filter(assignment=assignment).exists()
        proposal = assignment.proposal
        record_event(
            proposal,
            actor,
            EventVerb.REPLY_SUBMITTED,
            obj=reply,
            from_status=old,
            to_status=reply.status,
            data={"no_contact": missing_contact, **({"followup": True} if reply.is_followup else {})},
        )
        with site_language():
            notify(
                _unit_users([assignment.unit_id], [Role.UNIT_LEADER]),
                title=_("Reply awaiting your sign-off: %(label)s") % {"label": proposal_label(proposal)},
                body=_("No contact with the proposer has been recorded.") if missing_contact else "",
                proposal=proposal,
            )
    return SubmittedReply(reply, missing_contact)


def sign_reply(reply: Reply, *, actor: User) -> Reply:
    """签发: the unit's leader signs off a submitted reply (awaiting_signoff → signed)."""
    with transaction.atomic():
        reply = lock(Reply, reply.pk)
        assignment = reply.assignment
        policy.check_sign(actor, reply, assignment)
        old = _set_reply_status(reply, ReplyStatus.SIGNED, signer=actor, signed_at=timezone.now())
        record_event(
            assignment.proposal, actor, EventVerb.REPLY_SIGNED, obj=reply, from_status=old, to_status=reply.status
        )
        with site_language():
            notify(
                [reply.drafted_by],
                title=_("Reply signed off: %(label)s") % {"label": proposal_label(assignment.proposal)},
                proposal=assignment.proposal,
                email=False,
            )
    return reply


def send_back_reply(reply: Reply, *, actor: User, comments: str) -> Reply:
    """The unit's leader sends a submitted reply back to draft with comments."""
    with transaction.atomic():
        reply = lock(Reply, reply.pk)
        assignment = reply.assignment
        policy.check_send_back(actor, reply, assignment)
        comments = require_text(comments, _("Say what needs to change before the reply can be signed."))
        old = _set_reply_status(reply, ReplyStatus.DRAFT, sendback_comment=comments, returned_by_committee=False)
        record_event(
            assignment.proposal,
            actor,
            EventVerb.REPLY_SENT_BACK,
            obj=reply,
            from_status=old,
            to_status=reply.status,
            note=comments,
        )
        with site_language():
            notify(
                [reply.drafted_by],
                title=_("Reply sent back: %(label)s") % {"label": proposal_label(assignment.proposal)},
                body=comments,
                proposal=assignment.proposal,
            )
    return reply


def send_reply(reply: Reply, *, actor: User) -> Reply:
    """The unit sends a signed reply (signed → sent, or signed → in_review where the committee reviews
    replies: ``responses.services.sending``).

    Sent, the proposal becomes replied when no lead or separate unit of the current round still owes
    a reply; every proposer is told, in the app and by email, with a link to the letter. A follow-up
    reply (跟踪答复) is sent the same way but moves neither the assignment nor the proposal: they were
    replied already.
    """
    with transaction.atomic():
        proposal, assignment, reply = sending.locked_rows(reply)
        policy.check_send(actor, reply, assignment)
        if policy.send_target(assignment) == ReplyStatus.IN_REVIEW:
            sending.hand_over(proposal, assignment, reply, actor)
        else:
            sending.deliver(proposal, assignment, reply, actor)
    return reply
