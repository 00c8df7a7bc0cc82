"""Delivering reminder rows (DESIGN.md section 5, steps 3 and 4): in-app at once, email once.

A delivery runs in three steps, so that a crash at any instant either repeats
nothing or, in one short window, repeats only the email, and never loses it:

1. one transaction claims the row for a lease (``claimed_until``), writes the
   in-app notifications and the timeline event if they were not written before
   (``notified_at``), and commits;
2. the email goes out over an SMTP connection opened beforehand;
3. the moment the server has accepted it, the sent mark is committed, and only
   then is the connection closed (on PostgreSQL the mark is written just before
   the send in a transaction that the 250 lets commit; on SQLite it follows).

Only a crash between the server's "250 OK" and that UPDATE's commit sends a
second copy; it carries the same Message-ID (``message_id``), so mail systems
see one message. A failed send keeps the row for a retry with capped backoff:
there is no last attempt. ``sweep()`` hands rows to workers again when a lease
ran out, a publish was lost or a retry time came.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from accounts.models import User
from proposals.choices import EventVerb
from proposals.models import Event, Notification
from responses.models import Reminder
from responses.reminders import compose

logger = logging.getLogger(__name__)


def requeue_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.REMINDER_REQUEUE_SECONDS)


def retry_delay(attempts: int) -> dt.timedelta:
    """2, 4, 8 ... minutes after the n-th failure, capped, so that a long outage ends with a send soon after."""
    minutes = 2 ** min(attempts, 16)
    return min(dt.timedelta(minutes=minutes), dt.timedelta(seconds=settings.REMINDER_RETRY_MAX_SECONDS))


def _free(now: dt.datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def sweep(publish: Callable[[list[int]], None] | None, now: dt.datetime | None = None, limit: int = 5000) -> list[int]:
    """Queue unsent rows that were never queued or queued long ago, whose lease and retry time are over.

    Rows go out in batches of ``REMINDER_BATCH_SIZE`` (one task each). With
    ``publish=None`` the ids are returned for the caller to deliver in-process.
    """
    now = now or timezone.now()
    rows = list(
        Reminder.objects.unsent()
        .filter(_free(now))
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - requeue_after()))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    if publish is None:
        return rows
    queued: list[int] = []
    size = max(1, settings.REMINDER_BATCH_SIZE)
    for start in range(0, len(rows), size):
        batch = rows[start : start + size]
        try:
            publish(batch)
        except Exception as exc:  # noqa: BLE001 - a dead broker: the next sweep tries again
            logger.warning("could not queue %d reminders: %s", len(batch), exc)
            break
        Reminder.objects.filter(pk__in=batch).update(queued_at=now)
        queued.extend(batch)
    return queued


def message_id(reminder: Reminder) -> str:
    """The same Message-ID for every copy of one reminder's email, so a rare second copy is one message."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<reminder-{reminder.pk}.{reminder.kind}.{reminder.stage}@{domain}>"


def _claim(pk: int, now: dt.datetime) -> Reminder | None:
    """Take an unsent row whose lease is free, for ``REMINDER_LEASE_SECONDS``; None when it is not to be had."""
    lease = now + dt.timedelta(seconds=settings.REMINDER_LEASE_SECONDS)
    free = Reminder.objects.unsent().filter(_free(now), pk=pk)
    if connection.features.has_select_for_update_skip_locked:
        # Another worker inside its claim holds the row lock: skip rather than wait for it.
        if free.select_for_update(skip_locked=True).first() is None:
            return None
    # The conditional update is the claim itself (on SQLite the write lock orders two claimers;
    # the second then finds the lease taken and changes nothing).
    if not free.update(claimed_until=lease):
        return None
    return Reminder.objects.select_related("proposal", "assignment__unit").get(pk=pk)


def _prepare(pk: int, now: dt.datetime) -> tuple[Reminder, EmailMessage | None] | None:
    """Step 1: claim, write what the app shows (once), commit; the email to send, if anyone has an address."""
    with transaction.atomic():
        reminder = _claim(pk, now)
        if reminder is None:
            return None
        recipients = list(User.objects.filter(pk__in=reminder.recipients, is_active=True))
        with translation.override(settings.LANGUAGE_CODE):
            subject, body, url = compose(reminder, timezone.localdate(now))
        if reminder.notified_at is None:
            # In-app first, whatever the mail server does, and exactly once: notified_at is
            # committed with the notifications, so a retried delivery skips this.
            Notification.objects.bulk_create(
                [
                    Notification(user=u, proposal_id=reminder.proposal_id, title=subject, body=body, url=url)
                    for u in recipients
                ]
            )
            Event.objects.create(
                proposal_id=reminder.proposal_id,
                actor=reminder.created_by,
                verb=EventVerb.REMINDER_SENT,
                object_type="reminder",
                object_id=reminder.pk,
                note=subject,
                data={"kind": reminder.kind, "stage": reminder.stage, "recipients": reminder.recipients},
                created_at=now,
            )
            Reminder.objects.filter(pk=pk).update(notified_at=now)
        addresses = [u.email for u in recipients if u.email]
        if not addresses:
            _mark_sent(pk, now)
            return reminder, None
        message = EmailMessage(
            subject,
            f"{body}\n\n{settings.SITE_URL}{url}\n",
            to=addresses,
            headers={"Message-ID": message_id(reminder)},
        )
    return reminder, message


