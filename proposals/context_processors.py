"""Template context shared by every page of the member portal."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def portal(request) -> dict:
    """The unread notification count for the header.

    Lazy, so pages that never show it (the admin uses the same processors)
    pay nothing, and pages that do pay exactly one COUNT query. Anonymous
    visitors get nothing at all.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from proposals.models import Notification

        return Notification.objects.visible_to(user).unread().count()

    return {"unread_notification_count": SimpleLazyObject(count)}
