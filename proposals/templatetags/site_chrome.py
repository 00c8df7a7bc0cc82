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

``kept_page`` does the same for a whole page whose every other part is either fixed per template or
built by the view for each request (the dashboard's lists: their filter bar, table and page links):
the page is drawn once per template, chrome key and the few values the view names, with stand-ins for
those parts, and each request then only fills them in, with the CSRF token and the page's address.
"""

from __future__ import annotations

import functools
import re
from html import escape
from pathlib import Path

from django import template
from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from proposals.context_processors import portal, site_languages, site_urls

register = template.Library()

# Stand-ins for the per-request parts while a partial renders; NUL never occurs in a template's own text.
# Constant markers, marked safe so that escaping leaves them whole for _drawn to find.
CSRF_SLOT = mark_safe("\x00csrf\x00")  # nosec B308, B703
NEXT_SLOT = mark_safe("\x00next\x00")  # nosec B308, B703
# While kept_page draws a page: the CSRF token's stand-in, and the flag that keeps NEXT_SLOT in the header.
TOKEN_SLOT = mark_safe("\x00token\x00")  # nosec B308, B703
DRAWING_PAGE = "_drawing_kept_page"
_PAGE_SLOTS = re.compile("\x00(token|next|slot:[a-z_]+)\x00")
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
    if context.get(DRAWING_PAGE):
        next_path = NEXT_SLOT  # kept_page puts in each request's own address
    else:
        next_path = escape(request.get_full_path()) if request is not None else ""
    # The kept HTML was escaped when drawn, the CSRF field is Django's own, and the path is escaped here.
    return mark_safe(html.replace(CSRF_SLOT, _CSRF_FIELD.render(context)).replace(NEXT_SLOT, next_path))  # nosec B308, B703


def kept_page(request, template_name: str, *, values: dict, slots: dict[str, str], status: int = 200) -> HttpResponse:
    """``render(request, template_name, {**values, **slots}, status=status)``, drawn once and kept.

    The template may depend only on what ``chrome_key`` covers, on ``values`` (a few hashable values,
    part of the key: whether a list has rows) and on ``slots`` (HTML the view built for this request,
    put in where the template shows it). A page with a message to show once is drawn in full.
    """
    if len(get_messages(request)):
        return render(request, template_name, {**values, **slots}, status=status)
    chrome = {"user": request.user, **portal(request)}
    key = (chrome_key(chrome), *sorted(values.items()))
    kept = _kept.setdefault(f"page:{template_name}", {})
    parts = kept.get(key)
    if parts is None:
        stand_ins = {name: mark_safe(f"\x00slot:{name}\x00") for name in slots}  # nosec B308, B703
        html = render_to_string(
            template_name, {**values, **stand_ins, "csrf_token": TOKEN_SLOT, DRAWING_PAGE: True}, request
        )
        parts = _PAGE_SLOTS.split(html)  # text, slot, text, slot, …, text
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[key] = parts
    filled = {"next": escape(request.get_full_path())}
    if "token" in parts[1::2]:
        filled["token"] = get_token(request)
    filled.update((f"slot:{name}", html) for name, html in slots.items())
    # The kept text was escaped when drawn; the slots are the view's own safe HTML, the path is escaped here.
    return HttpResponse("".join(filled[part] if i % 2 else part for i, part in enumerate(parts)), status=status)


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
