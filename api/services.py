"""Issuing and revoking API tokens; both written to the security log."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from api.models import ApiToken

logger = logging.getLogger("security")


def issue_token(token: ApiToken, *, actor: User | None) -> str:
    """Saves the new ``token`` (user, name, expiry set by the caller) with a fresh secret, and returns the
    secret: the only time it exists outside the client, since only its digest is stored."""
    key = ApiToken.new_key()
    token.set_key(key)
    token.created_by = actor
    token.name = token.name.strip()
    with transaction.atomic():
        token.save()
    logger.info(
        "api token issued id=%s prefix=%s user=%s by=%s expires=%s",
        token.pk,
        token.prefix,
        token.user.get_username(),
        actor.get_username() if actor else "-",
        token.expires_at.isoformat() if token.expires_at else "never",
    )
    return key


def revoke_token(token: ApiToken, *, actor: User | None) -> bool:
    """Revokes ``token`` now; False when it was already revoked (a conditional update, so twice is harmless)."""
    now = timezone.now()
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if changed:
        token.revoked_at = now
        logger.info(
            "api token revoked id=%s prefix=%s user=%s by=%s",
            token.pk,
            token.prefix,
            token.user.get_username(),
            actor.get_username() if actor else "-",
        )
    return bool(changed)
