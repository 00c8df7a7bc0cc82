"""Workflow services for proposals: submission, co-signers, review, merging, key proposals.

Every status change goes through a function here (DESIGN.md section 3). Each one
checks the actor's right, runs in one transaction, locks the rows it changes,
checks the move against ``PROPOSAL_TRANSITIONS``, writes an ``Event`` and leaves
email to ``transaction.on_commit``. Refusals raise ``WorkflowError`` (an illegal
move) or ``PermissionDenied`` (an actor who may not do this), both with a
translated message.

Event convention: ``from_status``/``to_status`` are the statuses of the object
named by ``object_type``/``object_id`` (the proposal itself when there is none);
when a step on another object also moves the proposal, ``data["proposal_status"]``
holds ``[from, to]``.

Locks are always taken in the order proposal → session → assignment → reply,
so two steps never wait on each other in a circle.

The steps after acceptance (assignment, replies, feedback, closing, publication)
are in ``responses.services``; the primitives both use are in ``proposals.workflow``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from proposals.choices import (
    PROPOSAL_TRANSITIONS,
    EventVerb,
    JointRule,
    ProposalKind,
    ProposalStatus,
    ProposerRole,
    ProposerStatus,
    RejectionGround,
)
from proposals.models import Proposal, Proposer, Session, SupervisionNote
from proposals.workflow import (
    WorkflowError,
    check_length,
    check_move,
    lock,
    move_status,
    notify,
    record_event,
    require_committee,
    require_text,
    site_language,
)

# The longest supervision note (the supervision page's NoteForm in responses/admin_supervision.py uses it too): the admin's
# add page for notes calls add_supervision_note with no length rule of its own (the column is a TextField).
SUPERVISION_NOTE_MAX_CHARS = 4000


def can_move(proposal: Proposal, target: str) -> bool:
    """Whether the transitions map lets ``proposal`` move to ``target`` now: what ``set_status`` checks,
    asked by the pages before they offer the step."""
    return target in PROPOSAL_TRANSITIONS.get(proposal.status, set())


def set_status(proposal: Proposal, target: str, **fields) -> str:
    """Move a locked proposal to ``target`` after checking the map; returns the old status."""
    return move_status(proposal, ProposalStatus, PROPOSAL_TRANSITIONS, target, **fields)


def proposal_recipients(proposal: Proposal) -> list[User]:
    """The people a reply goes to: this proposal's proposers and those of proposals merged into it,
    except co-signers who declined. A merged proposal keeps its own proposers for exactly this."""
    rows = (
        Proposer.objects.filter(
            Q(proposal=proposal) | Q(proposal__merged_into=proposal, proposal__status=ProposalStatus.MERGED)
        )
        .exclude(status=ProposerStatus.DECLINED)
        .select_related("user")
        .order_by("proposal_id", "order", "pk")
    )
    return list({row.user_id: row.user for row in rows}.values())


def proposal_label(proposal: Proposal) -> str:
    return f"{proposal.number} {proposal.title}" if proposal.number else f"《{proposal.title}》"


def _is_lead_proposer(proposal: Proposal, user: User) -> bool:
    return Proposer.objects.filter(proposal=proposal, user=user, role=ProposerRole.LEAD).exists()


def _require_lead_proposer(proposal: Proposal, actor: User) -> None:
    if not _is_lead_proposer(proposal, actor):
        raise PermissionDenied(_("Only the lead proposer may do this."))


def _notify_proposers(proposal: Proposal, users: Iterable[User], title: str, body: str = "") -> None:
    notify(users, title=title, body=body, proposal=proposal)


# Member steps ------------------------------------------------------------------------------


def joint_rule_met(proposal: Proposal) -> bool:
    """Whether a joint proposal has enough confirmed co-signers under its session's rule."""
    statuses = list(
        Proposer.objects.filter(proposal=proposal, role=ProposerRole.COSIGNER).values_list("status", flat=True)
    )
    confirmed = statuses.count(ProposerStatus.CONFIRMED)
    session = proposal.session
    if session.joint_rule == JointRule.ALL:
        return confirmed >= 1 and ProposerStatus.INVITED not in statuses
    return confirmed >= session.joint_min_confirmed


