"""The "similar earlier proposals and their replies" panel of the proposal form (htmx, as the title is typed)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from proposals import search
from proposals.choices import ProposalStatus
from proposals.models import Proposal
from responses.models import Reply

MIN_TITLE = 4


@login_required
@require_GET
def similar(request):
    """Earlier proposals like the title being typed: published ones and the member's own, with their replies."""
    title = (request.GET.get("title") or "").strip()[:200]
    results = []
    if len(title) >= MIN_TITLE:
        visible = Proposal.objects.visible_to(request.user)
        candidates = (Proposal.objects.published() | visible).exclude(status=ProposalStatus.DRAFT)
        exclude = request.GET.get("exclude", "")
        if exclude.isdigit():
            candidates = candidates.exclude(pk=int(exclude))
        found = search.similar_to_title(title, candidates=candidates, limit=5)
        own = set(visible.filter(pk__in=[p.pk for p in found]).values_list("pk", flat=True))
        replies: dict[int, list[Reply]] = {}
        for reply in (
            Reply.objects.sent()
            .filter(assignment__proposal__in=found, is_followup=False)
            .select_related("assignment__unit", "category")
            .order_by("sent_at")
        ):
            replies.setdefault(reply.assignment.proposal_id, []).append(reply)
        results = [{"proposal": p, "own": p.pk in own, "replies": replies.get(p.pk, [])} for p in found]
    return render(request, "proposals/_similar.html", {"results": results, "title": title, "min_title": MIN_TITLE})
