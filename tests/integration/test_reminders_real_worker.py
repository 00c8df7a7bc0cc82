"""Reminders through real processes: Celery beat and worker, the broker, and an SMTP server on loopback.

Runs on the suite's own database and broker (SQLite and the filesystem
transport by default; PostgreSQL and Redis in CI's second pass).
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.integration.harness import MailCatcher, Stack

# One worker runs the integration tests one after another: they start many processes each and
# share the broker's Redis database (harness.Stack).
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("integration")]

SENT = "__import__('responses.models', fromlist=['Reminder']).Reminder.objects.filter(sent_at__isnull=False).count()"
TOTAL = "__import__('responses.models', fromlist=['Reminder']).Reminder.objects.count()"


@pytest.fixture
def mail_server():
    catcher = MailCatcher()
    port = catcher.start()
    catcher.port = port
    yield catcher
    catcher.stop()


@pytest.fixture
def stack(tmp_path, mail_server):
    stack = Stack(tmp_path, mail_server.port)
    yield stack
    stack.close()


def _by_number(messages, expected):
    """How many messages each proposal number got, and with which recipients."""
    counts: Counter[str] = Counter()
    recipients: dict[str, set[str]] = {}
    for to, subject in messages:
        number = next((n for n in expected if n in subject), None)
        assert number is not None, f"a message names no seeded proposal: {subject}"
        counts[number] += 1
        recipients.setdefault(number, set()).update(to)
    return counts, recipients


def test_n_due_items_give_exactly_n_messages_to_the_right_people(stack, mail_server):
    expected = stack.seed(30)
    stack.start_worker()
    stack.start_beat()

    done = stack.wait_until(lambda: stack.query(SENT) == 30 and len(mail_server.snapshot()) >= 30, timeout=90)
    time.sleep(5)  # several more scans: nothing more may be sent

    assert done, stack.logs()
    messages = mail_server.snapshot()
    counts, recipients = _by_number(messages, expected)
    assert len(messages) == 30
    assert set(counts.values()) == {1}
    assert recipients == {number: {email} for number, email in expected.items()}
    assert stack.query(TOTAL) == 30
