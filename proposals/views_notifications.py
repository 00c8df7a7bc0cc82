"""Notifications: what happened to my proposals (and, for staff, to their work), newest first.

The header shows the unread count (``proposals.context_processors.portal``);
opening this page marks the notifications it shows as read.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.security import is_safe_redirect
from proposals.models import Notification
from proposals.views_common import paginate


@login_required
def notifications(request):
    """The user's notifications, newest first; the ones shown are marked read by opening the page."""
    rows = Notification.objects.visible_to(request.user).select_related("proposal").order_by("-created_at", "-pk")
    page = paginate(request, rows)
    # Links are written by services, but only links into this site are rendered, whatever got stored.
    site = [urlsplit(settings.SITE_URL).netloc]
    for notification in page.object_list:
        url = notification.url
        notification.safe_url = url if is_safe_redirect(request, url, also_hosts=site) else ""
    unread_ids = [n.pk for n in page.object_list if n.read_at is None]
    # One transaction with the page: the ones shown are marked read only if the page could be drawn.
    with transaction.atomic():
        if unread_ids:
            Notification.objects.filter(pk__in=unread_ids, read_at__isnull=True).update(read_at=timezone.now())
            request.user.unread_notification_count = None  # read with the user, before these were marked
        return render(request, "proposals/notifications.html", {"page": page, "new_on_page": len(unread_ids)})


@login_required
@require_POST
def notifications_mark_all_read(request):
    Notification.objects.visible_to(request.user).unread().update(read_at=timezone.now())
    return redirect("portal:notifications")
