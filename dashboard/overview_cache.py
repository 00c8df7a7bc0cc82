"""The dashboard's overview, rendered once per change of the data behind it.

The overview (figures, charts, key proposals, most overdue) is the same for every
oversight user, and for every staff user of one unit, until something happens to a
proposal. Every change the workflow makes writes an ``Event`` (and refreshes the
counters right after its commit, or leaves a ``PendingRefresh`` row until it
does), so the newest event's id and the number of pending refreshes together say
whether anything the overview shows may have changed: one index-only query. A
rendered overview is kept in each web process under that version, the scope, the
session, the language and the day (overdue counts change at midnight), for a
minute at most: edits that write no event (a unit renamed in the admin) show
within the minute. Each process keeps at most ``MAX_ENTRIES`` overviews.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from django.db import connection

from dashboard.models import PendingRefresh
from proposals.models import Event

TIMEOUT = 60
MAX_ENTRIES = 64

_kept: OrderedDict[tuple, tuple[float, str]] = OrderedDict()
_lock = threading.Lock()


def data_version() -> tuple[int, int]:
    """(newest event id, pending counter refreshes): changes whenever the overview's data may have."""
    events, pending = Event._meta.db_table, PendingRefresh._meta.db_table
    with connection.cursor() as cursor:
        # Table names are the models' own; nothing of the request is in this statement.
        cursor.execute(f"SELECT (SELECT MAX(id) FROM {events}), (SELECT COUNT(*) FROM {pending})")  # nosec B608
        newest, waiting = cursor.fetchone()
    return (newest or 0, waiting or 0)


def get(key: tuple) -> str | None:
    now = time.monotonic()
    with _lock:
        kept = _kept.get(key)
        if kept is None:
            return None
        if kept[0] <= now:
            del _kept[key]
            return None
        _kept.move_to_end(key)
        return kept[1]


def put(key: tuple, html: str) -> None:
    with _lock:
        _kept[key] = (time.monotonic() + TIMEOUT, html)
        _kept.move_to_end(key)
        while len(_kept) > MAX_ENTRIES:
            _kept.popitem(last=False)


def clear() -> None:
    with _lock:
        _kept.clear()
