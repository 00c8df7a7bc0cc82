"""Keeping the stored search words current after the dictionary changes.

Matching does not depend on the dictionary (a query piece is found through its grams, see
``proposals.search_text``), so an edit never makes a proposal disappear from results; the stored
words section does (it ranks whole words and feeds the similar-proposal measure), so a change asks
for a re-indexing in the background: a ``SearchIndexRun`` row, published to Celery after commit.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from proposals.models import Proposal, SearchIndexRun
from proposals.search_text import document_words, forget_dictionary

logger = logging.getLogger(__name__)
BATCH = 1000


def request_reindex(reason: str) -> SearchIndexRun:
    """Ask for a re-indexing; one still waiting to start covers this change too."""
    waiting = SearchIndexRun.objects.filter(started_at__isnull=True).order_by("pk").first()
    if waiting is not None:
        return waiting
    run = SearchIndexRun.objects.create(reason=reason[:200])
    transaction.on_commit(partial(_publish, run.pk))
    return run


def _publish(run_id: int) -> None:
    from proposals.tasks import reindex_search

    try:
        reindex_search.apply_async(args=[run_id])
    except Exception as exc:  # noqa: BLE001 - a dead broker must not fail the admin's save
        logger.warning("search re-indexing %s not queued (%s); run manage.py reindex_search", run_id, exc)


def reindex(*, batch: int = BATCH) -> int:
    """Segment every proposal again with the current dictionary; returns how many were written."""
    forget_dictionary()
    done, rows = 0, []
    fields = ("pk", "number", "title", "background", "suggestions", "search_text")
    for proposal in Proposal.objects.only(*fields).order_by("pk").iterator(chunk_size=batch):
        stored = document_words(proposal.number, proposal.title, proposal.background, proposal.suggestions)
        if stored == proposal.search_text:
            continue
        proposal.search_text = stored
        rows.append(proposal)
        if len(rows) >= batch:
            done += Proposal.objects.bulk_update(rows, ["search_text"])
            rows = []
    if rows:
        done += Proposal.objects.bulk_update(rows, ["search_text"])
    return done


def run_reindex(run_id: int) -> bool:
    """Claim the run (a second worker or a redelivery finds it taken), re-index, record the end."""
    claimed = SearchIndexRun.objects.filter(pk=run_id, started_at__isnull=True).update(started_at=timezone.now())
    if not claimed:
        return False
    try:
        count = reindex()
    except Exception:
        # Given back, so the task's retry (or the command) can claim it again.
        SearchIndexRun.objects.filter(pk=run_id).update(started_at=None)
        raise
    SearchIndexRun.objects.filter(pk=run_id).update(finished_at=timezone.now(), proposals=count)
    return True


def dictionary_changed(sender, instance, **kwargs) -> None:
    """Signal receiver for saved and deleted ``SearchTerm`` rows, however they were changed."""
    request_reindex(instance.word)


def last_run() -> SearchIndexRun | None:
    return SearchIndexRun.objects.order_by("-requested_at", "-pk").first()
