"""Similar proposals (likely duplicates for 并案, earlier answers for a member drafting).

The measure is the cosine of tf-idf vectors over the segmented words of the whole text (title,
analysis and suggestions): a word weighs ``(1 + log tf) * idf``, with the smoothed
``idf = 1 + log((1 + N) / (1 + n))`` for ``n`` of all ``N`` proposals holding the word. Generic
words (福田区, 社区 in a district's proposals) weigh little because most proposals hold them; the
distinctive ones decide.

Candidates are fetched through the search index by the text's most distinctive words, then scored
here on their stored words (``Proposal.search_text``), so a candidate's text is never segmented again.
Shares come from PostgreSQL's statistics of the search column when it has them (cached by
``proposals.search``), else from counting, one query per distinctive word.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from statistics import median as statistics_median

from django.db import connection
from django.db.models import FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

from proposals.search_text import stored_words, text_parts

DISTINCTIVE = 20  # words of the text that fetch candidates from a large table
CANDIDATES = 200  # candidates scored per request
MIN_SCORE = 0.1
READ_ALL = 5_000  # up to this many proposals, shares are counted exactly and every candidate is scored
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
    """The share of proposals holding each word: from PostgreSQL's statistics when it has them; else,
    for a table small enough to read (SQLite, a new database), counted over all stored words; else
    counted for the text's own words, one query each."""

    def __init__(self, words):
        from proposals.models import Proposal
        from proposals.search import _lexeme_frequencies

        statistics = _lexeme_frequencies() if connection.vendor == "postgresql" else {}
        self.small = False
        if statistics:
            self.total = _estimated_rows()
            self.known = statistics
            self.unknown = min(statistics.values()) / 2  # not among the most common: rarer than all of them
            return
        self.total = max(1, Proposal.objects.count())
        self.known = {}
        self.small = self.total <= READ_ALL
        if self.small:
            counts: Counter = Counter()
            for stored in Proposal.objects.values_list("search_text", flat=True).iterator(chunk_size=2000):
                counts.update(set(stored_words(stored)))
            self.known = {word: count / self.total for word, count in counts.items()}
            self.unknown = 1 / self.total
            return
        for word in words:
            self.known[word] = Proposal.objects.filter(_holds_word(word)).count() / self.total
        self.unknown = statistics_median(self.known.values()) if self.known else 1 / self.total

    def elsewhere(self, word: str) -> bool:
        """Whether another proposal may hold the word (one holder may be the proposal itself)."""
        return self.known.get(word, self.unknown) * self.total >= 2

    def idf(self, word: str) -> float:
        # Smoothed (as scikit-learn's default): a word every proposal holds still counts a little,
        # which matters while a new installation has only a handful of proposals.
        holders = self.known.get(word, self.unknown) * self.total
        return 1 + math.log((1 + self.total) / (1 + holders))


def _estimated_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'proposals_proposal'")
        row = cursor.fetchone()
    return max(1, int(row[0])) if row and row[0] and row[0] > 0 else 1_000_000


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
    norm = math.sqrt(sum(v * v for v in mine.values()))
    if shares.small:
        # A small table is read whole: every candidate is scored, none missed by the fetch.
        rows = candidates.order_by("-pk")
    else:
        distinctive = sorted((w for w in mine if shares.elsewhere(w)), key=lambda w: (-mine[w], w))[:DISTINCTIVE]
        if not distinctive:
            return []
        rows = _fetch(candidates, distinctive)[:CANDIDATES]
    found = []
    for other in rows.select_related("session"):
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
