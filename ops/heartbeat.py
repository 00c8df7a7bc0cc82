"""The worker's heartbeat: every WORKER_HEARTBEAT_SECONDS each Celery worker writes the time into its
WorkerHeartbeat row, from a timer in the worker's main process (a bootstep, registered in
config/celery.py), so it says the worker process is alive even while every pool process is busy."""

from __future__ import annotations

import datetime as dt
import logging

from celery import bootsteps
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)


def beat(hostname: str, now: dt.datetime | None = None) -> None:
    from ops.models import WorkerHeartbeat

    # Outside a transaction (always, in the worker's timer) the connection is fresh each time.
    own_connection = not connection.in_atomic_block
    if own_connection:
        close_old_connections()
    try:
        WorkerHeartbeat.objects.update_or_create(hostname=hostname[:200], defaults={"seen_at": now or timezone.now()})
    except DatabaseError as exc:
        # A database that is down shows on /healthz by itself; the timer must go on.
        logger.warning("worker heartbeat not written: %s", exc)
    finally:
        if own_connection:
            # The prefork pool forks from this process: no connection may be open across a fork.
            connection.close()


def newest_age(now: dt.datetime | None = None) -> float | None:
    """Seconds since any worker last wrote its heartbeat; None when none ever did."""
    from ops.models import WorkerHeartbeat

    seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if seen is None:
        return None
    return max(0.0, ((now or timezone.now()) - seen).total_seconds())


def worker_alive(now: dt.datetime | None = None) -> bool:
    age = newest_age(now)
    return age is not None and age <= settings.WORKER_HEARTBEAT_STALE_SECONDS


class Heartbeat(bootsteps.StartStopStep):
    """Writes the heartbeat at start and then every WORKER_HEARTBEAT_SECONDS from the worker's timer."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker) -> None:
        beat(worker.hostname)
        self.tref = worker.timer.call_repeatedly(settings.WORKER_HEARTBEAT_SECONDS, beat, (worker.hostname,))

    def stop(self, worker) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
