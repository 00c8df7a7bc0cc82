"""Celery tasks. They take primary keys, call the reminders module, and return quietly when a row is gone."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from responses import reminders


@shared_task(ignore_result=True)
def scan_reminders() -> int:
    """The one beat entry: insert what became due, then queue every unsent row."""
    from proposals.notifications import pending_emails
    from proposals.tasks import send_notification_email

    created = reminders.scan()
    reminders.sweep(publish=lambda pk: deliver_reminder.apply_async(args=[pk]))
    # Notification emails whose task was lost (dead broker at publish time, dead worker).
    for pk in pending_emails(older_than_seconds=settings.REMINDER_REQUEUE_SECONDS):
        send_notification_email.apply_async(args=[pk])
    return created


@shared_task(
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def deliver_reminder(reminder_id: int) -> bool:
    # A delivered or deleted row makes this a no-op, so a redelivered message is harmless.
    return reminders.deliver(reminder_id)
