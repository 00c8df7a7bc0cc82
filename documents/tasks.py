"""Celery tasks of the documents app: they take primary keys and return quietly when a row is gone."""

from __future__ import annotations

from celery import shared_task

from documents import services

# A compilation of a thousand proposals takes well under two minutes (docs/performance.md); past
# the soft limit the build ends as failed with a message rather than holding the worker.
SOFT_TIME_LIMIT = 15 * 60


@shared_task(
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=SOFT_TIME_LIMIT + 60,
)
def build_document(build_id: int) -> bool:
    # The build is claimed before the work: a redelivered message or a second worker does nothing,
    # and a build whose worker died is shown as stopped (services.check_stalled). No retries: the
    # error is recorded on the build and the clerk asks again.
    return services.run_build(build_id)


@shared_task(ignore_result=True)
def prune_builds() -> int:
    return services.prune_builds()
