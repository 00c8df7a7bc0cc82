"""Sign-in throttling and security logging (OWASP ASVS V6, V16).

* ``client_ip(request)``: the address of the person, not of a proxy. Only the
  ``TRUSTED_PROXY_COUNT`` proxies in front of the app are believed: their
  X-Forwarded-For entries are read from the right, so a client cannot choose its
  own address by sending the header (and so cannot reset its throttle).
* Failed sign-ins are rows; an account with ``LOGIN_FAILURE_LIMIT`` failures in
  ``LOGIN_LOCKOUT_SECONDS`` is refused until they age out, whatever address the
  attempts come from; one address with ``LOGIN_IP_FAILURE_LIMIT`` failures is
  refused too. The check sits in the authentication backend, so the site's
  login, the admin's login and any other caller of ``authenticate`` are covered.
* Every sign-in, failed sign-in and permission refusal is logged on the
  "security" logger with user, address and time.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

logger = logging.getLogger("security")


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    # The right-most ``trusted`` entries were written by our proxies; the one they saw is the client.
    return hops[-trusted] if len(hops) >= trusted else remote


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def lockout_message(request: HttpRequest | None, username: str) -> str | None:
    """Why sign-in is refused now, or None when it may be tried."""
    from accounts.models import FailedLogin

    recent = FailedLogin.objects.filter(at__gte=_window_start())
    if username and recent.filter(username__iexact=username).count() >= settings.LOGIN_FAILURE_LIMIT:
        minutes = settings.LOGIN_LOCKOUT_SECONDS // 60
        return _("Too many failed sign-ins for this account. Try again in %(minutes)d minutes.") % {"minutes": minutes}
    ip = client_ip(request)
    if ip and recent.filter(ip=ip).count() >= settings.LOGIN_IP_FAILURE_LIMIT:
        minutes = settings.LOGIN_LOCKOUT_SECONDS // 60
        return _("Too many failed sign-ins from this address. Try again in %(minutes)d minutes.") % {"minutes": minutes}
    return None


class ThrottledModelBackend(ModelBackend):
    """The stock backend, refusing accounts and addresses with too many recent failures."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self.get_user_model_username_field(), "")
        if lockout_message(request, username or ""):
            if request is not None:
                request.login_lockout = True
            # Stops the chain: Django reports a failed sign-in, and no password is checked.
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        """The signed-in user of a request, with the figures every page's header shows (unread notifications,
        ``unread_notification_count``; invitations to co-sign awaiting an answer, ``pending_invitation_count``)
        read in the same query: round trips fewer on every page."""
        from django.contrib.auth import get_user_model
        from django.db.models import Count, IntegerField, OuterRef, Subquery
        from django.db.models.functions import Coalesce

        model = get_user_model()
        # The notifications model, found through the user's ``notifications`` relation: accounts sits below
        # the app that defines notifications and does not import it.
        relation = model._meta.get_field("notifications")
        notifications = relation.related_model
        unread_rows = (
            notifications._base_manager.filter(**{relation.field.name: OuterRef("pk"), "read_at__isnull": True})
            .order_by()
            .values(relation.field.name)
            .annotate(n=Count("pk"))
            .values("n")
        )
        unread = Coalesce(Subquery(unread_rows, output_field=IntegerField()), 0)
        # Invitations to co-sign waiting for an answer, the other figure of the header (a badge of its own):
        # the rule is the proposer model's (``awaiting_answer``), found through the user's relation too.
        proposers = model._meta.get_field("proposer_roles").related_model
        waiting_rows = (
            proposers._base_manager.filter(proposers.awaiting_answer(), user=OuterRef("pk"))
            .order_by()
            .values("user")
            .annotate(n=Count("pk"))
            .values("n")
        )
        waiting = Coalesce(Subquery(waiting_rows, output_field=IntegerField()), 0)
        try:
            user = model._default_manager.annotate(
                unread_notification_count=unread, pending_invitation_count=waiting
            ).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    @staticmethod
    def get_user_model_username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


def record_failure(sender, credentials, request=None, **kwargs) -> None:
    from accounts.models import FailedLogin

    username = str(credentials.get("username", ""))[:150]
    ip = client_ip(request)
    locked = bool(getattr(request, "login_lockout", False))
    if not locked:
        FailedLogin.objects.create(username=username, ip=ip or None)
    logger.warning(
        "sign-in failed user=%r ip=%s at=%s%s",
        username,
        ip,
        timezone.now().isoformat(),
        " (locked out)" if locked else "",
    )


def record_success(sender, request, user, **kwargs) -> None:
    from accounts.models import FailedLogin

    FailedLogin.objects.filter(username__iexact=user.get_username()).delete()
    logger.info(
        "sign-in user=%s id=%s ip=%s at=%s",
        user.get_username(),
        user.pk,
        client_ip(request),
        timezone.now().isoformat(),
    )


def log_refusal(request: HttpRequest, reason: str = "") -> None:
    user = getattr(request, "user", None)
    name = user.get_username() if user is not None and user.is_authenticated else "anonymous"
    logger.warning(
        "permission refused user=%s ip=%s path=%s at=%s %s",
        name,
        client_ip(request),
        request.path,
        timezone.now().isoformat(),
        reason,
    )


def is_safe_redirect(request: HttpRequest, url: str, *, also_hosts: Iterable[str] = ()) -> bool:
    """Whether ``url`` points into this site (https only when the request came over https): the one check
    of a link or redirect target we did not write ourselves. ``also_hosts`` adds names the site is known
    by, such as ``SITE_URL``'s in links that emails and notifications carry."""
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host(), *also_hosts}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` field (POST, else GET) when it points into this site, else ``default``: the one check
    of a redirect target that came with the request."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_safe_redirect(request, target) else default
