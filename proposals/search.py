"""Chinese full-text search over proposals, behind one small interface.

* ``search(queryset, text)`` narrows a queryset to proposals containing every piece of the query
  (a Chinese word as a substring of number, title, analysis or suggestions, whatever the segmenter
  did with the text; a Latin word or a number whole); a query with nothing searchable in it (only
  punctuation, symbols or emoji) finds nothing, and ``searchable(text)`` says so beforehand;
* ``ranked(queryset, text)`` also orders by relevance: the phrase as typed first, then how much of
  the query the text holds (PostgreSQL's cover density, elsewhere counted occurrences), then recency;
* ``highlight(text, query)`` marks the query's words in a snippet.

Text and queries are normalised and cut the same way (``proposals.search_text``). On PostgreSQL the
stored form is matched as a tsvector ('simple' configuration) through a GIN index, a Chinese piece as
a phrase of its two-character grams; elsewhere the same grams are matched in the stored text.
Similar proposals are found by ``proposals.similar``. Callers pass querysets already scoped with
``visible_to``: search never widens what a user may see.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, FloatField, IntegerField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length, Replace

from proposals.search_text import Query, document_words, grams, is_chinese, normalise, parse_query

__all__ = ["document_words", "highlight", "parse_query", "ranked", "search", "searchable"]

RANK_WINDOW = 300  # ranking looks at the most recent matches only, so a common word stays fast
RARE_LIMIT = 5000  # a rare query's matches are fetched as ids, up to this many (see _postgres_match)
COMMON_SHARE = 0.002  # words expected in this share of rows are common enough to walk newest-first
STATISTICS_SECONDS = 600


def searchable(text: str) -> bool:
    """Whether ``text`` holds anything to search for (a Chinese character, a Latin letter or a digit)."""
    return bool(parse_query(text))


def _tsquery_piece(piece: str) -> str:
    # Pieces hold only Chinese characters or [a-z0-9] (search_text._RUN): nothing to escape.
    if not is_chinese(piece):
        return f"'{piece}'"
    if len(piece) == 1:
        return f"'{piece}':*"
    return "(" + " <-> ".join(f"'{gram}'" for gram in grams(piece)[:-1]) + ")"


def _tsquery(pieces) -> str:
    return " & ".join(_tsquery_piece(piece) for piece in pieces)


def _pattern(piece: str) -> str:
    """What a piece looks like in the stored text (for databases without full-text search)."""
    if not is_chinese(piece):
        return f" {piece} "
    if len(piece) == 1:
        return f" {piece}"
    return f" {' '.join(grams(piece)[:-1])} "


def _holds_all(pieces) -> Q:
    if connection.vendor == "postgresql":
        return Q(search_text__tsmatch=_tsquery(pieces))
    condition = Q()
    for piece in pieces:
        condition &= Q(search_text__contains=_pattern(piece))
    return condition


def search(queryset: QuerySet, text: str) -> QuerySet:
    """Proposals containing every piece of ``text``; none when ``text`` has nothing searchable."""
    if not (text or "").strip():
        return queryset
    query = parse_query(text)
    if not query:
        return queryset.none()
    if connection.vendor == "postgresql":
        return _postgres_match(queryset, query)
    return queryset.filter(_holds_all(query.pieces))


def _expected_share(piece: str, frequencies: dict[str, float]) -> float:
    if not is_chinese(piece):
        return frequencies.get(piece, 0.0)
    if len(piece) == 1:
        return min(1.0, sum(share for lexeme, share in frequencies.items() if lexeme.startswith(piece)))
    # The grams of one piece come together (时尚产业 holds 时尚): the rarest one bounds the share.
    return min(frequencies.get(gram, 0.0) for gram in grams(piece)[:-1])


def _is_common(query: Query) -> bool:
    frequencies = _lexeme_frequencies()
    share = 1.0
    for piece in query.pieces:
        share *= _expected_share(piece, frequencies)
    return share >= COMMON_SHARE


def _postgres_match(queryset: QuerySet, query: Query) -> QuerySet:
    """Common queries as a condition, rare ones as a list of ids found through the GIN index.

    For "newest first, 20 rows" PostgreSQL walks the primary key backwards and checks
    each row: quick when the words are common, a walk through the whole table when
    they are rare (numbers and unusual words never appear in its statistics, so it
    cannot tell). The column's statistics (most common lexemes and their frequencies)
    tell us instead: a query expected in at least ``COMMON_SHARE`` of the rows keeps
    the condition; any other query fetches its matching ids first.
    """
    from proposals.models import Proposal

    condition = _holds_all(query.pieces)
    if _is_common(query):
        return queryset.filter(condition)
    probe = list(Proposal.objects.filter(condition).order_by().values_list("pk", flat=True)[: RARE_LIMIT + 1])
    if len(probe) <= RARE_LIMIT:
        return queryset.filter(pk__in=probe)
    return queryset.filter(condition)


def _newest(matches: QuerySet, query: Query) -> list[int]:
    """The ids of the ``RANK_WINDOW`` newest matches.

    PostgreSQL estimates a phrase of grams (时尚 <-> 尚产 <-> 产业) as if its grams were
    independent, so it thinks a common phrase rare and reads every match through the GIN
    index to sort them (2 s for 82,663 matches at 1M) instead of walking the newest rows.
    When the statistics say common, that walk is what it is told to do.
    """
    newest = matches.order_by("-pk").values_list("pk", flat=True)[:RANK_WINDOW]
    if connection.vendor != "postgresql" or not _is_common(query):
        return list(newest)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_bitmapscan = off")
        try:
            return list(newest)
        finally:
            cursor.execute("RESET enable_bitmapscan")


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


def _relevance(query: Query):
    """How much of the query a text holds: cover density on PostgreSQL, occurrences elsewhere."""
    if connection.vendor == "postgresql":
        return RawSQL(
            "ts_rank_cd(proposals_proposal.search_vector, to_tsquery('simple'::regconfig, %s))",
            [_tsquery(query.pieces)],
            output_field=FloatField(),
        )
    total = Value(0)
    for piece in query.pieces:
        pattern = _pattern(piece)
        removed = Length("search_text") - Length(Replace("search_text", Value(pattern), Value("")))
        total = total + removed / len(pattern)
    return ExpressionWrapper(total, output_field=IntegerField())


def ranked(queryset: QuerySet, text: str) -> QuerySet:
    """``search`` ordered by relevance (the phrase as typed, then the relevance measure), then recency."""
    matches = search(queryset, text)
    query = parse_query(text)
    if not query:
        return matches
    rows = queryset.filter(pk__in=_newest(matches, query)).annotate(search_rank=_relevance(query))
    order = [F("search_rank").desc(), "-created_at", "-pk"]
    if query.phrases:
        phrase = ExpressionWrapper(_holds_all(query.phrases), output_field=BooleanField())
        rows = rows.annotate(search_phrase=phrase)
        order.insert(0, F("search_phrase").desc())
    return rows.order_by(*order)


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
    """The part of ``text`` around the first query word, with each query word found in it as a match.

    Words are found in the normalised text (so 養老 marks 养老 and the reverse) when normalising
    keeps its length, as it nearly always does; otherwise in the text as written."""
    parsed = parse_query(query)
    words = sorted({*parsed.pieces, *parsed.phrases}, key=len, reverse=True)
    text = text or ""
    if not words:
        return Snippet(((text[:width], False),) if text else (), trailing=width < len(text))
    normal = normalise(text)
    if len(normal) != len(text):
        normal = text.lower()
    pattern = re.compile("|".join(re.escape(w) for w in words))
    first = pattern.search(normal)
    start = max(0, (first.start() if first else 0) - width // 3)
    snippet = text[start : start + width]
    segments: list[tuple[str, bool]] = []
    last = 0
    for match in pattern.finditer(normal[start : start + width]):
        if match.start() > last:
            segments.append((snippet[last : match.start()], False))
        segments.append((snippet[match.start() : match.end()], True))
        last = match.end()
    if last < len(snippet):
        segments.append((snippet[last:], False))
    return Snippet(tuple(segments), leading=start > 0, trailing=start + width < len(text))
