"""The workflow primitives every service uses, in proposals and in responses.

A service refuses an illegal move (wrong status, outside a window, a required
reason left blank) with ``WorkflowError``; it refuses an actor who may not do
the step at all with ``django.core.exceptions.PermissionDenied``. Both carry a
translated, user-facing message that views show as is.

Besides the errors: ``check_move`` against a transitions map, ``lock`` of a row,
``record_event`` for the timeline, ``notify`` (in-app, with an email after
commit), the required-text and length checks shared by the services, and
``trial_run``, which runs a step in a savepoint that is always rolled back so a
preview can learn whether the step would be refused.

This module sits below both apps' services: it imports the proposals models
(``Event``, ``Notification``) and nothing of ``responses``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from proposals import cache_versions
from proposals.models import Event, Notification, Proposal

logger = logging.getLogger(__name__)


# Errors --------------------------------------------------------------------------------------


class WorkflowError(Exception):
    """A refused move; ``message`` is translated and shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class ReplyConflict(WorkflowError):
    """A reply draft was saved by someone else after the editor opened it.

    ``current`` holds the saved values (the same shape as a revision's values),
    ``version`` the saved version and ``revisions`` the ``ReplyRevision`` rows
    written since the editor's base version, oldest first, so the form can show
    what changed and let the editor merge by hand.
    """

    def __init__(self, message: str, *, current: dict, version: int, revisions: list) -> None:
        super().__init__(message)
        self.current = current
        self.version = version
        self.revisions = revisions


# Checks ----------------------------------------------------------------------------------------


def check_move(choices: type[models.TextChoices], transitions: dict[str, set[str]], current: str, target: str) -> None:
    """Refuse a status change that the transitions map does not allow."""
    if target not in transitions.get(current, set()):
        raise WorkflowError(
            _("This cannot be done now: the status is “%(current)s” and cannot change to “%(target)s”.")
            % {"current": choices(current).label, "target": choices(target).label}
        )


def move_status(obj: models.Model, choices: type[models.TextChoices], transitions: dict, target: str, **fields) -> str:
    """Move a locked row (proposal, assignment, reply) to ``target`` after checking its transitions map,
    setting ``fields`` with it in one save; returns the old status."""
    old = obj.status
    check_move(choices, transitions, old, target)
    obj.status = target
    for name, value in fields.items():
        setattr(obj, name, value)
    touched = ["updated_at"] if any(f.name == "updated_at" for f in obj._meta.concrete_fields) else []
    obj.save(update_fields=["status", *touched, *fields])
    return old


def require_committee(actor: User) -> None:
    """Refuse anyone but committee staff (``User.is_committee``: superusers count)."""
    if not actor.is_committee:
        raise PermissionDenied(_("Only committee staff may do this."))


def require_text(value: str | None, message: str) -> str:
    """A required free-text field, stripped; blank raises ``WorkflowError`` with ``message``."""
    value = (value or "").strip()
    if not value:
        raise WorkflowError(message)
    return value


def check_length(model: type[models.Model], name: str, text: str, limit: int | None = None) -> None:
    """Refuse ``text`` longer than ``limit`` (default: the field's max_length), naming the field."""
    field = model._meta.get_field(name)
    limit = limit or field.max_length
    if limit and len(text) > limit:
        raise WorkflowError(
            _("%(field)s is too long: at most %(max)d characters.") % {"field": field.verbose_name, "max": limit}
        )


# Rows and the timeline -------------------------------------------------------------------------


def lock(model: type[models.Model], pk: int):
    """The row, locked until the transaction ends (``SELECT … FOR UPDATE``; a no-op on SQLite,
    where writers are serialised by the database lock)."""
    return model.objects.select_for_update().get(pk=pk)


def record_event(
    proposal: Proposal,
    actor: User | None,
    verb: str,
    *,
    obj: models.Model | None = None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict | None = None,
) -> Event:
    cache_versions.changed(cache_versions.PROPOSALS)  # what is cached from proposals is out of date
    return Event.objects.create(
        proposal=proposal,
        actor=actor,
        verb=verb,
        object_type=obj._meta.model_name if obj is not None else "proposal",
        object_id=obj.pk if obj is not None else proposal.pk,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


class _TrialRollback(Exception):
    pass


def trial_run(step: Callable[[], object]) -> None:
    """Runs a service step inside a savepoint that is always rolled back: the caller learns whether the
    step would be refused (``WorkflowError`` and ``PermissionDenied`` propagate) while nothing is saved
    or notified (notifications wait for a commit that never comes)."""
    try:
        with transaction.atomic():
            step()
            raise _TrialRollback
    except _TrialRollback:
        pass


# Notifying -------------------------------------------------------------------------------------


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
    """One unread ``Notification`` per distinct user; an email to each after the transaction commits.

    Text is built by the caller; lazy strings are rendered in the site's default
    language, since the recipient is not the person whose request is being served.
    """
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