def check_submission_period(session: Session, on: dt.date | None = None) -> None:
    """Refuse a submission outside the session's submission period, checked on ``on`` (default: today)."""
    today = on or timezone.localdate()
    if session.opens_on and today < session.opens_on:
        raise WorkflowError(_("Submissions for this session open on %(date)s.") % {"date": session.opens_on})
    if session.closes_on and today > session.closes_on:
        raise WorkflowError(_("Submissions for this session closed on %(date)s.") % {"date": session.closes_on})


def check_joint_rule(proposal: Proposal) -> None:
    """Refuse to submit a joint proposal without the confirmed co-signers its session's rule asks for."""
    if proposal.kind != ProposalKind.JOINT or joint_rule_met(proposal):
        return
    session = proposal.session
    if session.joint_rule == JointRule.ALL:
        raise WorkflowError(_("A joint proposal can be submitted once every invited co-signer has confirmed."))
    raise WorkflowError(
        _("A joint proposal needs at least %(count)d confirmed co-signers before it is submitted.")
        % {"count": session.joint_min_confirmed}
    )


def submit_proposal(proposal: Proposal, *, actor: User) -> Proposal:
    """The lead proposer submits a draft (draft → submitted)."""
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        _require_lead_proposer(proposal, actor)
        check_move(ProposalStatus, PROPOSAL_TRANSITIONS, proposal.status, ProposalStatus.SUBMITTED)
        require_text(proposal.title, _("Give the proposal a title."))
        require_text(proposal.suggestions, _("Write the concrete suggestions before submitting."))
        check_submission_period(proposal.session)
        check_joint_rule(proposal)
        old = set_status(proposal, ProposalStatus.SUBMITTED, submitted_at=timezone.now())
        record_event(proposal, actor, EventVerb.SUBMITTED, from_status=old, to_status=proposal.status)
    return proposal


def withdraw_proposal(proposal: Proposal, *, actor: User, reason: str = "") -> Proposal:
    """The lead proposer withdraws a draft or a submitted proposal (→ withdrawn)."""
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        _require_lead_proposer(proposal, actor)
        old = set_status(proposal, ProposalStatus.WITHDRAWN)
        record_event(
            proposal, actor, EventVerb.WITHDRAWN, from_status=old, to_status=proposal.status, note=reason.strip()
        )
        if old == ProposalStatus.SUBMITTED:
            others = [user for user in proposal_recipients(proposal) if user.pk != actor.pk]
            with site_language():
                _notify_proposers(proposal, others, _("Proposal withdrawn: %(title)s") % {"title": proposal.title})
    return proposal


COSIGNING_STATUSES = (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED)


def cosigning_open(proposal: Proposal) -> bool:
    """Co-signers may be added and may answer while the proposal is a draft or submitted, and the
    session's confirmation cutoff (when set) has not passed."""
    if proposal.status not in COSIGNING_STATUSES:
        return False
    cutoff = proposal.session.cosign_cutoff
    return cutoff is None or timezone.now() < cutoff


def invitations_open(proposal: Proposal) -> bool:
    """New co-signers are invited to a draft only: the committee reviews a submitted proposal with
    the proposers it was submitted with. Those invited before may still answer (``cosigning_open``)."""
    return proposal.status == ProposalStatus.DRAFT and cosigning_open(proposal)


