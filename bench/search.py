"""Search at a million proposals: p95 latency and recall against a LIKE ground truth.

Usage: .venv/bin/python bench/search.py [--size 1000000] [--database postgres://postgres@127.0.0.1:5432/tian_bench_search]
           [--repeat 20]

Loads a corpus of realistic Chinese proposal text (bench/corpus.py) with COPY into a
database of its own unless it already holds that many proposals, builds the GIN
index, then for a fixed set of queries times the first result page of
``proposals.search.search()`` (newest first, 20 rows) and of ``ranked()``, and
compares the full result set with ``LIKE '%word%'`` over number, title, analysis
and suggestions. Targets: p95 under 50 ms, recall at least 0.95.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    "时尚",
    "养老",
    "深港合作",
    "人工智能",
    "河套",
    "香蜜湖",
    "城市更新",
    "低空经济",
    "学位",
    "2023000160",
    "时尚产业 河套",
    "福田区 养老",
]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def load(size: int) -> float:
    from django.db import connection

    from bench.corpus import Corpus
    from proposals.models import Proposal

    if Proposal.objects.count() == size:
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as c:
        c.execute("TRUNCATE proposals_proposal, proposals_session, accounts_user RESTART IDENTITY CASCADE")
        # Loading is faster without the index; it is rebuilt once at the end.
        c.execute("DROP INDEX IF EXISTS proposal_search_gin")
        c.execute(
            "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined, full_name, role, unit_id, phone) VALUES "
            "('!', false, 'member', '', '', 'm@example.org', false, true, now(), '陈澄', 'member', NULL, '')"
        )
        c.execute(
            "INSERT INTO proposals_session (name, full_name, term, meeting, year, is_current, joint_rule, "
            "joint_min_confirmed, number_format, next_serial, reply_months, reply_cap_months, opinion_months, "
            "return_window_workdays, contact_workdays, feedback_workdays, publication_workdays, "
            "reminder_days_before, overdue_every_days, escalation) VALUES ('六届三次会议', '', 6, 3, 2023, true, "
            "'minimum', 1, '{year}{serial:06d}', 1, 3, 6, 1, 5, 15, 15, 20, '[30, 7, 1]', 7, '[]')"
        )
    corpus = Corpus()
    columns = (
        "session_id, number, serial, title, background, suggestions, kind, collective_author, status, created_by_id, "
        "publication_consent, publication_refusal_reason, is_key, handling_round, rejection_ground, rejection_reason, "
        "converted_to_suggestion, is_published, created_at, updated_at, search_text"
    )
    raw = connection.connection if connection.connection else None
    connection.ensure_connection()
    raw = connection.connection
    batch = 100_000
    rows = corpus.rows(size)
    done = 0
    while done < size:
        buffer = io.StringIO()
        for serial, (number, title, background, suggestions, words) in enumerate(rows, start=done + 1):
            buffer.write(
                f"1\t{number}\t{serial}\t{title}\t{background}\t{suggestions}\tindividual\t\tassigned\t1\t"
                f"t\t\tf\t1\t\t\tf\tf\t2023-01-01 00:00:00+08\t2023-01-01 00:00:00+08\t{words}\n"
            )
            if serial - done >= batch:
                break
        done = min(size, done + batch)
        buffer.seek(0)
        with raw.cursor() as cursor:
            cursor.copy_expert(f"COPY proposals_proposal ({columns}) FROM STDIN", buffer)
        raw.commit()
        sys.stdout.write(f"  loaded {done:,}\n")
    with connection.cursor() as c:
        c.execute("CREATE INDEX proposal_search_gin ON proposals_proposal USING gin (search_vector)")
        c.execute("ANALYZE proposals_proposal")
    return time.perf_counter() - started


def ground_truth(query: str) -> set[int]:
    from django.db import connection

    from proposals.search import query_words

    clauses, params = [], []
    for word in query_words(query):
        clauses.append(
            "(number LIKE %s OR lower(title) LIKE %s OR lower(background) LIKE %s OR lower(suggestions) LIKE %s)"
        )
        params.extend([f"%{word}%"] * 4)
    with connection.cursor() as c:
        c.execute(f"SELECT id FROM proposals_proposal WHERE {' AND '.join(clauses)}", params)  # noqa: S608
        return {row[0] for row in c.fetchall()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/tian_bench_search")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from bench.reminder_scan import ensure_database

    ensure_database(args.database)
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    from proposals.models import Proposal
    from proposals.search import ranked, search

    call_command("migrate", verbosity=0)
    loaded = load(args.size)
    if loaded:
        sys.stdout.write(f"corpus of {args.size:,} proposals loaded and indexed in {loaded:.0f} s\n")
    everything = Proposal.objects.all()
    page_times, ranked_times, recalls = [], [], []
    sys.stdout.write(f"{'query':<16}{'matches':>9}{'truth':>9}{'recall':>8}{'page p95':>10}{'ranked p95':>12}\n")
    for query in QUERIES:
        list(search(everything, query).order_by("-pk").values_list("pk", flat=True)[:20])  # warm-up
        timings, rank_timings = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            list(search(everything, query).order_by("-pk").values_list("pk", flat=True)[:20])
            timings.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            list(ranked(everything, query).values_list("pk", flat=True)[:20])
            rank_timings.append((time.perf_counter() - started) * 1000)
        found = set(search(everything, query).values_list("pk", flat=True))
        truth = ground_truth(query)
        recall = len(found & truth) / len(truth) if truth else 1.0
        page_times.extend(timings)
        ranked_times.extend(rank_timings)
        recalls.append(recall)
        sys.stdout.write(
            f"{query:<16}{len(found):>9,}{len(truth):>9,}{recall:>8.3f}"
            f"{percentile(timings, 95):>9.1f}ms{percentile(rank_timings, 95):>10.1f}ms\n"
        )
    sys.stdout.write(
        f"all queries: page p95 {percentile(page_times, 95):.1f} ms (p50 {statistics.median(page_times):.1f}), "
        f"ranked p95 {percentile(ranked_times, 95):.1f} ms, recall min {min(recalls):.3f} "
        f"mean {statistics.mean(recalls):.3f} (targets: p95 < 50 ms, recall >= 0.95)\n"
    )


if __name__ == "__main__":
    main()
