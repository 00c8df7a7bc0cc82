"""A database busy with other writers answers "系统繁忙，请稍后重试" with what the user typed, never a 500.

SQLite transactions begin IMMEDIATE with a busy timeout (config/settings.py), so a write waits its
turn; only a wait longer than the timeout ends here. PostgreSQL's lock timeouts, deadlocks and
serialization failures are the same kind of "try again". The view's transaction has rolled back
by then, so nothing was half-saved; the page keeps every text field of the form, ready to send again.
"""

from __future__ import annotations

import logging

from django.db import OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)

# lock_not_available, deadlock_detected, serialization_failure
_PG_RETRYABLE = {"55P03", "40P01", "40001"}


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` says the database was too busy (locked), as opposed to broken."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if getattr(cause, "pgcode", None) in _PG_RETRYABLE:
        return True
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text


class DatabaseBusyMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy(exception):
            return None
        logger.warning("database busy on %s %s: %s", request.method, request.path, exception)
        fields = [
            (name, value) for name, values in request.POST.lists() if name != "csrfmiddlewaretoken" for value in values
        ]
        response = render(
            request,
            "errors/busy.html",
            {"fields": fields, "action": request.get_full_path(), "had_files": bool(request.FILES)},
            status=503,
        )
        response["Retry-After"] = "5"
        return response
