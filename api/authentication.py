"""``Authorization: Bearer ta_…``: a per-user API token, checked against its stored digest."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from accounts.security import log_refusal
from api.models import TOKEN_PREFIX, ApiToken, digest

SCHEMES = ("bearer", "token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Finds the token by its digest; revoked, expired and unknown tokens are refused alike (401)."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in SCHEMES:
            return None  # not ours: the session may still authenticate the request
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the word Bearer, separated by one space."))
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            key = ""
        token = None
        if key.startswith(TOKEN_PREFIX):
            token = ApiToken.objects.usable().select_related("user").filter(key_digest=digest(key)).first()
        if token is None:
            log_refusal(request._request, "api token refused")
            raise exceptions.AuthenticationFailed(_("The API token is not valid, has expired or was revoked."))
        token.touch()
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
