"""Response headers for every page (a Content-Security-Policy and related hardening, ``Cache-Control:
private, no-store`` on whatever a signed-in user gets); every 403 logged.

Scripts load only from our own origin, never inline ('unsafe-inline' is absent
for scripts). 'unsafe-eval' stays because the admin theme's Alpine.js evaluates
its x-data expressions; styles allow inline style attributes, which the theme uses.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            from accounts.security import log_refusal

            log_refusal(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # A signed-in page or download (an attachment, an export) is the user's own: no shared cache
            # keeps it, and the browser keeps no copy after sign-out (the back button, a shared computer).
            patch_cache_control(response, private=True, no_store=True)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        return response
