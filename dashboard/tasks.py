"""Celery task: the sweep for dashboard refreshes that did not run after their commit."""

from __future__ import annotations

from celery import shared_task

from dashboard import summary


@shared_task(acks_late=True, ignore_result=True)
def refresh_pending_counters() -> int:
    """Refresh the proposals still in PendingRefresh (schedule every few minutes with Celery beat)."""
    return summary.refresh_pending()
