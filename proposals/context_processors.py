"""Template context shared by every page of the member portal."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language_info

# Which main-navigation entry a page belongs to, by URL name.
NAV_SECTIONS = {
    "portal:home": "home",
    "portal:proposal_detail": "home",
    "portal:proposal_edit": "home",
    "portal:cosigners": "home",
    "portal:invitation": "home",
    "portal:feedback": "home",
    "portal:proposal_create": "new",
    "portal:notifications": "notifications",
    "login": "login",
}
# Whole namespaces that belong to one entry.
NAV_NAMESPACES = {"public": "public", "dashboard": "dashboard", "letters": "home"}


# The links of every page's header, footer and dashboard tabs, by the names the templates use.
SITE_URLS = {
    "home": "portal:home",
    "public": "public:index",
    "login": "login",
    "logout": "logout",
    "new_proposal": "portal:proposal_create",
    "notifications": "portal:notifications",
    "dashboard": "dashboard:index",
    "dashboard_proposals": "dashboard:proposals",
    "dashboard_assignments": "dashboard:assignments",
    "admin": "admin:index",
    "password_change": "password_change",
    "set_language": "set_language",
}


def site_urls() -> dict[str, str]:
    """``SITE_URLS`` reversed, by the names the templates use."""
    return {key: reverse(name) for key, name in SITE_URLS.items()}


def site_languages() -> list[tuple[str, str]]:
    """The footer's language buttons: each language's code and its name in itself (简体中文, English)."""
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


def nav_section(view_name: str) -> str:
    if view_name in NAV_SECTIONS:
        return NAV_SECTIONS[view_name]
    namespace = view_name.partition(":")[0] if ":" in view_name else ""
    return NAV_NAMESPACES.get(namespace, "")


def portal(request) -> dict:
    """The current navigation section and, for signed-in users, the unread notification count and the
    invitations to co-sign awaiting an answer.

    Two badges, not one sum: a notification is read and done with, an invitation waits for an answer
    (on 我的提案, where the badge sits) and stays counted until the member gives it.

    The authentication backend reads the count with the user (``accounts.security``); a page that
    changed it (the notifications page marks what it shows as read) drops that figure, and the count
    is then read again, lazily, only if the page shows it. Anonymous visitors get no count at all.
    """
    match = getattr(request, "resolver_match", None)
    context = {
        "nav_section": nav_section(match.view_name) if match else "",
        "urls": site_urls(),
        "site_languages": site_languages(),
    }
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context

    known = getattr(user, "pending_invitation_count", None)
    if known is not None:
        context["pending_invitation_count"] = known
    else:

        def invitations() -> int:
            from proposals.models import Proposer

            return Proposer.objects.filter(Proposer.awaiting_answer(), user=user).count()

        context["pending_invitation_count"] = SimpleLazyObject(invitations)

    known = getattr(user, "unread_notification_count", None)
    if known is not None:
        context["unread_notification_count"] = known
        return context

    def count() -> int:
        from proposals.models import Notification

        return Notification.objects.visible_to(user).unread().count()

    context["unread_notification_count"] = SimpleLazyObject(count)
    return context
