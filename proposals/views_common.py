"""Helpers shared by the portal's view modules: list annotations, pagination, paragraphs, lookups.

Every lookup of a proposal starts from ``Proposal.objects.visible_to`` so that
an object the user may not see answers 404 whichever view is asked.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.shortcuts import get_object_or_404, render

from proposals.choices import PROPOSAL_STATUS_COLOURS, ProposerRole
from proposals.models import Proposal, Proposer

PAGE_SIZE = 20


def lead_name(ref: str = "pk"):
    """The lead proposer's name as a subquery (``ref`` names the proposal), so list rows need no extra query."""
    return Subquery(
        Proposer.objects.filter(proposal=OuterRef(ref), role=ProposerRole.LEAD)
        .annotate(name=Coalesce(NullIf(F("user__full_name"), Value("")), F("user__username")))
        .order_by("order", "pk")  # the default ordering would join the proposal again
        .values("name")[:1]
    )


def with_status_colours(rows, colours=PROPOSAL_STATUS_COLOURS):
    """Sets ``badge`` on each row from the one colour map of its status (choices.py)."""
    for row in rows:
        row.badge = colours.get(row.status, "grey")
    return rows


def paginate(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    # Evaluated here, once: the template iterates the same instances.
    page.object_list = list(page.object_list)
    return page


def query_without_page(request) -> str:
    """The list's own filters, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def paragraphs(text: str) -> list[str]:
    """One paragraph per non-empty line: how members and units type these texts."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def letters(replies):
    """Splits each reply body into paragraphs for the letter layout."""
    for reply in replies:
        reply.paragraphs = paragraphs(reply.body)
    return replies


def texts(proposal) -> dict:
    return {
        "background_paragraphs": paragraphs(proposal.background),
        "suggestion_paragraphs": paragraphs(proposal.suggestions),
    }


def lead_of(proposers):
    return next((p for p in proposers if p.role == ProposerRole.LEAD), None)


def int_param(request, name: str) -> int | None:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


def visible_proposal(request, pk: int, *related: str) -> Proposal:
    """A proposal the user may see, or 404."""
    queryset = Proposal.objects.visible_to(request.user)
    if related:
        queryset = queryset.select_related(*related)
    return get_object_or_404(queryset, pk=pk)


def led_proposal(request, pk: int, *related: str) -> Proposal:
    """A proposal the user leads: 404 when they may not see it, 403 when they see it but do not lead it."""
    proposal = visible_proposal(request, pk, *related)
    if not Proposer.objects.filter(proposal=proposal, user=request.user, role=ProposerRole.LEAD).exists():
        raise PermissionDenied
    return proposal


def forbidden_page(view):
    """Renders the portal's own 403 page, with the service's message, for a ``PermissionDenied``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            message = str(exc.args[0]) if exc.args else ""
            return render(request, "proposals/forbidden.html", {"message": message}, status=403)

    return wrapper
