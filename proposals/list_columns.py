"""The lead proposer's name as a column of the proposal, for the lists and exports.

Written by the services that change a proposal's proposers (one call each); read by
the lists without a join or a subquery per row.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

from proposals.choices import ProposerRole
from proposals.models import Proposal, Proposer


def refresh_lead_name(proposal: Proposal) -> None:
    """Store the display name of ``proposal``'s lead proposer on it ("" when it has none)."""
    lead = Proposer.objects.filter(proposal_id=proposal.pk, role=ProposerRole.LEAD).select_related("user").first()
    proposal.lead_display = lead.user.display_name if lead else ""
    Proposal.objects.filter(pk=proposal.pk).update(lead_display=proposal.lead_display)


def fill_lead_names(proposals: QuerySet[Proposal] | None = None) -> int:
    """``refresh_lead_name`` for many proposals in one UPDATE (data loaders, existing rows)."""
    # User.display_name in SQL: the full name, else "first last", else the user name.
    name = Coalesce(
        NullIf("user__full_name", Value("")),
        NullIf(Trim(Concat("user__first_name", Value(" "), "user__last_name")), Value("")),
        "user__username",
    )
    lead = (
        Proposer.objects.filter(proposal_id=OuterRef("pk"), role=ProposerRole.LEAD)
        .order_by("pk")
        .annotate(name=name)
        .values("name")[:1]
    )
    target = Proposal.objects.all() if proposals is None else proposals
    return target.update(lead_display=Coalesce(Subquery(lead), Value("")))
