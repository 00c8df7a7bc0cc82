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

from django.db.models.signals import post_delete, post_save

from accounts.models import Unit
from proposals.models import Category, Session
from responses.models import ReplyCategory

TIMEOUT = 60
MODELS = {"sessions": Session, "categories": Category, "units": Unit, "reply_categories": ReplyCategory}


_kept: dict[str, tuple[float, list]] = {}
_lock = threading.Lock()


def rows(name: str) -> list:
    """All rows of one reference model, in the model's ordering (treat them as read-only)."""
    now = time.monotonic()
    kept = _kept.get(name)
    if kept is not None and kept[0] > now:
        return kept[1]
    found = list(MODELS[name].objects.all())
    with _lock:
        _kept[name] = (now + TIMEOUT, found)
    return found


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


def names(name: str, ids: set[int]) -> dict[int, str]:
    """Display names (a unit's short name) of these rows, by id; read again once if one is not kept yet."""
    found = {row.pk: _name(row) for row in rows(name)}
    if not ids <= found.keys():
        with _lock:
            _kept.pop(name, None)
        found = {row.pk: _name(row) for row in rows(name)}
    return found


def clear(*_args, **_kwargs) -> None:
    with _lock:
        _kept.clear()


for _model in MODELS.values():
    post_save.connect(clear, sender=_model, dispatch_uid=f"dashboard_reference_{_model.__name__}_saved")
    post_delete.connect(clear, sender=_model, dispatch_uid=f"dashboard_reference_{_model.__name__}_deleted")
