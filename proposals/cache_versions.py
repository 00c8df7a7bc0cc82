"""Versions of cached data, and the cached values computed from it, through the shared cache.

A cached value's key carries the version of every kind of data it was computed from
(``version("proposals")``); what changes that data bumps the version after its commit
(``changed("proposals")``, from ``record_event``), so no process serves the old value again:
the key it was stored under is never asked for any more, and it expires.

A version that is missing (a fresh or flushed cache, an evicted key) starts again at the
current time in milliseconds, never at a number used before, so a value kept under an old
version can never come back. The cache being down never fails a page: versions then read
as 0 and ``get_or_compute`` computes without the cache.

This module imports only Django, so that the lowest layer of the workflow can call ``bump``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)
T = TypeVar("T")

PROPOSALS = "proposals"  # proposals and everything hanging on them: bumped by every workflow event
REFERENCE = "reference"  # sessions, categories, units and reply categories: bumped when one is saved


def _key(name: str) -> str:
    return f"version:{name}"


def _fresh() -> int:
    return time.time_ns() // 1_000_000


def version(name: str) -> int:
    """The current version of ``name`` (made if missing)."""
    try:
        value = cache.get(_key(name))
        if value is None:
            cache.add(_key(name), _fresh(), timeout=None)
            value = cache.get(_key(name))
        return int(value or 0)
    except Exception:  # noqa: BLE001 - a cache that is down makes pages slower, never broken
        logger.warning("cache unavailable: reading version %s", name, exc_info=True)
        return 0


def bump(name: str) -> None:
    """Mark every value computed from ``name`` as out of date (call after the change commits)."""
    try:
        try:
            cache.incr(_key(name))
        except ValueError:  # missing: any fresh version is newer than what values were kept under
            cache.add(_key(name), _fresh(), timeout=None)
    except Exception:  # noqa: BLE001 - the change is committed; values expire by their timeout
        logger.warning("cache unavailable: bumping version %s", name, exc_info=True)


def bump_all(**_kwargs) -> None:
    """Mark every cached value as out of date (after ``migrate``: a new release may read them otherwise)."""
    for name in (PROPOSALS, REFERENCE):
        bump(name)


def changed(name: str) -> None:
    """Call in the transaction that changes ``name``'s data: bumps its version now and after the commit.

    The bump after the commit is the one that counts: a value computed while the transaction was
    open (from the data before it) was kept under the version in between, and is never read again.
    The bump now also covers callers without a commit to wait for (tests inside one transaction).
    """
    bump(name)
    transaction.on_commit(partial(bump, name))


def get_or_compute(key: str, compute: Callable[[], T], timeout: int) -> T:
    """The value kept under ``key``, else ``compute()`` kept there for ``timeout`` seconds."""
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001
        logger.warning("cache unavailable: reading %s", key, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable: keeping %s", key, exc_info=True)
    return value
