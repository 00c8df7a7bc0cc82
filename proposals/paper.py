"""代提交: committee staff enter a member's paper proposal on the member's behalf.

Members who cannot go online hand in paper proposals at the plenary. Committee staff enter the text,
the lead proposer, the joint proposers who signed the paper and, if they have one, a scan of the
paper form (stored as the proposal's attachment). The proposal is entered as submitted: it goes
straight into the committee's review like a member's own submission, under the same rules (a title
and concrete suggestions, the session's submission period, its rule for joint proposals), and gets
its number at 立案 like any other. Paper forms are often typed in days after the plenary: the day the
committee received the form (``received_on``) is what the submission period is checked on, and it is
the proposal's submission date (the start of that day when it is not today).

The joint proposers signed the paper, so they are confirmed co-signers, marked as confirmed on paper
(``Proposer.confirmed_on_paper``). The proposal keeps who entered it and when (``entered_by``,
``entered_at``); the timeline has an ``ENTERED_FROM_PAPER`` event by that staff member, naming the
member. The lead proposer and every joint proposer are notified, and follow the proposal under
我的提案 like one of their own: ``Proposal.objects.visible_to`` goes by the proposers.

Same conventions as ``proposals.services``: one transaction, a translated ``WorkflowError`` or
``PermissionDenied`` for a refusal, nothing half-saved (a stored scan is deleted again when the
transaction fails), notifications sent after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Unit, User
from proposals.choices import EventVerb, ProposalKind, ProposalStatus, ProposerRole, ProposerStatus
from proposals.drafting import StoredFiles, check_scan, clean_draft_data
from proposals.list_columns import refresh_lead_name
from proposals.models import Proposal, Proposer, Session
from proposals.services import check_joint_rule, check_submission_period, set_status
from proposals.workflow import (
    WorkflowError,
    check_length,
    notify,
    record_event,
    require_committee,
    require_text,
    site_language,
)


def check_proposers(lead: User, cosigners: Iterable[User]) -> list[User]:
    """The joint proposers, after checking that the lead and each of them is an active member, and that
    nobody is named twice; ``WorkflowError`` naming the person otherwise."""
    cosigners = list(cosigners)
    for user in (lead, *cosigners):
        if user.role != Role.MEMBER or not user.is_active:
            raise WorkflowError(
                _("%(name)s is not an active member, so cannot be a proposer.") % {"name": user.display_name}
            )
    seen = set()
    for user in cosigners:
        if user.pk == lead.pk:
            raise WorkflowError(
                _("%(name)s is the lead proposer and cannot also be a joint proposer.") % {"name": user.display_name}
            )
        if user.pk in seen:
            raise WorkflowError(_("%(name)s is named twice among the joint proposers.") % {"name": user.display_name})
        seen.add(user.pk)
    return cosigners


def enter_paper_proposal(
    *,
    actor: User,
    session: Session,
    lead: User,
    cosigners: Iterable[User] = (),
    data: Mapping,
    units: Iterable[Unit] = (),
    scan: UploadedFile | None = None,
    received_on: dt.date | None = None,
) -> Proposal:
    """代提交: ``actor`` (committee staff) enters ``lead``'s paper proposal, signed by ``cosigners``.

    ``data`` holds the proposal's text and choices as for a draft (``drafting.DRAFT_FIELDS``; the kind
    follows from the joint proposers: individual without, joint with). ``received_on`` is the day the
    committee received the paper form (default: today). Returns the submitted proposal.
    """
    require_committee(actor)
    cosigners = check_proposers(lead, cosigners)
    kind = ProposalKind.JOINT if cosigners else ProposalKind.INDIVIDUAL
    values = clean_draft_data({**data, "kind": kind, "collective_author": ""})
    check_length(Proposal, "title", values["title"])
    require_text(values["suggestions"], _("Write the concrete suggestions before submitting."))
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        raise WorkflowError(_("The day the paper form was received cannot be later than today."))
    check_submission_period(session, on=received_on)
    uploads = [(scan, check_scan(scan))] if scan else []
    with StoredFiles() as stored, transaction.atomic():
        now = timezone.now()
        proposal = Proposal.objects.create(
            session=session,
            created_by=actor,
            status=ProposalStatus.DRAFT,
            created_at=now,
            entered_by=actor,
            entered_at=now,
            **values,
        )
        proposal.suggested_units.set(list(units))
        people = [(lead, ProposerRole.LEAD), *((user, ProposerRole.COSIGNER) for user in cosigners)]
        for order, (user, role) in enumerate(people):
            # Everyone on the paper signed it: confirmed from the start, and marked as confirmed on paper.
            Proposer.objects.create(
                proposal=proposal,
                user=user,
                role=role,
                status=ProposerStatus.CONFIRMED,
                order=order,
                invited_at=now,
                confirmed_at=now,
                responded_at=now,
                confirmed_on_paper=True,
            )
        refresh_lead_name(proposal)
        check_joint_rule(proposal)
        names = [row.original_name for row in stored.add(proposal, actor, uploads)]
        # A form received on an earlier day was submitted at the start of that day, in the site's time zone.
        submitted_at = (
            now if received_on == today else timezone.make_aware(dt.datetime.combine(received_on, dt.time.min))
        )
        old = set_status(proposal, ProposalStatus.SUBMITTED, submitted_at=submitted_at)
        record_event(
            proposal,
            actor,
            EventVerb.ENTERED_FROM_PAPER,
            from_status=old,
            to_status=proposal.status,
            data={
                "on_behalf_of": lead.pk,
                "member": lead.display_name,
                "received_on": received_on.isoformat(),
                "cosigners": [user.display_name for user in cosigners],
                "attachments": names,
            },
        )
        with site_language():
            notify(
                [lead],
                title=_("Your paper proposal 《%(title)s》 was entered and submitted") % {"title": proposal.title},
                body=_(
                    "%(name)s of the proposal committee entered your paper proposal on your behalf; it now awaits "
                    "the committee's review. Follow it under My proposals."
                )
                % {"name": actor.display_name},
                proposal=proposal,
            )
            notify(
                cosigners,
                title=_("You are a joint proposer of 《%(title)s》") % {"title": proposal.title},
                body=_(
                    "%(name)s of the proposal committee entered %(lead)s's paper proposal, which you signed: you "
                    "are named on it as a confirmed co-signer."
                )
                % {"name": actor.display_name, "lead": lead.display_name},
                proposal=proposal,
            )
    return proposal
