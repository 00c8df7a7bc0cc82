"""Throttling per token (a token's calls share one budget whoever holds it), else per user, else per address."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from accounts.security import client_ip
from api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{client_ip(request._request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
