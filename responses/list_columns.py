"""The first handling unit and the number of units as columns of the proposal, for the lists.

Written by the services that change a proposal's assignments of its current handling round
(assigning, an approved return, re-handling: one call each); read by the lists without a
subquery per row.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from proposals.models import Proposal
from responses.choices import AssignmentRole
from responses.models import Assignment

# The unit a list names first is the first in the unit order (AssignmentRole.in_order), and among
# units of one role the one assigned first.


def refresh_units(proposal: Proposal) -> None:
    """Store ``proposal``'s first handling unit and how many units handle it in its current round."""
    rows = list(
        Assignment.objects.live(proposal.pk, proposal.handling_round).order_by("pk").values_list("unit_id", "role")
    )
    # min() keeps the first of equal places: the one assigned first.
    first = min(rows, key=lambda row: AssignmentRole.rank(row[1]))[0] if rows else None
    proposal.first_unit_id, proposal.unit_count = first, len(rows)
    Proposal.objects.filter(pk=proposal.pk).update(first_unit_id=first, unit_count=len(rows))


def fill_units(proposals: QuerySet[Proposal] | None = None) -> int:
    """``refresh_units`` for many proposals in one UPDATE (data loaders, existing rows)."""
    live = Assignment.objects.live(OuterRef("pk"), OuterRef("handling_round")).order_by()
    first = live.annotate(place=AssignmentRole.rank_expression()).order_by("place", "pk").values("unit_id")[:1]
    count = live.values("proposal_id").annotate(n=Count("pk")).values("n")
    target = Proposal.objects.all() if proposals is None else proposals
    return target.update(first_unit_id=Subquery(first), unit_count=Coalesce(Subquery(count), Value(0)))
