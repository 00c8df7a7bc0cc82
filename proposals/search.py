"""Chinese full-text search over proposals, behind one small interface.

* ``document_words(*texts)`` segments text for storage in ``Proposal.search_text``
  (jieba's search mode, so 河套深港科技创新合作区 is stored whole and as its parts);
* ``search(queryset, text)`` narrows a queryset to proposals containing every
  word of the query; ``ranked(queryset, text)`` also orders by relevance, then recency;
* ``similar_to(proposal)`` finds likely duplicates for review and for members;
* ``highlight(text, query)`` marks the query's words in a snippet.

On PostgreSQL the words are matched as a tsvector ('simple' configuration)
through a GIN index; elsewhere by whole-word matching in the stored text,
correct if slower. A query word of one Chinese character is matched as a
substring, since segmentation rarely stores single characters.
Callers pass querysets already scoped with ``visible_to``: search never widens
what a user may see.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import jieba
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

WORDS_FILE = Path(__file__).with_name("search_words.txt")
# Query words: CJK runs, Latin words and numbers; everything else separates words.
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+(?:[.\-_][A-Za-z0-9]+)*")
_CJK = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")
MAX_QUERY_WORDS = 8
RANK_WINDOW = 300  # ranking looks at the most recent matches only, so a common word stays fast
_RELOAD_SECONDS = 60
RARE_LIMIT = 5000  # a rare query's matches are fetched as ids, up to this many (see _postgres_match)
COMMON_SHARE = 0.002  # words expected in this share of rows are common enough to walk newest-first
STATISTICS_SECONDS = 600

jieba.setLogLevel(logging.WARNING)  # it announces every dictionary load otherwise
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_loaded_at = 0.0
_loaded_words: frozenset[str] = frozenset()


def _dictionary_words() -> dict[str, int]:
    words: dict[str, int] = {}
    for line in WORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            word, _, weight = line.partition(" ")
            words[word] = int(weight or 50)
    try:
        from proposals.models import SearchTerm

        words.update(dict(SearchTerm.objects.values_list("word", "weight")))
    except Exception:  # noqa: BLE001 - no table yet (before migrate): the file's words still apply
        pass
    return words


def tokenizer() -> jieba.Tokenizer:
    """jieba with our user dictionary; reloaded when the admin-edited words change (checked each minute)."""
    global _tokenizer, _loaded_at, _loaded_words
    now = time.monotonic()
    if _tokenizer is not None and now - _loaded_at < _RELOAD_SECONDS:
        return _tokenizer
    with _lock:
        words = _dictionary_words()
        if _tokenizer is None or frozenset(words) != _loaded_words:
            fresh = jieba.Tokenizer()
            fresh.initialize()
            for word, weight in words.items():
                fresh.add_word(word, freq=max(1, weight) * 1000)
            _tokenizer, _loaded_words = fresh, frozenset(words)
        _loaded_at = now
    return _tokenizer


def _words(text: str, *, for_search: bool) -> list[str]:
    cut = tokenizer().cut_for_search if for_search else tokenizer().cut
    words = []
    for run in _TOKEN.findall(text or ""):
        if _CJK.match(run):
            words.extend(word for word in cut(run) if word.strip())
        else:
            words.append(run.lower())
    return words


def document_words(*texts: str) -> str:
    """The stored form: segmented words separated by spaces, with a space at each end."""
    words = []
    for text in texts:
        words.extend(_words(text or "", for_search=True))
    return f" {' '.join(words)} " if words else ""


def query_words(text: str) -> list[str]:
    """The query's words, segmented the way documents are (each whole word, not its parts)."""
    seen: dict[str, None] = {}
    for word in _words((text or "")[:200], for_search=False):
        seen.setdefault(word, None)
    return list(seen)[:MAX_QUERY_WORDS]


def _single_character(word: str) -> bool:
    return len(word) == 1 and bool(_CJK.match(word))


def search(queryset: QuerySet, text: str) -> QuerySet:
    """Proposals containing every word of ``text`` (number, title, analysis or suggestions)."""
    words = query_words(text)
    if not words:
        return queryset
    whole = [w for w in words if not _single_character(w)]
    for word in words:
        if _single_character(word):
            queryset = queryset.filter(
                Q(title__contains=word) | Q(background__contains=word) | Q(suggestions__contains=word)
            )
    if not whole:
        return queryset
    if connection.vendor == "postgresql":
        return _postgres_match(queryset, whole)
    for word in whole:
        queryset = queryset.filter(search_text__contains=f" {word} ")
    return queryset


