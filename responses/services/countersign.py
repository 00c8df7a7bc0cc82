"""Countersigning (会签): where the session asks for it, the lead unit's final draft reply goes to each
co-handling unit of the round, which agrees to it or returns it with comments; the draft goes for sign-off
(``submit_reply``) only once every one of them agreed to its current version (``policy.countersign_refusal``).

The co-handling units' opinions (会办意见) come first, as without countersigning: the draft they are asked
to countersign is the one written with them. Every request asks every unit again, with the draft as it is
then, and resets earlier answers: an agreement covers the text its unit saw, not a later version. A unit
whose opinion the committee waived is not asked (the waiver lets the lead unit reply without it).
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from proposals.choices import EventVerb
from proposals.services import proposal_label
from proposals.workflow import check_length, lock, move_status, notify, record_event, require_text, site_language
from responses import policy
from responses.choices import COUNTERSIGN_TRANSITIONS, CountersignStatus
from responses.limits import NOTE_MAX_CHARS
from responses.models import Assignment, Countersign, Reply
from responses.services.base import _unit_users


def countersign_letter(reply: Reply) -> dict:
    """The draft as the co-handling units are shown it, kept on each request (``Countersign.letter``)."""
    category = reply.category
    return {
        "category": f"{category.code} {category.name}" if category else "",
        "letter_number": reply.letter_number,
        "body": reply.body,
        "contact_person": reply.contact_person,
        "contact_phone": reply.contact_phone,
        "commitment_date": reply.commitment_date.isoformat() if reply.commitment_date else "",
    }


def request_countersign(reply: Reply, *, actor: User) -> list[Countersign]:
    """The lead unit sends its draft, as it is now, to every co-handling unit asked to countersign it.

    Each unit's row is (re)set to pending for the draft's current version; what a unit answered before
    (to an earlier version, or to this one) is reset, and kept on the timeline. Rows of units no longer
    asked (handed back since) are removed."""
    with transaction.atomic():
        assignment = lock(Assignment, Reply.objects.values_list("assignment_id", flat=True).get(pk=reply.pk))
        reply = lock(Reply, reply.pk)
        policy.check_request_countersign(actor, reply, assignment)
        units = list(policy.countersign_units(assignment).select_related("unit"))
        existing = {row.assignment_id: row for row in Countersign.objects.select_for_update().filter(reply=reply)}
        Countersign.objects.filter(reply=reply).exclude(assignment__in=units).delete()
        now = timezone.now()
        letter = countersign_letter(reply)
        rows, reset = [], []
        for unit_assignment in units:
            row = existing.get(unit_assignment.pk)
            if row is None:
                row = Countersign.objects.create(
                    reply=reply,
                    assignment=unit_assignment,
                    version=reply.version,
                    letter=letter,
                    requested_by=actor,
                    requested_at=now,
                )
            else:
                if row.status != CountersignStatus.PENDING or row.version != reply.version:
                    reset.append(unit_assignment.unit.name)
                move_status(
                    row,
                    CountersignStatus,
                    COUNTERSIGN_TRANSITIONS,
                    CountersignStatus.PENDING,
                    version=reply.version,
                    letter=letter,
                    requested_by=actor,
                    requested_at=now,
                    answered_by=None,
                    answered_at=None,
                    comments="",
                )
            rows.append(row)
        proposal = assignment.proposal
        record_event(
            proposal,
            actor,
            EventVerb.COUNTERSIGN_REQUESTED,
            obj=reply,
            data={
                "version": reply.version,
                "units": [row.assignment.unit.name for row in rows],
                **({"reset": reset} if reset else {}),
            },
        )
        with site_language():
            for row in rows:
                notify(
                    _unit_users([row.assignment.unit_id]),
                    title=_("Draft reply for your countersignature (会签): %(label)s")
                    % {"label": proposal_label(proposal)},
                    body=_("%(unit)s, the lead unit, asks your unit to agree to its draft reply or return it.")
                    % {"unit": assignment.unit.name},
                    url=reverse("admin:responses_assignment_countersign", args=[row.assignment_id]),
                    proposal=proposal,
                )
    return rows


def answer_countersign(countersign: Countersign, *, actor: User, agree: bool, comments: str = "") -> Countersign:
    """The co-handling unit agrees to the draft it was shown, or returns it with comments; the lead unit is told."""
    with transaction.atomic():
        lead_id = Reply.objects.values_list("assignment_id", flat=True).get(pk=countersign.reply_id)
        lead = lock(Assignment, lead_id)
        reply = lock(Reply, countersign.reply_id)
        row = Countersign.objects.select_for_update().select_related("assignment__unit").get(pk=countersign.pk)
        policy.check_answer_countersign(actor, row, reply)
        comments = (comments or "").strip()
        if not agree:
            comments = require_text(comments, _("Say what the lead unit should change in its draft."))
        check_length(Countersign, "comments", comments, NOTE_MAX_CHARS)
        target = CountersignStatus.AGREED if agree else CountersignStatus.RETURNED
        move_status(
            row,
            CountersignStatus,
            COUNTERSIGN_TRANSITIONS,
            target,
            answered_by=actor,
            answered_at=timezone.now(),
            comments=comments,
        )
        proposal = lead.proposal
        unit = row.assignment.unit.name
        record_event(
            proposal,
            actor,
            EventVerb.COUNTERSIGN_AGREED if agree else EventVerb.COUNTERSIGN_RETURNED,
            obj=row,
            from_status=CountersignStatus.PENDING,
            to_status=target,
            note=comments,
            data={"unit": unit, "version": row.version, "reply": reply.pk},
        )
        with site_language():
            if agree:
                title = _("%(unit)s agreed to your draft reply (会签): %(label)s")
            else:
                title = _("%(unit)s returned your draft reply with comments (会签): %(label)s")
            notify(
                [reply.drafted_by, *_unit_users([lead.unit_id], [Role.UNIT_HANDLER])],
                title=title % {"unit": unit, "label": proposal_label(proposal)},
                body=comments,
                url=reverse("admin:responses_assignment_reply", args=[lead.pk]),
                proposal=proposal,
            )
    return row