def invite_cosigner(proposal: Proposal, *, actor: User, user: User) -> Proposer:
    """The lead proposer invites another member to co-sign (联名); the invitee confirms or declines."""
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        _require_lead_proposer(proposal, actor)
        if not invitations_open(proposal):
            raise WorkflowError(_("Co-signers can no longer be added to this proposal."))
        if proposal.kind == ProposalKind.COLLECTIVE:
            raise WorkflowError(_("A collective proposal has no co-signers."))
        if user.role != Role.MEMBER or not user.is_active:
            raise WorkflowError(_("Only members can co-sign a proposal."))
        existing = Proposer.objects.filter(proposal=proposal, user=user).first()
        if existing is not None and existing.status != ProposerStatus.DECLINED:
            raise WorkflowError(_("%(name)s is already on this proposal.") % {"name": user.display_name})
        now = timezone.now()
        if existing is not None:
            # Asking again someone who declined: the same row, a fresh invitation.
            existing.status, existing.invited_at, existing.responded_at, existing.confirmed_at = (
                ProposerStatus.INVITED,
                now,
                None,
                None,
            )
            existing.save(update_fields=["status", "invited_at", "responded_at", "confirmed_at"])
            proposer = existing
        else:
            last = Proposer.objects.filter(proposal=proposal).aggregate(m=models.Max("order"))["m"] or 0
            proposer = Proposer.objects.create(
                proposal=proposal,
                user=user,
                role=ProposerRole.COSIGNER,
                status=ProposerStatus.INVITED,
                order=last + 1,
                invited_at=now,
            )
        if proposal.kind == ProposalKind.INDIVIDUAL:
            proposal.kind = ProposalKind.JOINT
            proposal.save(update_fields=["kind", "updated_at"])
        record_event(
            proposal,
            actor,
            EventVerb.COSIGNER_INVITED,
            obj=proposer,
            to_status=ProposerStatus.INVITED,
            note=user.display_name,
        )
        with site_language():
            notify(
                [user],
                title=_("%(name)s invites you to co-sign a proposal") % {"name": actor.display_name},
                body=_("Please confirm or decline co-signing 《%(title)s》.") % {"title": proposal.title},
                proposal=proposal,
            )
    return proposer


def answer_invitation(proposer: Proposer, *, actor: User, accept: bool) -> Proposer:
    """An invited co-signer confirms or declines, before the session's co-signing cutoff."""
    with transaction.atomic():
        proposal = lock(Proposal, proposer.proposal_id)
        proposer = lock(Proposer, proposer.pk)
        if proposer.user_id != actor.pk or proposer.role != ProposerRole.COSIGNER:
            raise PermissionDenied(_("Only the invited member may answer this invitation."))
        if proposer.status != ProposerStatus.INVITED:
            raise WorkflowError(_("This invitation has already been answered."))
        if not cosigning_open(proposal):
            raise WorkflowError(_("The time to answer this invitation has passed."))
        now = timezone.now()
        proposer.status = ProposerStatus.CONFIRMED if accept else ProposerStatus.DECLINED
        proposer.responded_at = now
        proposer.confirmed_at = now if accept else None
        proposer.save(update_fields=["status", "responded_at", "confirmed_at"])
        verb = EventVerb.COSIGNER_CONFIRMED if accept else EventVerb.COSIGNER_DECLINED
        record_event(proposal, actor, verb, obj=proposer, from_status=ProposerStatus.INVITED, to_status=proposer.status)
        lead = Proposer.objects.filter(proposal=proposal, role=ProposerRole.LEAD).select_related("user").first()
        if lead is not None:
            with site_language():
                title = (
                    _("%(name)s agreed to co-sign 《%(title)s》")
                    if accept
                    else _("%(name)s declined to co-sign 《%(title)s》")
                ) % {"name": actor.display_name, "title": proposal.title}
                notify([lead.user], title=title, proposal=proposal, email=False)
    return proposer


# Committee review ----------------------------------------------------------------------------


