"""Who may open the dashboard pages: every staff role (scoped by ``visible_to``); members get 403. The
annual report, a whole session's figures, is for committee staff and leaders only."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.choices import UNIT_ROLES


def staff_only(view):
    """Anonymous visitors go to the login page; signed-in users without a staff role get 403.

    What each staff role sees is decided by the models' ``visible_to`` methods:
    leadership and committee staff everything, unit staff their own unit's work.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.has_staff_role:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def scope_unit_id(user) -> int | None:
    """The unit a user's dashboard is limited to, or None for the whole committee."""
    return user.unit_id if user.is_unit_staff and not user.is_oversight else None


def scope_key(user) -> str:
    """What ``visible_to`` shows ``user``, as part of a cache key: users with the same key see the same rows.

    Follows ``Proposal.objects.visible_to`` and ``Assignment.objects.visible_to``: oversight users
    (a superuser whatever his role, committee staff, leaders) see everything, unit staff their
    unit's work; anyone else is keyed by himself.
    """
    if user.is_oversight:
        return "all"
    if user.role in UNIT_ROLES:
        return f"unit-{user.unit_id}"
    return f"user-{user.pk}"


def oversight_only(view):
    """Committee staff and leaders (the whole committee's figures); anonymous visitors go to the login
    page, anyone else signed in gets 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_oversight:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)
