"""The first handling unit and the number of units as columns of the proposal, for the lists.

Written by the services that change a proposal's assignments of its current handling round
(assigning, an approved return, re-handling: one call each); read by the lists without a
subquery per row.
"""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from proposals.models import Proposal
from responses.choices import AssignmentRole, AssignmentStatus
from responses.models import Assignment

# Which unit a list names first: the lead unit, else a separate one, else a co-handling one,
# each in the order they were assigned.
PLACES = {AssignmentRole.LEAD.value: 0, AssignmentRole.SEPARATE.value: 1}
OTHER_PLACE = 2


def _live(proposal_id, handling_round) -> QuerySet[Assignment]:
    """The assignments of the proposal's current handling round, returned ones left out."""
    return Assignment.objects.filter(proposal_id=proposal_id, round=handling_round).exclude(
        status=AssignmentStatus.RETURNED
    )


def refresh_units(proposal: Proposal) -> None:
    """Store ``proposal``'s first handling unit and how many units handle it in its current round."""
    rows = list(_live(proposal.pk, proposal.handling_round).order_by("pk").values_list("unit_id", "role"))
    # min() keeps the first of equal places: the one assigned first.
    first = min(rows, key=lambda row: PLACES.get(row[1], OTHER_PLACE))[0] if rows else None
    proposal.first_unit_id, proposal.unit_count = first, len(rows)
    Proposal.objects.filter(pk=proposal.pk).update(first_unit_id=first, unit_count=len(rows))


def fill_units(proposals: QuerySet[Proposal] | None = None) -> int:
    """``refresh_units`` for many proposals in one UPDATE (data loaders, existing rows)."""
    live = _live(OuterRef("pk"), OuterRef("handling_round")).order_by()
    place = Case(
        *[When(role=role, then=Value(n)) for role, n in PLACES.items()],
        default=Value(OTHER_PLACE),
        output_field=IntegerField(),
    )
    first = live.annotate(place=place).order_by("place", "pk").values("unit_id")[:1]
    count = live.values("proposal_id").annotate(n=Count("pk")).values("n")
    target = Proposal.objects.all() if proposals is None else proposals
    return target.update(first_unit_id=Subquery(first), unit_count=Coalesce(Subquery(count), Value(0)))