def accept_proposal(proposal: Proposal, *, actor: User, note: str = "") -> Proposal:
    """立案: the committee accepts a submitted proposal and gives it the session's next number.

    The session row is locked while its counter is read and advanced, so accepts
    running at the same time queue there: no two proposals get one number, and a
    rolled-back accept gives its number back with the rest of its transaction.
    """
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        require_committee(actor)
        check_move(ProposalStatus, PROPOSAL_TRANSITIONS, proposal.status, ProposalStatus.ACCEPTED)
        session = lock(Session, proposal.session_id)
        serial = session.next_serial
        try:
            number = session.format_number(serial)
            # Skip a number someone typed in by hand or an earlier format already produced.
            while Proposal.objects.filter(Q(serial=serial) | Q(number=number), session=session).exists():
                serial += 1
                number = session.format_number(serial)
        except (KeyError, IndexError, ValueError) as exc:
            raise WorkflowError(_("The session's number format is not valid; correct it first.")) from exc
        session.next_serial = serial + 1
        session.save(update_fields=["next_serial"])
        old = set_status(proposal, ProposalStatus.ACCEPTED, number=number, serial=serial, accepted_at=timezone.now())
        record_event(
            proposal,
            actor,
            EventVerb.ACCEPTED,
            from_status=old,
            to_status=proposal.status,
            note=note.strip(),
            data={"number": number},
        )
        with site_language():
            _notify_proposers(
                proposal,
                proposal_recipients(proposal),
                _("Your proposal was accepted as No. %(number)s") % {"number": number},
                _("《%(title)s》 has been accepted and will be assigned to the handling units.")
                % {"title": proposal.title},
            )
    return proposal


def reject_proposal(
    proposal: Proposal, *, actor: User, ground: str, reason: str = "", convert_to_suggestion: bool = False
) -> Proposal:
    """不予立案: the committee refuses a submitted proposal on a standard ground, optionally keeping it
    as an opinion (意见建议). A reason is required when the ground is "other"."""
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        require_committee(actor)
        check_move(ProposalStatus, PROPOSAL_TRANSITIONS, proposal.status, ProposalStatus.REJECTED)
        if ground not in RejectionGround.values:
            raise WorkflowError(_("Choose a ground for not accepting the proposal."))
        reason = (reason or "").strip()
        if ground == RejectionGround.OTHER and not reason:
            raise WorkflowError(_("Explain why the proposal is not accepted."))
        old = set_status(
            proposal,
            ProposalStatus.REJECTED,
            rejection_ground=ground,
            rejection_reason=reason,
            converted_to_suggestion=convert_to_suggestion,
        )
        record_event(
            proposal,
            actor,
            EventVerb.REJECTED,
            from_status=old,
            to_status=proposal.status,
            note=reason,
            data={"ground": ground, "converted_to_suggestion": convert_to_suggestion},
        )
        with site_language():
            body = RejectionGround(ground).label + (f"\n{reason}" if reason else "")
            if convert_to_suggestion:
                body += "\n" + _("It has been passed on as an opinion (意见建议).")
            _notify_proposers(
                proposal,
                proposal_recipients(proposal),
                _("Proposal not accepted: %(title)s") % {"title": proposal.title},
                body,
            )
    return proposal


MERGE_TARGET_STATUSES = {ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED, ProposalStatus.ASSIGNED}


