"""Errors as RFC 9457 problem details (``application/problem+json``), with translated messages.

Every refusal the API gives goes through ``problem_handler``: DRF's own exceptions
(bad input with its field errors, authentication, permission, throttling, unknown
objects), the services' ``WorkflowError`` (a step refused in the object's present
state) and ``PermissionDenied``, and ``ReplyConflict`` (a stale version: 409 with
the version saved now).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from proposals.workflow import ReplyConflict, WorkflowError

PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: lambda: _("The request is not valid"),
    401: lambda: _("Sign-in required"),
    403: lambda: _("Not allowed"),
    404: lambda: _("Not found"),
    405: lambda: _("Method not allowed"),
    406: lambda: _("Not acceptable"),
    409: lambda: _("Conflict"),
    415: lambda: _("Unsupported media type"),
    429: lambda: _("Too many requests"),
}


def problem(status_code: int, detail: str, *, kind: str = "", **extra) -> Response:
    title = TITLES.get(status_code, lambda: _("Error"))()
    body = {"type": f"about:blank#{kind}" if kind else "about:blank", "title": title, "status": status_code}
    body["detail"] = str(detail)
    body.update(extra)
    return Response(body, status=status_code, content_type=PROBLEM_JSON)


def _field_errors(detail) -> dict[str, list[str]]:
    """DRF's nested error detail flattened to ``{"field": [messages]}`` (``field.sub`` for nested ones)."""
    errors: dict[str, list[str]] = {}

    def walk(value, path: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                if isinstance(inner, dict | list):
                    walk(inner, f"{path}.{index}" if path else str(index))
                else:
                    errors.setdefault(path or "non_field_errors", []).append(str(inner))
        else:
            errors.setdefault(path or "non_field_errors", []).append(str(value))

    walk(detail, "")
    return errors


def problem_handler(exc, context) -> Response | None:
    if isinstance(exc, ReplyConflict):
        set_rollback()
        return problem(
            status.HTTP_409_CONFLICT,
            exc.message,
            kind="stale-version",
            current_version=exc.version,
            current=exc.current,
        )
    if isinstance(exc, WorkflowError):
        set_rollback()
        return problem(status.HTTP_409_CONFLICT, exc.message, kind="workflow")
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is None:
        return None
    headers = {name: value for name, value in response.items() if name in ("WWW-Authenticate", "Retry-After", "Allow")}
    if isinstance(exc, exceptions.ValidationError):
        result = problem(
            400, _("Correct the fields named in “errors”."), kind="invalid", errors=_field_errors(exc.detail)
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        if isinstance(detail, dict | list):
            detail = "; ".join(message for messages in _field_errors(detail).values() for message in messages)
        result = problem(response.status_code, detail, kind=getattr(exc, "default_code", ""))
    for name, value in headers.items():
        result[name] = value
    return result
