"""Celery tasks. They take primary keys, call the reminders modules, and return quietly when a row is gone."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from responses import reminder_delivery, reminders


@shared_task(ignore_result=True)
def scan_reminders() -> int:
    """The one beat entry (on the "scheduled" queue): insert what became due, then queue every unsent row."""
    from proposals.notifications import pending_emails
    from proposals.tasks import send_notification_email

    created = reminders.scan()
    reminder_delivery.sweep(publish=lambda pks: deliver_reminders.apply_async(args=[pks]))
    # Notification emails whose task was lost (dead broker at publish time, dead worker).
    for pk in pending_emails(older_than_seconds=settings.REMINDER_REQUEUE_SECONDS):
        send_notification_email.apply_async(args=[pk])
    return created


_DELIVERY = {
    "ignore_result": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 5,
}


@shared_task(**_DELIVERY)
def deliver_reminders(reminder_ids: list[int]) -> int:
    # Sent, claimed or deleted rows are skipped, so a redelivered or retried message is harmless.
    return reminder_delivery.deliver_many(reminder_ids)


@shared_task(**_DELIVERY)
def deliver_reminder(reminder_id: int) -> bool:
    # One reminder (the committee's manual 催办), delivered as soon as it is written.
    return reminder_delivery.deliver(reminder_id)
