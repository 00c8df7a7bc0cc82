"""In-app notifications with an email copy sent after commit.

Text is built by the caller; ``notify`` renders lazy strings in the site's
default language, since the recipient is not the person whose request is
being served.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone, translation

from proposals.models import Notification, Proposal

logger = logging.getLogger(__name__)


def site_language() -> translation.override:
    """Context manager for text stored for, or sent to, someone else."""
    return translation.override(settings.LANGUAGE_CODE)


def notify(
    users: Iterable,
    *,
    title: str,
    body: str = "",
    url: str = "",
    proposal: Proposal | None = None,
    email: bool = True,
) -> list[Notification]:
    """One unread ``Notification`` per distinct user; an email to each after the transaction commits."""
    recipients = list({user.pk: user for user in users if user is not None and user.is_active}.values())
    if not recipients:
        return []
    with site_language():
        title, body = str(title)[:200], str(body)
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user=user, proposal=proposal, title=title, body=body, url=url, email_pending=email and bool(user.email)
            )
            for user in recipients
        ]
    )
    pending = [row.pk for row in rows if row.email_pending]
    if pending:
        # After commit: a rolled-back step must not have told anyone anything. The email is an
        # outbox row: a worker sends it; if the broker is down, the reminder sweep sends it later.
        transaction.on_commit(partial(queue_emails, pending))
    return rows


def queue_emails(notification_ids: list[int]) -> None:
    from proposals.tasks import send_notification_email

    for pk in notification_ids:
        try:
            send_notification_email.apply_async(args=[pk])
        except Exception as exc:  # noqa: BLE001 - a dead broker must not fail the user's request
            logger.warning("email for notification %s not queued (%s); the sweep will send it", pk, exc)
            return


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