def merge_proposal(proposal: Proposal, *, actor: User, into: Proposal, note: str = "") -> Proposal:
    """并案: fold a submitted proposal into another one of the same session.

    The merged proposal keeps its own proposers, so each of them still receives
    the reply (and may rate it) through the proposal it was merged into.
    """
    if proposal.pk == into.pk:
        raise WorkflowError(_("A proposal cannot be merged into itself."))
    with transaction.atomic():
        # Both rows locked in primary-key order, so two opposite merges cannot deadlock.
        rows = {
            row.pk: row
            for row in Proposal.objects.select_for_update().filter(pk__in=[proposal.pk, into.pk]).order_by("pk")
        }
        proposal, into = rows[proposal.pk], rows[into.pk]
        require_committee(actor)
        check_move(ProposalStatus, PROPOSAL_TRANSITIONS, proposal.status, ProposalStatus.MERGED)
        if into.session_id != proposal.session_id:
            raise WorkflowError(_("Only proposals of the same session can be merged."))
        if into.status not in MERGE_TARGET_STATUSES:
            raise WorkflowError(
                _("A proposal that is “%(status)s” cannot take in another proposal.")
                % {"status": ProposalStatus(into.status).label}
            )
        note = (note or "").strip()
        old = set_status(proposal, ProposalStatus.MERGED, merged_into=into)
        record_event(
            proposal,
            actor,
            EventVerb.MERGED,
            obj=into,
            from_status=old,
            to_status=proposal.status,
            note=note,
            data={"into": into.pk},
        )
        record_event(into, actor, EventVerb.MERGED_IN, obj=proposal, note=note, data={"merged": proposal.pk})
        with site_language():
            _notify_proposers(
                proposal,
                proposal_recipients(proposal),
                _("Proposal merged: %(title)s") % {"title": proposal.title},
                _("It is handled together with %(target)s; you will receive its reply.")
                % {"target": proposal_label(into)},
            )
    return proposal


KEY_STATUSES = {ProposalStatus.ACCEPTED, ProposalStatus.ASSIGNED, ProposalStatus.REPLIED}


def may_mark_key(proposal: Proposal, user: User) -> bool:
    """Whether ``user`` may mark or unmark ``proposal`` as a key proposal now (``mark_key_proposal``)."""
    return user.is_committee and proposal.status in KEY_STATUSES


def may_note_supervision(proposal: Proposal, user: User) -> bool:
    """Whether ``user`` may write a supervision note on ``proposal`` (``add_supervision_note``)."""
    return user.is_oversight and proposal.is_key


def mark_key_proposal(
    proposal: Proposal, *, actor: User, supervisor: User | None, is_key: bool = True, note: str = ""
) -> Proposal:
    """The committee marks an accepted proposal as a key proposal (重点提案) with a supervising leader,
    or unmarks it (``is_key=False``)."""
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        require_committee(actor)
        if proposal.status not in KEY_STATUSES:
            raise WorkflowError(_("Only an accepted proposal that is not yet closed can be a key proposal."))
        if is_key and (supervisor is None or supervisor.role != Role.LEADER or not supervisor.is_active):
            raise WorkflowError(_("Choose a leader to supervise the key proposal."))
        if not is_key:
            supervisor = None
        proposal.is_key, proposal.supervisor = is_key, supervisor
        proposal.save(update_fields=["is_key", "supervisor", "updated_at"])
        record_event(
            proposal,
            actor,
            EventVerb.MARKED_KEY,
            note=(note or "").strip(),
            data={"is_key": is_key, "supervisor": supervisor.pk if supervisor else None},
        )
        if supervisor is not None:
            with site_language():
                notify(
                    [supervisor],
                    title=_("You supervise key proposal %(label)s") % {"label": proposal_label(proposal)},
                    proposal=proposal,
                )
    return proposal


def add_supervision_note(proposal: Proposal, *, actor: User, body: str) -> SupervisionNote:
    """A leader or committee staff writes a supervision note (督办) on a key proposal."""
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        if not actor.is_oversight:
            raise PermissionDenied(_("Only leaders and committee staff may supervise proposals."))
        if not proposal.is_key:
            raise WorkflowError(_("Supervision notes are kept for key proposals only."))
        body = require_text(body, _("Write the supervision note."))
        check_length(SupervisionNote, "body", body, SUPERVISION_NOTE_MAX_CHARS)
        row = SupervisionNote.objects.create(proposal=proposal, author=actor, body=body)
        record_event(proposal, actor, EventVerb.SUPERVISION_NOTE, obj=row, note=body)
    return row
