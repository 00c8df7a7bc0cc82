"""``colour|badge_variant:variant``: the admin badge's unfold variant for a colour name of the choices
modules (``accounts.badges.BADGE_VARIANTS``, the one map), else the variant given."""

from __future__ import annotations

from django import template

from accounts.badges import BADGE_VARIANTS

register = template.Library()


@register.filter
def badge_variant(colour, variant="") -> str:
    return BADGE_VARIANTS.get(colour or "") or variant or "default"
