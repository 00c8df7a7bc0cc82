"""提案公开: the public list, open to everyone, showing only ``Proposal.objects.published()``.

A published proposal's page, with its replies, is ``responses.views_portal.public_detail``.
"""

from __future__ import annotations

from django.db.models import F
from django.shortcuts import render

from proposals import search
from proposals.models import Category, Proposal, Session
from proposals.views_common import int_param, lead_name, paginate


def public_index(request):
    """Published proposals, filterable by session and category and searchable in Chinese.

    A search orders by relevance, then recency, and shows a highlighted snippet of each match.
    """
    sessions = list(Session.objects.all())
    categories = list(Category.objects.filter(is_active=True))
    proposals = (
        Proposal.objects.published()
        .select_related("session", "category")
        .annotate(lead_name=lead_name())
        .order_by(F("published_at").desc(nulls_last=True), "-pk")
    )
    selected_session = int_param(request, "session")
    selected_category = int_param(request, "category")
    if selected_session:
        proposals = proposals.filter(session_id=selected_session)
    if selected_category:
        proposals = proposals.filter(category_id=selected_category)
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        proposals = search.ranked(proposals, q)
    page = paginate(request, proposals)
    if q:
        for proposal in page.object_list:
            proposal.snippet = search.highlight(f"{proposal.title}。{proposal.background}", q)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "public/index.html",
        {
            "page": page,
            "sessions": sessions,
            "categories": categories,
            "selected_session": selected_session,
            "selected_category": selected_category,
            "q": q,
            "unsearchable": bool(q) and not search.searchable(q),
            "filter_query": query.urlencode(),
        },
    )
