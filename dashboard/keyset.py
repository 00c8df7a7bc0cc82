"""Keyset pagination: a page is "the rows after (or before) this primary key", never an OFFSET.

An OFFSET makes the database read and drop every row before the page, so page
2,000 of a million rows costs two thousand pages' worth of reading. A keyset
page reads the index from the key on: the same cost at any depth, in one query
(one row more than the page, to know whether there is a next page). Rows are
newest first (primary key descending). There is no total count: counting a
million filtered rows costs as much as the deep OFFSET it replaces. ``n`` in the
URL only numbers the rows on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import QueryDict

PAGE_SIZE = 50
CURSOR_PARAMS = ("after", "before", "n")


def _positive_int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None


@dataclass
class KeysetPage:
    rows: list
    first: int  # the number of the first row on screen, from 1
    has_previous: bool
    has_next: bool
    base_query: str  # the filters, without the cursor
    next_query: str = field(default="")
    previous_query: str = field(default="")

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


def filter_query(params: QueryDict) -> QueryDict:
    """The request's parameters without the cursor: the filters, for exports and links."""
    query = params.copy()
    for name in CURSOR_PARAMS:
        query.pop(name, None)
    return query


def paginate(queryset: QuerySet, params: QueryDict, *, per_page: int = PAGE_SIZE) -> KeysetPage:
    """The page of ``queryset`` that ``params`` ask for (``after``/``before`` a key), in one query."""
    after, before = _positive_int(params.get("after")), _positive_int(params.get("before"))
    first = _positive_int(params.get("n")) or 1
    rows: list = []
    has_previous = has_next = False
    if before is not None:
        rows = list(queryset.filter(pk__gt=before).order_by("pk")[: per_page + 1])
        if len(rows) > per_page:
            rows = rows[:per_page][::-1]
            has_previous, has_next = True, True
            first = max(first - per_page, 2)
        else:
            rows = []  # back at the top: the first page below, whatever ``n`` said
            before = None
            after = None
    if before is None:
        ordered = queryset.order_by("-pk")
        if after is not None:
            ordered = ordered.filter(pk__lt=after)
        rows = list(ordered[: per_page + 1])
        has_next = len(rows) > per_page
        rows = rows[:per_page]
        has_previous = after is not None
        if after is None:
            first = 1
    base = filter_query(params)
    page = KeysetPage(rows=rows, first=first, has_previous=has_previous, has_next=has_next, base_query=base.urlencode())
    if rows and has_next:
        query = base.copy()
        query["after"], query["n"] = str(rows[-1].pk), str(first + len(rows))
        page.next_query = query.urlencode()
    if rows and has_previous:
        query = base.copy()
        query["before"], query["n"] = str(rows[0].pk), str(first)
        page.previous_query = query.urlencode()
    return page
