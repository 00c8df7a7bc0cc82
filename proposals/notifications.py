"""In-app notifications with an email copy sent after commit.

Text is built by the caller; ``notify`` renders lazy strings in the site's
default language, since the recipient is not the person whose request is
being served.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation

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
        [Notification(user=user, proposal=proposal, title=title, body=body, url=url) for user in recipients]
    )
    if email:
        addresses = [user.email for user in recipients if user.email]
        if addresses:
            # After commit: a rolled-back step must not have told anyone anything.
            transaction.on_commit(partial(_send_emails, addresses, title, body, url))
    return rows


def _send_emails(addresses: list[str], title: str, body: str, url: str) -> None:
    text = body
    if url:
        link = url if url.startswith(("http://", "https://")) else f"{settings.SITE_URL}{url}"
        text = f"{body}\n\n{link}" if body else link
    for address in addresses:
        # One message per person: recipients must not see each other's addresses.
        try:
            send_mail(title, text, None, [address], fail_silently=False)
        except Exception:
            # The step is already committed and the in-app notification stands; a mail
            # server being down is logged, never turned into an error for the user.
            logger.exception("Could not send notification email to %s: %s", address, title)
