"""意见建议: a proposal not accepted but kept as an opinion is forwarded to units for reference."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from proposals.choices import EventVerb, ProposalStatus
from proposals.models import Proposal
from proposals.services import proposal_recipients
from proposals.workflow import WorkflowError, lock, notify, record_event, require_committee, site_language
from responses.limits import NOTE_MAX_CHARS
from responses.models import SuggestionForward
from responses.services.base import _unit_users


def forward_suggestion(
    proposal: Proposal, *, actor: User, units: Sequence[Unit], note: str = ""
) -> list[SuggestionForward]:
    """The committee sends an opinion (意见建议) to units for reference, without asking for a formal reply;
    the units are told what to read and the proposers where it went."""
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        require_committee(actor)
        if proposal.status != ProposalStatus.REJECTED or not proposal.converted_to_suggestion:
            raise WorkflowError(_("Only a proposal converted to an opinion (意见建议) can be forwarded for reference."))
        units = list(units)
        if not units:
            raise WorkflowError(_("Choose at least one unit."))
        inactive = [unit.name for unit in units if not unit.is_active]
        if inactive:
            raise WorkflowError(_("%(unit)s is no longer active.") % {"unit": "、".join(inactive)})
        already = set(SuggestionForward.objects.filter(proposal=proposal).values_list("unit__name", flat=True))
        again = [unit.name for unit in units if unit.name in already]
        if again:
            raise WorkflowError(_("Already forwarded to %(units)s.") % {"units": "、".join(again)})
        note = (note or "").strip()
        if len(note) > NOTE_MAX_CHARS:
            raise WorkflowError(_("The note is too long: at most %(max)d characters.") % {"max": NOTE_MAX_CHARS})
        rows = [
            SuggestionForward.objects.create(proposal=proposal, unit=unit, note=note, forwarded_by=actor)
            for unit in units
        ]
        names = "、".join(unit.name for unit in units)
        record_event(
            proposal,
            actor,
            EventVerb.SUGGESTION_FORWARDED,
            note=names,
            data={"units": [unit.name for unit in units], "forwards": [row.pk for row in rows]},
        )
        with site_language():
            for row in rows:
                notify(
                    _unit_users([row.unit_id]),
                    title=_("An opinion (意见建议) for your reference: %(title)s") % {"title": proposal.title},
                    body=note or _("For reference; no formal reply is needed."),
                    url=reverse("admin:responses_suggestionforward_change", args=[row.pk]),
                )
            notify(
                proposal_recipients(proposal),
                title=_("Your opinion (意见建议) was forwarded to %(units)s") % {"units": names},
                body=_(
                    "《%(title)s》 was passed to these units for reference in their work; no formal reply will follow."
                )
                % {"title": proposal.title},
                proposal=proposal,
            )
    return rows