def _postgres_match(queryset: QuerySet, words: list[str]) -> QuerySet:
    """Common words as a condition, rare words as a list of ids found through the GIN index.

    For "newest first, 20 rows" PostgreSQL walks the primary key backwards and checks
    each row: quick when the words are common, a walk through the whole table when
    they are rare (numbers and unusual words never appear in its statistics, so it
    cannot tell). The column's statistics (most common lexemes and their frequencies)
    tell us instead: a query whose words are expected in at least ``COMMON_SHARE`` of
    the rows keeps the condition; any other query fetches its matching ids first.
    """
    from proposals.models import Proposal

    frequencies = _lexeme_frequencies()
    share = 1.0
    for word in words:
        share *= frequencies.get(word, 0.0)
    joined = " ".join(words)
    if share >= COMMON_SHARE:
        return queryset.filter(search_text__tsmatch=joined)
    probe = list(
        Proposal.objects.filter(search_text__tsmatch=joined).order_by().values_list("pk", flat=True)[: RARE_LIMIT + 1]
    )
    if len(probe) <= RARE_LIMIT:
        return queryset.filter(pk__in=probe)
    return queryset.filter(search_text__tsmatch=joined)


_frequencies: dict[str, float] = {}
_frequencies_at = -1e9


def _lexeme_frequencies() -> dict[str, float]:
    """PostgreSQL's most common lexemes of the search column and the share of rows holding each (cached)."""
    global _frequencies, _frequencies_at
    now = time.monotonic()
    if now - _frequencies_at < STATISTICS_SECONDS:
        return _frequencies
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'proposals_proposal' AND attname = 'search_vector'"
        )
        row = cursor.fetchone()
    _frequencies = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
    _frequencies_at = now
    return _frequencies


def ranked(queryset: QuerySet, text: str) -> QuerySet:
    """``search`` ordered by relevance, then recency (PostgreSQL); by recency elsewhere."""
    matches = search(queryset, text)
    words = [w for w in query_words(text) if not _single_character(w)]
    if connection.vendor != "postgresql" or not words:
        return matches.order_by("-created_at", "-pk")
    recent = matches.order_by("-pk").values("pk")[:RANK_WINDOW]
    rank = RawSQL(
        "ts_rank_cd(proposals_proposal.search_vector, plainto_tsquery('simple'::regconfig, %s))",
        [" ".join(words)],
        output_field=FloatField(),
    )
    return queryset.filter(pk__in=recent).annotate(search_rank=rank).order_by(F("search_rank").desc(), "-created_at")


def similar_to(proposal, *, candidates: QuerySet | None = None, limit: int = 5) -> list:
    """Proposals that look like ``proposal`` (for 并案 and duplicate checks), most alike first.

    Scored by how many of the title's words (beyond 关于…的建议) they share in their title.
    """
    from proposals.models import Proposal

    candidates = (candidates if candidates is not None else Proposal.objects.all()).exclude(pk=proposal.pk)
    return similar_to_title(proposal.title, candidates=candidates, limit=limit)


_BOILERPLATE = {"关于", "建议", "提案", "的", "进一步", "加强", "推进", "加快", "完善", "推动", "提升"}


def similar_to_title(title: str, *, candidates: QuerySet, limit: int = 5) -> list:
    """Proposals whose title shares the distinctive words of ``title`` (for the new-proposal form)."""
    words = [w for w in query_words(title) if w not in _BOILERPLATE and len(w) > 1]
    if not words:
        return []
    any_word = Q()
    for word in words:
        any_word |= Q(title__contains=word)
    scored = []
    for other in candidates.filter(any_word).select_related("session").order_by("-pk")[:300]:
        score = sum(word in other.title for word in words)
        scored.append((score, other.pk, other))
    scored.sort(key=lambda row: (-row[0], -row[1]))
    needed = 1 if len(words) <= 2 else 2
    return [other for score, _, other in scored[:limit] if score >= needed]


@dataclass(frozen=True)
class Snippet:
    """A stretch of text around the first query word, as data for ``proposals/_highlight.html``.

    ``segments`` are ``(text, is_match)`` pairs in order; ``leading`` and ``trailing`` say whether
    text was cut off before or after (the template draws an ellipsis). The template escapes the text
    and marks the matches: no markup is built here."""

    segments: tuple[tuple[str, bool], ...]
    leading: bool = False
    trailing: bool = False

    def __bool__(self) -> bool:
        return any(text for text, _is_match in self.segments)


def highlight(text: str, query: str, *, width: int = 80) -> Snippet:
    """The part of ``text`` around the first query word, with each query word found in it as a match."""
    words = sorted({w for w in query_words(query)}, key=len, reverse=True)
    text = text or ""
    if not words:
        return Snippet(((text[:width], False),) if text else (), trailing=width < len(text))
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - width // 3)
    snippet = text[start : start + width]
    segments: list[tuple[str, bool]] = []
    last = 0
    for match in pattern.finditer(snippet):
        if match.start() > last:
            segments.append((snippet[last : match.start()], False))
        segments.append((match.group(0), True))
        last = match.end()
    if last < len(snippet):
        segments.append((snippet[last:], False))
    return Snippet(tuple(segments), leading=start > 0, trailing=start + width < len(text))
