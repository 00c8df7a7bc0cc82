"""Per-user API tokens: created and revoked by staff in the admin, shown once, stored as a digest."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The visible start of every token, so a leaked one is recognisable in logs and by secret scanners.
TOKEN_PREFIX = "ta_"
# A token's last use is written at most this often: a busy client would otherwise write a row per request.
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)


def digest(key: str) -> str:
    """SHA-256 of the whole token. Tokens are 256 random bits, so a fast digest is as safe as a slow
    password hash here, and it lets a request find its token by an indexed lookup."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )

    def visible_to(self, user) -> ApiTokenQuerySet:
        """Committee staff see every token; anyone else only their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_committee:
            return self
        return self.filter(user=user)


class ApiToken(models.Model):
    """A secret that lets another system call the API as one user (``Authorization: Bearer ta_…``).

    Only the digest is stored; the token itself is shown once, when staff create it in the admin.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=80, help_text=_("What the token is for, e.g. 区政府OA系统"))
    prefix = models.CharField(_("token starts with"), max_length=16, editable=False)
    key_digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def new_key(cls) -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    def set_key(self, key: str) -> None:
        self.prefix = key[: len(TOKEN_PREFIX) + 6]
        self.key_digest = digest(key)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    def touch(self) -> None:
        """Records a use, at most once a minute (a conditional update: no lock, no lost write)."""
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
