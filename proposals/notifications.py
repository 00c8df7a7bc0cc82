"""The email copies of in-app notifications: sent by a worker, or by the sweep when one was lost.

``proposals.workflow.notify`` writes the notifications and queues their emails
after commit; this module sends them.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from proposals.models import Notification

# The language of text written for someone else is the workflow's; the letters import it from here too.
from proposals.workflow import site_language as site_language


def email_text(notification: Notification) -> str:
    body, url = notification.body, notification.url
    if not url:
        return body
    link = url if url.startswith(("http://", "https://")) else f"{settings.SITE_URL}{url}"
    return f"{body}\n\n{link}" if body else link


def send_email(pk: int) -> bool:
    """Send one notification's email if still pending; True when this call sent it.

    The row is claimed first (SKIP LOCKED on PostgreSQL; SQLite's write lock otherwise)
    and marked sent in the same transaction, like reminders.
    """
    with transaction.atomic():
        pending = Notification.objects.filter(pk=pk, email_pending=True)
        if connection.features.has_select_for_update_skip_locked:
            row = pending.select_for_update(skip_locked=True).select_related("user").first()
        else:
            # This write takes SQLite's write lock until commit: a second worker waits, then finds it sent.
            row = pending.select_related("user").first() if pending.update(email_pending=True) else None
        if row is None:
            return False
        if row.user.email:
            # One message per person: recipients must not see each other's addresses.
            send_mail(row.title, email_text(row), None, [row.user.email], fail_silently=False)
        Notification.objects.filter(pk=pk).update(email_pending=False, emailed_at=timezone.now())
    return True


def pending_emails(older_than_seconds: int, limit: int = 500) -> list[int]:
    """Emails still waiting after a while: their task was lost or failed."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Notification.objects.filter(email_pending=True, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