def _write_sent_mark(pk: int, now: dt.datetime) -> None:
    """The sent mark, inside the caller's transaction."""
    if connection.vendor == "postgresql":
        # This commit is the crash window: without waiting for the WAL flush it takes a tenth of
        # the time. A database *server* crash in the next fraction of a second could forget the
        # mark; the reminder would then go out again with the same Message-ID, never be lost.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    Reminder.objects.filter(pk=pk).update(
        sent_at=now, claimed_until=None, attempts=F("attempts") + 1, last_error="", failing_since=None
    )


def _mark_sent(pk: int, now: dt.datetime) -> None:
    with transaction.atomic():
        _write_sent_mark(pk, now)


def _record_failure(reminder: Reminder, now: dt.datetime, exc: BaseException) -> None:
    attempts = reminder.attempts + 1
    Reminder.objects.filter(pk=reminder.pk).update(
        attempts=attempts,
        last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
        next_attempt_at=now + retry_delay(attempts),
        queued_at=None,
        claimed_until=None,
        failing_since=Coalesce(F("failing_since"), now),
    )
    logger.warning("reminder %s: email failed (attempt %d): %s", reminder.pk, attempts, exc)


def _close(mail_connection) -> None:
    try:
        mail_connection.close()
    except Exception as exc:  # noqa: BLE001 - every message on it was already accepted and marked
        logger.info("closing the mail connection failed: %s", exc)


class Courier:
    """Delivers reminders one after another over one SMTP connection.

    After a send fails, the rest of the batch still gets its in-app
    notifications but no new connection attempt: the mail server is down, and
    each attempt could cost the whole connect timeout.
    """

    def __init__(self) -> None:
        self.mail = get_connection(fail_silently=False)
        self.opened = False
        self.mail_error: BaseException | None = None

    def deliver(self, pk: int, now: dt.datetime | None = None) -> bool:
        """Deliver one reminder if it is still unsent and free; True when this call sent it."""
        now = now or timezone.now()
        prepared = _prepare(pk, now)
        if prepared is None:
            return False
        reminder, message = prepared
        if message is None:
            return True
        if self.mail_error is not None:
            _record_failure(reminder, now, self.mail_error)
            return False
        # On PostgreSQL the mark is written before the message goes out, in a transaction left open
        # over the send (the row stays locked; a failed send rolls it back), so that after the
        # server's 250 only the COMMIT remains: one round trip to the database instead of four.
        # On SQLite that transaction would hold the whole database's write lock over the SMTP
        # exchange; there the mark follows the send, in this process, without a disk flush (WAL).
        mark_first = connection.vendor == "postgresql"
        try:
            if not self.opened:
                self.mail.open()
                self.opened = True
            if mark_first:
                with transaction.atomic():
                    _write_sent_mark(pk, timezone.now())
                    self.mail.send_messages([message])
            else:
                self.mail.send_messages([message])
        except Exception as exc:  # noqa: BLE001 - recorded, and retried with backoff by the sweep
            self.mail_error = exc
            self.close()
            _record_failure(reminder, now, exc)
            return False
        if not mark_first:
            # Step 3: accepted by the server; mark it before anything else, the connection's QUIT included.
            _mark_sent(pk, timezone.now())
        return True

    def close(self) -> None:
        if self.opened:
            self.opened = False
            _close(self.mail)


def deliver(pk: int, *, now: dt.datetime | None = None) -> bool:
    """Deliver one reminder over its own connection; True when this call sent it."""
    return deliver_many([pk], now=now) == 1


def deliver_many(pks: Iterable[int], *, now: dt.datetime | None = None) -> int:
    """Deliver several reminders over one connection; how many this call sent."""
    courier = Courier()
    try:
        return sum(courier.deliver(pk, now) for pk in pks)
    finally:
        courier.close()


def mail_failing_since(now: dt.datetime | None = None) -> dt.datetime | None:
    """When mail started failing, if reminders have been failing for ``REMINDER_MAIL_ALERT_SECONDS`` or more."""
    now = now or timezone.now()
    since = Reminder.objects.unsent().aggregate(since=Min("failing_since"))["since"]
    if since is not None and now - since >= dt.timedelta(seconds=settings.REMINDER_MAIL_ALERT_SECONDS):
        return since
    return None
