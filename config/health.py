"""/healthz: the state of the database, the broker, the mail relay and the workers, as JSON.

Each component is ``ok`` or ``degraded``; nothing names a version or a product. The answer is 503
only when the database is unreachable (the app cannot serve without it); without the broker, the
mail relay or a live worker it still serves pages, and reminders catch up when they are back.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ops.heartbeat import worker_alive

logger = logging.getLogger(__name__)
OK, DEGRADED = "ok", "degraded"


def _database_ok() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True


def _broker_ok() -> bool:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=0, timeout=1)  # no retry loop: /healthz answers at once
    return True


def _mail_ok() -> bool:
    """Degraded once reminder emails have failed for REMINDER_MAIL_ALERT_SECONDS, or when the relay does
    not answer now. The connection is opened with the site's own backend and credentials and closed;
    the console, file and memory backends open nothing."""
    from responses.reminder_delivery import mail_failing_since

    if mail_failing_since() is not None:
        return False
    mail = get_connection(fail_silently=False, timeout=min(settings.EMAIL_TIMEOUT, 3))
    mail.open()
    mail.close()
    return True


def _worker_ok() -> bool:
    return worker_alive()


def component_states() -> dict[str, str]:
    """``ok`` or ``degraded`` for each component: the one place that decides what /healthz reports."""
    checks = {"database": _database_ok, "broker": _broker_ok, "mail": _mail_ok, "worker": _worker_ok}
    states = {}
    for name, check in checks.items():
        try:
            healthy = check()
        except Exception as exc:  # noqa: BLE001 - any failure means degraded; logged, never shown
            logger.warning("health check %s failed: %s", name, exc.__class__.__name__)
            healthy = False
        states[name] = OK if healthy else DEGRADED
    return states


@never_cache
@require_GET
def healthz(request):
    states = component_states()
    database_up = states["database"] == OK
    if not database_up:
        overall = "down"
    else:
        overall = OK if all(state == OK for state in states.values()) else DEGRADED
    return JsonResponse({"status": overall, **states}, status=200 if database_up else 503)
