"""Similar proposals (likely duplicates for 并案, earlier answers for a member drafting).

The measure is the cosine of tf-idf vectors over the segmented words of the whole text (title,
analysis and suggestions): a word weighs ``(1 + log tf) * idf``, with ``idf = log(1 / share)`` where
``share`` is the part of all proposals holding the word. Generic words (关于, 建议, 福田区 in a district's
proposals) weigh little because most proposals hold them; the distinctive ones decide.

Candidates are fetched through the search index by the text's most distinctive words, then scored
here on their stored words (``Proposal.search_text``), so a candidate's text is never segmented again.
Shares come from PostgreSQL's statistics of the search column when it has them (cached by
``proposals.search``), else from counting, one query per distinctive word.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.db.models import FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

from proposals.search_text import stored_words, text_parts

DISTINCTIVE = 12  # words of the text that fetch candidates
CANDIDATES = 200  # candidates scored per request
MIN_SCORE = 0.08
SHARED_SHOWN = 6
_GENERIC = frozenset(
    "关于 建议 提案 进一步 加强 推进 加快 完善 推动 提升 我们 一是 二是 三是 四是 五是 六是 目前 当前 存在 问题 "
    "方面 工作 有关 相关 进行 通过 开展 实现 需要 以及 同时 其中 部分 没有 已经 主要 情况 为了 不断".split()
)


@dataclass(frozen=True)
class Similar:
    """A proposal found similar, its score (0 to 1, the cosine) and the shared words that weigh most."""

    proposal: object
    score: float
    shared: tuple[str, ...]

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def _terms(words) -> Counter:
    return Counter(w for w in words if len(w) > 1 and not w.isdigit() and w not in _GENERIC)


def _weights(terms: Counter, idf) -> dict[str, float]:
    return {word: (1 + math.log(count)) * idf(word) for word, count in terms.items()}


class _Shares:
    """The share of proposals holding each word, from statistics or by counting."""

    def __init__(self, words):
        from proposals.models import Proposal
        from proposals.search import _lexeme_frequencies

        self.known: dict[str, float] = {}
        statistics = _lexeme_frequencies() if connection.vendor == "postgresql" else {}
        if statistics:
            self.total = 1
            self.known = statistics
            self.unknown = min(statistics.values()) / 2  # not among the most common: rarer than all of them
            return
        self.total = max(1, Proposal.objects.count())
        for word in words:
            self.known[word] = Proposal.objects.filter(_holds_word(word)).count() / self.total
        self.unknown = None

    def idf(self, word: str) -> float:
        share = self.known.get(word)
        if share is None:
            # Counting only the text's own words, a candidate's other words are taken as rare-ish.
            share = self.unknown if self.unknown is not None else 2 / self.total
        return math.log(1 / max(share, 1 / (self.total * 10)))


def _holds_word(word: str) -> Q:
    if connection.vendor == "postgresql":
        return Q(search_text__tsmatch=f"'{word}'")
    return Q(search_text__contains=f" {word} ")


def _fetch(candidates: QuerySet, words: list[str]) -> QuerySet:
    """Candidates holding any of ``words``, those holding more of them first (PostgreSQL), else newest."""
    if connection.vendor == "postgresql":
        query = " | ".join(f"'{word}'" for word in words)
        rank = RawSQL(
            "ts_rank(proposals_proposal.search_vector, to_tsquery('simple'::regconfig, %s))",
            [query],
            output_field=FloatField(),
        )
        return candidates.filter(search_text__tsmatch=query).annotate(similar_rank=rank).order_by("-similar_rank")
    any_word = Q()
    for word in words:
        any_word |= _holds_word(word)
    return candidates.filter(any_word).order_by("-pk")


def _shared(mine: dict[str, float], theirs: dict[str, float]) -> tuple[str, ...]:
    both = sorted(set(mine) & set(theirs), key=lambda w: (-mine[w] * theirs[w], w))
    shown: list[str] = []
    for word in both:
        # 河套 says nothing more beside 河套深港科技创新合作区.
        if not any(word in longer for longer in shown):
            shown.append(word)
        if len(shown) == SHARED_SHOWN:
            break
    return tuple(shown)


def similar_to_text(*texts: str, candidates: QuerySet, limit: int = 5) -> list[Similar]:
    """Proposals among ``candidates`` most like ``texts`` (title, analysis, suggestions), best first."""
    terms = _terms(text_parts(*texts)[0])
    if not terms:
        return []
    # Longer words first among equals: they are the specific ones before the statistics are read.
    shares = _Shares(sorted(terms, key=lambda w: (-terms[w] * len(w), w))[: DISTINCTIVE * 2])
    mine = _weights(terms, shares.idf)
    distinctive = sorted(mine, key=lambda w: (-mine[w], w))[:DISTINCTIVE]
    norm = math.sqrt(sum(v * v for v in mine.values()))
    found = []
    for other in _fetch(candidates, distinctive).select_related("session")[:CANDIDATES]:
        theirs = _weights(_terms(stored_words(other.search_text)), shares.idf)
        dot = sum(weight * theirs[word] for word, weight in mine.items() if word in theirs)
        if not dot:
            continue
        score = dot / (norm * math.sqrt(sum(v * v for v in theirs.values())))
        if score >= MIN_SCORE:
            found.append(Similar(other, round(score, 3), _shared(mine, theirs)))
    found.sort(key=lambda s: (-s.score, -s.proposal.pk))
    return found[:limit]


def similar_to(proposal, *, candidates: QuerySet | None = None, limit: int = 5) -> list[Similar]:
    """Proposals like ``proposal`` (itself left out), best first."""
    from proposals.models import Proposal

    candidates = (candidates if candidates is not None else Proposal.objects.all()).exclude(pk=proposal.pk)
    return similar_to_text(
        proposal.title, proposal.background, proposal.suggestions, candidates=candidates, limit=limit
    )
