"""Giving the demo a past: every step runs now, through the services, and is then moved to its demo time.

The services stamp what they write with ``timezone.now()`` and check their time rules (submission
period, co-signing cutoff, return and feedback windows) against it, so each step runs at the real
time, in an order that is legal now. ``Clock.at(when)`` notes the span of real time a step took and
the demo time it stands for; ``Clock.backdate()`` then moves every timestamp written inside each span
to that step's demo time with ``QuerySet.update()``, which bypasses ``auto_now`` and writes no event.
Spans never overlap (real time only moves forward), so each row lands on the step that wrote it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator

from django.apps import apps
from django.db import models
from django.db.models import Case, F, Value, When
from django.utils import timezone

from proposals.models import Notification, Session

# Where the services write timestamps. Session holds rules (the co-signing cutoff), not history.
APPS = ("proposals", "responses")
SKIPPED = {Session}
# How long after it arrived a demo notification reads as read.
READ_AFTER = dt.timedelta(hours=2)


def stamped_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, datetime field) of the apps whose rows the services write."""
    return [
        (model, field.name)
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        if model not in SKIPPED
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateTimeField)
    ]


class Clock:
    """Collects (real span, demo time) per step; ``backdate()`` rewrites the stamps once at the end."""

    def __init__(self) -> None:
        self.started = timezone.now()
        self.spans: list[tuple[dt.datetime, dt.datetime, dt.datetime]] = []

    @contextlib.contextmanager
    def at(self, when: dt.datetime) -> Iterator[None]:
        start = timezone.now()
        yield
        self.spans.append((start, timezone.now(), when))

    def backdate(self) -> None:
        if not self.spans:
            return
        for model, name in stamped_fields():
            # One UPDATE per field: a CASE with one branch per step, on rows stamped during this run only.
            whens = [When(**{f"{name}__range": (start, end)}, then=Value(when)) for start, end, when in self.spans]
            model._base_manager.filter(**{f"{name}__gte": self.started}).update(
                **{name: Case(*whens, default=F(name), output_field=model._meta.get_field(name))}
            )


@contextlib.contextmanager
def open_for_seeding(session: Session) -> Iterator[None]:
    """Lets the services take a session's proposals now although its submission period or co-signing
    cutoff may be over (the 2023 session is): both are lifted for the seeding and put back after,
    in the same transaction. The start of the session stays, so dates before it are still refused."""
    saved = Session.objects.filter(pk=session.pk).values("closes_on", "cosign_cutoff").get()
    Session.objects.filter(pk=session.pk).update(closes_on=None, cosign_cutoff=None)
    session.closes_on = session.cosign_cutoff = None
    try:
        yield
    finally:
        Session.objects.filter(pk=session.pk).update(**saved)
        session.closes_on, session.cosign_cutoff = saved["closes_on"], saved["cosign_cutoff"]


def settle_notifications(first_new_pk: int, today: dt.date) -> None:
    """The notifications the demo's steps sent: never emailed (they are history, and the demo users'
    addresses are not real), and read when older than a week, so each bell shows the recent news."""
    new = Notification.objects.filter(pk__gt=first_new_pk)
    new.filter(email_pending=True).update(email_pending=False)
    week_ago = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=7), dt.time()))
    new.filter(read_at__isnull=True, created_at__lt=week_ago).update(read_at=F("created_at") + READ_AFTER)


@contextlib.contextmanager
def tasks_in_process() -> Iterator[None]:
    """The services publish a Celery task per notification email after commit. For the demo those
    emails are cancelled (``settle_notifications``), so the tasks run in-process, find nothing to
    send and return, instead of queueing no-op messages to the broker (or waiting on a broker that
    is not running)."""
    from celery import current_app

    previous = current_app.conf.task_always_eager
    # Each of those no-op tasks would log a line (and kombu a warning about the broker's host name).
    loggers = [logging.getLogger(name) for name in ("celery.app.trace", "kombu.connection")]
    levels = [logger.level for logger in loggers]
    current_app.conf.task_always_eager = True
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        current_app.conf.task_always_eager = previous
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
