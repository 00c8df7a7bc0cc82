"""Reference rows the dashboard pages need on every view (sessions, categories, units, reply categories).

They are a few dozen rows that change a few times a year, so each web process
keeps them for a minute in memory (a plain dict: no pickling, unlike Django's
local-memory cache) instead of asking the database on every page. A save or
delete of one of them clears the copy at once in the process that made it; the
other processes follow within the minute.
"""

from __future__ import annotations

import threading
import time
from html import escape
from typing import NamedTuple

from django.db.models.signals import post_delete, post_save

from accounts.models import Unit
from proposals.models import Category, Session
from responses.models import ReplyCategory

TIMEOUT = 60
MODELS = {"sessions": Session, "categories": Category, "units": Unit, "reply_categories": ReplyCategory}


class _Kept(NamedTuple):
    until: float  # time.monotonic() when they are read again
    rows: list
    names: dict[int, str]  # display names by id
    html: dict[int, str]  # the same, escaped for HTML


_kept: dict[str, _Kept] = {}
_lock = threading.Lock()
_version = 0  # counts the readings and clearings: what was drawn from older rows is out of date


def _read(name: str) -> _Kept:
    global _version
    now = time.monotonic()
    kept = _kept.get(name)
    if kept is not None and kept.until > now:
        return kept
    found = list(MODELS[name].objects.all())
    names = {row.pk: _name(row) for row in found}
    kept = _Kept(now + TIMEOUT, found, names, {pk: escape(name) for pk, name in names.items()})
    with _lock:
        _kept[name] = kept
        _version += 1
    return kept


def rows(name: str) -> list:
    """All rows of one reference model, in the model's ordering (treat them as read-only)."""
    return _read(name).rows


def sessions() -> list[Session]:
    return rows("sessions")


def categories() -> list[Category]:
    return rows("categories")


def units() -> list[Unit]:
    return rows("units")


def reply_categories() -> list[ReplyCategory]:
    return rows("reply_categories")


def _name(row) -> str:
    return getattr(row, "short_name", "") or row.name


def names(name: str, ids: set[int], *, html: bool = False) -> dict[int, str]:
    """Display names (a unit's short name) of these rows, by id, escaped for HTML if asked; read
    again once if one is not kept yet. The whole kept mapping is returned (treat it as read-only);
    ``ids`` only says which must be in it."""
    kept = _read(name)
    if not ids <= kept.names.keys():
        with _lock:
            _kept.pop(name, None)
        kept = _read(name)
    return kept.html if html else kept.names


def version(*which: str) -> int:
    """A number that changes whenever any kept rows are read again or cleared, after those of ``which``
    are made current: what a page draws from these rows may be kept under it."""
    for name in which:
        _read(name)
    return _version


def clear(*_args, **_kwargs) -> None:
    global _version
    with _lock:
        _kept.clear()
        _version += 1


for _model in MODELS.values():
    post_save.connect(clear, sender=_model, dispatch_uid=f"dashboard_reference_{_model.__name__}_saved")
    post_delete.connect(clear, sender=_model, dispatch_uid=f"dashboard_reference_{_model.__name__}_deleted")
