"""Single sign-on through the government's OpenID Connect provider (统一身份认证), with mozilla-django-oidc.

Configured only from the environment (README "Single sign-on"). What this module adds to the library:

- the ID token's audience and issuer are checked (the library checks signature, algorithm, expiry
  and nonce only), and the user info must describe the same subject as the ID token;
- claims map to an existing account only: first by the provider's stable subject, remembered in
  ExternalIdentity; on a first sign-in by login name or by verified email, as OIDC_MATCH_ON says,
  and then remembered. No account is ever created: roles are given by the committee, not by a
  provider;
- a failed or replayed callback ends on the sign-in page with a message instead of an error page;
- signing out also ends the session at the provider (RP-initiated logout with the ID token; the
  logout view in accounts/urls.py asks for ``provider_logout_url`` through OIDC_OP_LOGOUT_URL_METHOD).
"""

from __future__ import annotations

import logging
from functools import wraps
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import resolve_url
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from ops.models import ExternalIdentity

logger = logging.getLogger("security")


class Backend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError, KeyError, ValueError) as exc:
            # A malformed answer from the provider is a refused sign-in, not an error page.
            logger.warning("single sign-on refused: %s", exc)
            return None

    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("ID token signed with an unexpected algorithm")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                leeway=settings.OIDC_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "aud", "iss", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc.__class__.__name__}: {exc}") from exc

    def get_userinfo(self, access_token, id_token, payload):
        claims = super().get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("user info describes another subject than the ID token")
        return claims

    def verify_claims(self, claims):
        # The library insists on an email claim; matching by login name needs none, the subject always.
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims):
        issuer, subject = settings.OIDC_OP_ISSUER, claims.get("sub")
        if not subject:
            return []
        linked = ExternalIdentity.objects.filter(issuer=issuer, subject=subject).select_related("user").first()
        if linked is not None:
            return [linked.user] if linked.user.is_active else []
        candidates = self._first_sign_in_candidates(claims)
        if candidates is None:
            return []
        # An account already tied to another subject of this provider is not taken over by a look-alike.
        found = list(candidates.filter(is_active=True).exclude(external_identities__issuer=issuer)[:2])
        if len(found) != 1:
            logger.warning("single sign-on: no single account matches subject %s", subject)
            return []
        try:
            with transaction.atomic():
                ExternalIdentity.objects.create(user=found[0], issuer=issuer, subject=subject)
        except IntegrityError:
            # A parallel first sign-in linked it first; that link decides.
            return self.filter_users_by_claims(claims)
        logger.info("single sign-on: subject %s linked to account %s", subject, found[0].username)
        return found

    def _first_sign_in_candidates(self, claims):
        users = get_user_model().objects
        if settings.OIDC_MATCH_ON == "username":
            value = claims.get(settings.OIDC_USERNAME_CLAIM)
            return users.filter(username=value) if value else None
        if settings.OIDC_MATCH_ON == "email":
            email = claims.get("email")
            if not email or (settings.OIDC_REQUIRE_VERIFIED_EMAIL and claims.get("email_verified") is not True):
                return None
            return users.filter(email__iexact=email)
        return None

    def create_user(self, claims):
        # Also switched off by OIDC_CREATE_USER=False; kept here so no setting can turn it on.
        raise SuspiciousOperation("single sign-on never creates accounts")


class Callback(OIDCAuthenticationCallbackView):
    """The library's callback; a state that is unknown (replayed, or from another browser) ends in a
    failed sign-in rather than an error page."""

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            logger.warning("single sign-on callback refused: %s", exc)
            return self.login_failure()

    @property
    def failure_url(self):
        return resolve_url("login") + "?sso=failed"


def provider_logout_url(request) -> str:
    """Where signing out sends the browser: the provider's end-session endpoint, which comes back here."""
    back = request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL))
    id_token = request.session.get("oidc_id_token")
    if not settings.OIDC_OP_LOGOUT_ENDPOINT or not id_token:
        return back
    query = urlencode(
        {"id_token_hint": id_token, "post_logout_redirect_uri": back, "client_id": settings.OIDC_RP_CLIENT_ID}
    )
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}"


def only_when_enabled(view):
    """The sign-on addresses answer 404 while OIDC_ENABLED is off."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
