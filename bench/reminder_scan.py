"""Time the reminder scan with 10k and with 1M open assignments, the same number due in both.

Usage: .venv/bin/python bench/reminder_scan.py [--database postgres://postgres@127.0.0.1:5432/tian_bench_scan]
           [--small 10000] [--large 1000000] [--due 1000] [--runs 5]

Builds the data with generate_series in a database of its own (created when
missing), then times ``responses.reminders.scan()`` from an empty Reminder
table, several times, and prints the median of each and their ratio. The target:
the scan's cost follows the number due, not the number open (ratio under 2).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ensure_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def build(open_count: int, due: int) -> None:
    """Replace the data with ``open_count`` open assignments, ``due`` of them due for a reminder today."""
    from django.db import connection
    from django.utils import timezone

    today = timezone.localdate()
    with connection.cursor() as c:
        c.execute(
            "TRUNCATE responses_reminder, proposals_event, responses_assignment, proposals_proposer, "
            "proposals_proposal, proposals_session, accounts_user, accounts_unit RESTART IDENTITY CASCADE"
        )
        c.execute(
            "INSERT INTO proposals_session (name, full_name, term, meeting, year, is_current, joint_rule, "
            "joint_min_confirmed, number_format, next_serial, reply_months, reply_cap_months, opinion_months, "
            "return_window_workdays, contact_workdays, feedback_workdays, publication_workdays, "
            "reminder_days_before, overdue_every_days, escalation) VALUES ('六届三次会议', '', 6, 3, 2023, true, "
            "'minimum', 1, '{year}{serial:03d}', 1, 3, 6, 1, 5, 15, 15, 20, '[30, 7, 1]', 7, "
            '\'["unit_handler", "unit_leader", "committee", "leader"]\')'
        )
        c.execute(
            "INSERT INTO accounts_unit (name, short_name, email, phone, is_active) "
            "SELECT '单位' || g, '', '', '', true FROM generate_series(1, 50) g"
        )
        c.execute(
            "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined, full_name, role, unit_id, phone) "
            "SELECT '!', false, 'handler' || g, '', '', 'h' || g || '@example.org', true, true, now(), "
            "'经办' || g, 'unit_handler', g, '' FROM generate_series(1, 50) g"
        )
        c.execute(
            "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined, full_name, role, unit_id, phone) VALUES "
            "('!', false, 'member', '', '', 'm@example.org', false, true, now(), '陈澄', 'member', NULL, ''),"
            "('!', false, 'committee', '', '', 'c@example.org', true, true, now(), '委办', 'committee', NULL, '')"
        )
        c.execute(
            "INSERT INTO proposals_proposal (session_id, number, serial, title, background, suggestions, kind, "
            "collective_author, status, created_by_id, publication_consent, publication_refusal_reason, is_key, "
            "handling_round, rejection_ground, rejection_reason, converted_to_suggestion, is_published, created_at, "
            "updated_at) SELECT 1, (2023000000 + g)::text, g, '关于福田区产业发展的建议' || g, '', '', 'individual', '', "
            "'assigned', 51, true, '', false, 1, '', '', false, false, now(), now() FROM generate_series(1, %s) g",
            [open_count],
        )
        # Every open assignment is due well after the 30-day stage, except the last ``due`` ones,
        # whose dates are spread over the stages (d30, d7, d1, today, overdue weekly).
        c.execute(
            "INSERT INTO responses_assignment (proposal_id, unit_id, role, round, status, assigned_by_id, "
            "assigned_at, assigned_on, reply_due, reply_due_note, reply_due_provisional, reply_cap_note, opinion_due_note, "
            "return_window_note, contact_due_note, deadlines_provisional, instructions) "
            "SELECT g, 1 + g %% 50, 'separate', 1, 'handling', 52, now(), %s::date, "
            "CASE WHEN g > %s - %s THEN %s::date + (ARRAY[30, 7, 1, 0, -1, -8, -15])[1 + g %% 7] "
            "ELSE %s::date + 45 + g %% 300 END, '', false, '', '', '', '', false, '' "
            "FROM generate_series(1, %s) g",
            [today, open_count, due, today, today, open_count],
        )
        c.execute("ANALYZE")


def time_scan(runs: int) -> tuple[float, int]:
    from responses import reminders
    from responses.models import Reminder

    timings, created = [], 0
    for _ in range(runs):
        Reminder.objects.all().delete()
        started = time.perf_counter()
        created = reminders.scan()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), created


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/tian_bench_scan")
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    ensure_database(args.database)
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    results = {}
    for size in (args.small, args.large):
        started = time.perf_counter()
        build(size, args.due)
        built = time.perf_counter() - started
        median, created = time_scan(args.runs)
        results[size] = median
        sys.stdout.write(
            f"open={size:>9,}  due={args.due:,}  reminders={created:,}  scan median of {args.runs}: "
            f"{median * 1000:8.1f} ms   (data built in {built:.0f} s)\n"
        )
    ratio = results[args.large] / results[args.small]
    sys.stdout.write(f"ratio large/small: {ratio:.2f} (target: under 2)\n")


if __name__ == "__main__":
    main()
