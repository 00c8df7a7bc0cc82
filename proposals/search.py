"""Text search over proposals, behind one small interface.

``search(queryset, text)`` narrows a queryset to proposals matching the text
and ``similar_to(proposal)`` finds likely duplicates. The implementation may
use PostgreSQL full-text search with Chinese word segmentation; callers only
rely on these two functions, and every caller passes a queryset already
scoped with ``visible_to`` so search never widens what a user may see.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet


def _terms(text: str) -> list[str]:
    return [term for term in (text or "").split() if term][:8]


def search(queryset: QuerySet, text: str) -> QuerySet:
    """Proposals whose number, title, analysis or suggestions contain every term of ``text``."""
    for term in _terms(text):
        queryset = queryset.filter(
            Q(number__icontains=term)
            | Q(title__icontains=term)
            | Q(background__icontains=term)
            | Q(suggestions__icontains=term)
        )
    return queryset


def similar_to(proposal, *, candidates: QuerySet | None = None, limit: int = 5) -> list:
    """Earlier or concurrent proposals that look like ``proposal`` (for 并案 and duplicate checks).

    Ranked by how many of the title's distinctive two-character pieces they share.
    """
    from proposals.models import Proposal

    candidates = (candidates if candidates is not None else Proposal.objects.all()).exclude(pk=proposal.pk)
    title = (proposal.title or "").removeprefix("关于").removesuffix("的建议").removesuffix("的提案")
    pieces = list(dict.fromkeys(title[i : i + 2] for i in range(len(title) - 1)))[:12]
    if not pieces:
        return []
    query = Q()
    for piece in pieces:
        query |= Q(title__contains=piece)
    scored = []
    for other in candidates.filter(query).select_related("session")[:200]:
        score = sum(piece in other.title for piece in pieces)
        scored.append((score, other.created_at, other))
    scored.sort(key=lambda row: (-row[0], -row[1].timestamp()))
    return [other for score, _, other in scored[:limit] if score >= max(2, len(pieces) // 4)]
