"""Reminders through real processes: Celery beat and worker, the broker, and an SMTP server on loopback.

Runs on the suite's own database and broker (SQLite and the filesystem
transport by default; PostgreSQL and Redis in CI's second pass).
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import Counter

import pytest

from tests.integration.harness import ROOT, MailCatcher, Stack

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


def test_killing_the_worker_while_it_delivers_loses_nothing(stack, mail_server):
    total = 400
    expected = stack.seed(total)
    stack.start_beat()
    worker = stack.start_worker()
    kills = 0
    rng = random.Random(20231600)
    deadline = time.monotonic() + 60
    while len(mail_server.snapshot()) < total and kills < 8 and time.monotonic() < deadline:
        # Kill only once deliveries are flowing, so the kill lands mid-delivery.
        started = len(mail_server.snapshot())
        stack.wait_until(lambda s=started: len(mail_server.snapshot()) > s, timeout=20, interval=0.05)
        time.sleep(rng.uniform(0.05, 0.6))
        Stack.kill(worker)
        kills += 1
        worker = stack.start_worker()

    delivered_all = stack.wait_until(lambda: stack.query(SENT) == total, timeout=120, interval=1)
    time.sleep(4)
    messages = mail_server.snapshot()
    counts, _ = _by_number(messages, expected)
    missing = [n for n in expected if counts[n] == 0]
    duplicates = sum(c - 1 for c in counts.values() if c > 1)
    figures = {
        "database": stack.env["DATABASE_URL"].split(":", 1)[0],
        "broker": "redis" if "REDIS_URL" in stack.env else "filesystem",
        "kills": kills,
        "reminders": total,
        "delivered": len(counts),
        "messages": len(messages),
        "duplicates": duplicates,
    }
    report = ROOT / "var" / "reports"
    report.mkdir(parents=True, exist_ok=True)
    (report / f"reminder-crash-{figures['database']}.json").write_text(json.dumps(figures), encoding="utf-8")
    sys.stderr.write(f"\nreminder crash test: {json.dumps(figures)}\n")

    assert kills >= 3, f"the worker finished before it could be killed enough: {figures}"
    assert delivered_all and not missing, f"{figures}, missing {missing[:5]}\n{stack.logs()}"
    # The target is 0. A message the mail server accepted in the instant before the kill, whose
    # row was not yet committed as sent, goes out again: at most the one in flight per kill.
    assert duplicates <= kills, figures
