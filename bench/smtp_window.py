"""How long a mail server takes to accept a reminder once it has the whole message: the part of the
crash window (issue 17) that no change on our side can shorten.

A worker killed after it has written the message's final "." but before the sent mark's COMMIT leaves
a message the server accepts but the database does not know of: it goes out again later, with the same
Message-ID. From the final "." to the server's 250, the message is the server's: this script times that
span, and the whole send (MAIL FROM, three RCPT TO, DATA, 250), over one connection to the aiosmtpd
server that bench/reminder_chaos.py uses (in a process of its own).

Usage:
  .venv/bin/python bench/smtp_window.py [--messages 500]
"""

from __future__ import annotations

import argparse
import os
import smtplib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BODY = "提醒：您单位承办的提案《关于福田区构建具有竞争力的现代化产业体系的建议》答复期限将至，请及时办理。\n" * 8


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.mail import EmailMessage, get_connection

    from tests.integration.chaos import MailServers

    servers = MailServers(1)
    marks: dict[str, float] = {}
    send, getreply = smtplib.SMTP.send, smtplib.SMTP.getreply

    def timed_send(self, data):
        send(self, data)
        marks["written"] = time.perf_counter()

    def timed_getreply(self):
        reply = getreply(self)
        marks["answered"] = time.perf_counter()
        return reply

    smtplib.SMTP.send, smtplib.SMTP.getreply = timed_send, timed_getreply
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=servers.ports[0], fail_silently=False
    )
    connection.open()
    accepting, whole = [], []
    for number in range(args.messages):
        message = EmailMessage(
            f"提案答复期限提醒 {number}",
            BODY,
            "noreply@localhost",
            ["a@example.org", "b@example.org", "c@example.org"],
            headers={"Message-ID": f"<reminder-{number}.reply_due.7@localhost>"},
        )
        started = time.perf_counter()
        connection.send_messages([message])
        whole.append(time.perf_counter() - started)
        # The last write of a send is the message's end; the last reply read is the server's 250.
        accepting.append(marks["answered"] - marks["written"])
    connection.close()
    for name, values in (("final '.' to 250", accepting), ("whole send", whole)):
        sys.stdout.write(
            f"{name:<18} median {statistics.median(values) * 1000:6.2f} ms  "
            f"p95 {percentile(values, 0.95) * 1000:6.2f} ms  ({len(values)} messages)\n"
        )
    sys.stdout.flush()
    os._exit(0)  # the mail server's process is a daemon of this one


if __name__ == "__main__":
    main()
