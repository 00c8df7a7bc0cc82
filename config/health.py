"""/healthz: database, broker and mail status as JSON, for load balancers and monitoring."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported as text
        return False, exc.__class__.__name__
    return True, connection.vendor


def _broker_ok() -> tuple[bool, str]:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=1)
    except Exception as exc:  # noqa: BLE001
        return False, exc.__class__.__name__
    return True, settings.CELERY_BROKER_URL.split(":", 1)[0]


def _mail_ok() -> tuple[bool, str]:
    """Not ok once reminder emails have failed for REMINDER_MAIL_ALERT_SECONDS (no SMTP probe here)."""
    from responses.reminder_delivery import mail_failing_since

    try:
        since = mail_failing_since()
    except Exception as exc:  # noqa: BLE001 - the database check reports the cause
        return False, exc.__class__.__name__
    if since is None:
        return True, "ok"
    return False, f"failing since {since.isoformat()}"


@never_cache
@require_GET
def healthz(request):
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    mail_ok, mail_detail = _mail_ok() if db_ok else (False, "database down")
    body = {
        "status": "ok" if db_ok and broker_ok and mail_ok else ("degraded" if db_ok else "down"),
        "database": {"ok": db_ok, "detail": db_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
        "mail": {"ok": mail_ok, "detail": mail_detail},
    }
    # The app can serve without the broker or mail (reminders catch up later), not without the database.
    return JsonResponse(body, status=200 if db_ok else 503)
