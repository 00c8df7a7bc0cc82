"""The header and footer of every page, drawn once per user, language and section rather than once per request.

They were most of base.html's cost (two dozen translated words, the user's name and role, a dozen
links; the layout took 0.8–1.2 ms to render before, 0.3–0.6 ms since: docs/performance.md) and they
are the same on every page a user sees in one section. ``site_header`` and ``site_footer`` render
their partial templates (``_site_header.html``, ``_site_footer.html``) from exactly the values they
depend on (``chrome_key``, ``chrome_values``), keep the HTML per process under those values, and
then put in the two parts that differ per request: the CSRF field of the sign-out and language forms, and the page's own
address for the language switch. A change of any value (a renamed user, one more unread
notification, another language or section) is another key, so a kept header is never out of date.
The partials see only those values: a variable added to them without a key renders empty in the
tests instead of going stale.
"""

from __future__ import annotations

import functools
from html import escape
from pathlib import Path

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from proposals.context_processors import site_languages, site_urls

register = template.Library()

# Stand-ins for the per-request parts while a partial renders; NUL never occurs in a template's own text.
# Constant markers, marked safe so that escaping leaves them whole for _drawn to find.
CSRF_SLOT = mark_safe("\x00csrf\x00")  # nosec B308, B703
NEXT_SLOT = mark_safe("\x00next\x00")  # nosec B308, B703
MAX_KEPT = 2048  # entries per partial and process (a few KB each); all dropped when full
_kept: dict[str, dict[tuple, str]] = {}


def chrome_key(context) -> tuple:
    """What the header and footer depend on, cheaply read: the language, section, user and unread count."""
    user = context.get("user")
    if user is not None and user.is_authenticated:
        # The name as shown and the fields the role's label and links come from.
        person = (user.pk, user.display_name, user.role, user.is_superuser)
        unread = int(context.get("unread_notification_count") or 0)
    else:
        person, unread = None, 0
    return (get_language(), get_script_prefix(), context.get("nav_section", ""), person, unread)


def chrome_values(context) -> dict:
    """The partials' whole context: the values ``chrome_key`` stands for, in the forms the partials show."""
    user = context.get("user")
    values = {
        "LANGUAGE_CODE": get_language(),
        "nav_section": context.get("nav_section", ""),
        "urls": site_urls(),
        "site_languages": site_languages(),
        "csrf_slot": CSRF_SLOT,
        "next_slot": NEXT_SLOT,
        "user": {"is_authenticated": False},
    }
    if user is not None and user.is_authenticated:
        values["user"] = {
            "is_authenticated": True,
            "display_name": user.display_name,
            "get_role_display": user.get_role_display(),
            "has_staff_role": user.has_staff_role,
            "is_member": user.is_member,
        }
        values["unread_notification_count"] = int(context.get("unread_notification_count") or 0)
    return values


_CSRF_FIELD = CsrfTokenNode()  # {% csrf_token %}'s own node: the hidden field, or nothing without a token


def _drawn(name: str, context) -> SafeString:
    key = chrome_key(context)
    kept = _kept.setdefault(name, {})
    html = kept.get(key)
    if html is None:
        html = get_template(name).render(chrome_values(context))
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[key] = html
    request = context.get("request")
    next_path = escape(request.get_full_path()) if request is not None else ""
    # The kept HTML was escaped when drawn, the CSRF field is Django's own, and the path is escaped here.
    return mark_safe(html.replace(CSRF_SLOT, _CSRF_FIELD.render(context)).replace(NEXT_SLOT, next_path))  # nosec B308, B703


@receiver(file_changed)
def _forget_drawn(*, file_path, **kwargs) -> None:
    """The development server reloads edited templates without restarting: drop what was drawn from them."""
    if Path(file_path).suffix == ".html":
        _kept.clear()


@functools.lru_cache(maxsize=256)
def _asset_url(path: str) -> str:
    return static(path)


@receiver(setting_changed)
def _forget_asset_urls(*, setting: str, **kwargs) -> None:
    if setting in {"STATIC_URL", "STORAGES"}:
        _asset_url.cache_clear()


@register.simple_tag
def asset(path: str) -> str:
    """``{% static %}`` looked up once per process: the manifest's names do not change while it runs."""
    return _asset_url(path)


@register.simple_tag(takes_context=True)
def site_header(context) -> SafeString:
    return _drawn("_site_header.html", context)


@register.simple_tag(takes_context=True)
def site_footer(context) -> SafeString:
    return _drawn("_site_footer.html", context)
