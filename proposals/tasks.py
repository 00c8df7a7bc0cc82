"""Celery tasks of the proposals app: they take primary keys and return quietly when a row is gone."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from proposals import notifications


@shared_task(
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_notification_email(notification_id: int) -> bool:
    # A sent or deleted row makes this a no-op, so a redelivered message is harmless.
    return notifications.send_email(notification_id)


@shared_task(
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=3,
)
def reindex_search(run_id: int) -> bool:
    # The run is claimed before the work: a redelivered message or a second worker does nothing.
    from proposals.search_index import run_reindex

    return run_reindex(run_id)
