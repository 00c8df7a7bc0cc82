"""Search at a million proposals: p95 latency, and recall and precision against exact substring matching.

Usage: .venv/bin/python bench/search.py [--size 1000000] [--database postgres://postgres@127.0.0.1:5432/tian_bench_search]
           [--repeat 20] [--sample 20000]

Loads a corpus of realistic Chinese proposal text (bench/corpus.py) with COPY into a
database of its own unless it already holds that many proposals, builds the GIN
index, then:

* times the first result page of ``proposals.search.search()`` (newest first, 20 rows)
  and of ``ranked()`` for a fixed set of queries (p95 over all of them);
* measures recall and precision of ``search()`` against exact substring matching
  (``LIKE '%word%'`` over number, title, analysis and suggestions, every space-separated
  part required) for every word of two or more characters in the corpus, the fixed
  queries and the normalisation cases (traditional characters, full-width forms,
  proposal numbers written 第…号, queries with nothing searchable, which must find
  nothing), over the first ``--sample`` proposals (the truth is a scan per word).

Targets: p95 under 50 ms at 1M proposals on PostgreSQL, recall at least 0.99, precision
at least 0.95. The last two lines read ``recall min … mean …`` and ``precision min … mean …``.
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
    "老旧",
    "金融中心",
    "人口",
    "港",
    "第2023000160号",
    "養老",
]
# A query as typed, and what it means in the corpus (simplified characters, half-width, the bare number).
NORMALISATION = {
    "養老": "养老",
    "醫療服務": "医疗服务",
    "長者": "长者",
    "停車設施": "停车设施",
    "電梯": "电梯",
    "深港合作": "深港合作",
    "第2023000160号": "2023000160",
    "2023000160号": "2023000160",
    "２０２３０００１６０": "2023000160",
    "河套　深港": "河套 深港",
}
# Nothing searchable: these must find nothing (before, they found everything).
NOTHING = ["。，！？", "……", "《》", "「」", "&", "|", "%", "_", "🙂"]


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
        "converted_to_suggestion, is_published, created_at, updated_at, search_text, lead_display, unit_count"
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
                f"t\t\tf\t1\t\t\tf\tf\t2023-01-01 00:00:00+08\t2023-01-01 00:00:00+08\t{words}\t陈澄\t1\n"
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


def vocabulary() -> list[str]:
    """Every word of two or more Chinese characters in the corpus's sentences, as jieba cuts them
    (whole words and, in search mode, the words inside longer ones)."""
    import re

    import jieba

    from bench import corpus

    texts = [
        f"关于{area}{verb}{subject}的建议"
        for area in corpus.AREAS
        for verb in corpus.VERBS
        for subject in corpus.SUBJECTS
    ]
    for template in corpus.BACKGROUND + corpus.SUGGESTIONS:
        texts.extend(
            template.format(area=area, subject=subject) for area in corpus.AREAS for subject in corpus.SUBJECTS
        )
    words = set()
    for text in texts:
        words.update(jieba.cut(text))
        words.update(jieba.cut_for_search(text))
    return sorted(w for w in words if len(w) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", w))


def ground_truth(query: str, sample: int) -> set[int]:
    from django.db import connection

    clauses, params = [], []
    for word in query.split():
        clauses.append("(number LIKE %s OR title LIKE %s OR background LIKE %s OR suggestions LIKE %s)")
        params.extend([f"%{word}%"] * 4)
    with connection.cursor() as c:
        c.execute(
            f"SELECT id FROM proposals_proposal WHERE id <= %s AND {' AND '.join(clauses)}",  # noqa: S608
            [sample, *params],
        )
        return {row[0] for row in c.fetchall()}


def accuracy(query: str, meaning: str | None, sample: int) -> tuple[float, float, int, int]:
    """(recall, precision, found, truth) of ``search(query)`` against substring matching of its meaning."""
    from proposals.models import Proposal
    from proposals.search import search

    found = set(search(Proposal.objects.filter(pk__lte=sample), query).values_list("pk", flat=True))
    truth = ground_truth(meaning, sample) if meaning else set()
    hits = len(found & truth)
    recall = hits / len(truth) if truth else (1.0 if not found else 0.0)
    precision = hits / len(found) if found else (1.0 if not truth or meaning else 0.0)
    return recall, precision, len(found), len(truth)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/tian_bench_search")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sample", type=int, default=20_000, help="proposals checked against the scan")
    parser.add_argument("--no-load", action="store_true", help="use the database as it is (a copy of make bench's)")
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
    if not args.no_load:
        loaded = load(args.size)
        if loaded:
            sys.stdout.write(f"corpus of {args.size:,} proposals loaded and indexed in {loaded:.0f} s\n")
    everything = Proposal.objects.all()
    page_times, ranked_times = [], []
    sys.stdout.write(f"{'query':<16}{'page p95':>10}{'ranked p95':>12}\n")
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
        page_times.extend(timings)
        ranked_times.extend(rank_timings)
        sys.stdout.write(f"{query:<16}{percentile(timings, 95):>9.1f}ms{percentile(rank_timings, 95):>10.1f}ms\n")
    sys.stdout.write(
        f"all queries: page p95 {percentile(page_times, 95):.1f} ms (p50 {statistics.median(page_times):.1f}), "
        f"ranked p95 {percentile(ranked_times, 95):.1f} ms (target: p95 < 50 ms)\n"
    )

    cases = [(word, word) for word in vocabulary()]
    cases += [(query, NORMALISATION.get(query, query)) for query in QUERIES]
    cases += list(NORMALISATION.items()) + [(query, None) for query in NOTHING]
    recalls, precisions, worst = [], [], []
    for query, meaning in cases:
        recall, precision, found, truth = accuracy(query, meaning, args.sample)
        recalls.append(recall)
        precisions.append(precision)
        if recall < 1 or precision < 1:
            worst.append((min(recall, precision), query, recall, precision, found, truth))
    worst.sort()
    sys.stdout.write(f"{len(cases)} queries against substring matching over the first {args.sample:,} proposals\n")
    for _, query, recall, precision, found, truth in worst[:15]:
        sys.stdout.write(f"  {query:<14} recall {recall:.3f} precision {precision:.3f} ({found} found, {truth} true)\n")
    sys.stdout.write(f"recall min {min(recalls):.3f} mean {statistics.mean(recalls):.3f} (target >= 0.99)\n")
    sys.stdout.write(f"precision min {min(precisions):.3f} mean {statistics.mean(precisions):.3f} (target >= 0.95)\n")


if __name__ == "__main__":
    main()
