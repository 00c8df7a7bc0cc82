"""Similar proposals on a corpus with known neighbours: how many of them come up in the top five.

Usage: .venv/bin/python bench/similar.py [--database postgres://postgres@127.0.0.1:5432/h19_similar]

Loads tests/proposals/similar_corpus.py (six subjects written six times each: near-duplicates and
paraphrases, plus ten proposals on other subjects) into an empty database of its own (made afresh
each run), then for every proposal of a subject asks ``proposals.similar.similar_to`` for its top
five and counts its five known neighbours among them. Target: at least 4 of 5 for each proposal.
Without --database it uses a SQLite file under var/.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    if args.database:
        import psycopg2

        from bench.reminder_scan import ensure_database

        ensure_database(args.database)
        name = args.database.rsplit("/", 1)[1]
        admin = psycopg2.connect(args.database.rsplit("/", 1)[0] + "/postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        os.environ["DATABASE_URL"] = args.database
    else:
        path = ROOT / "var" / "bench_similar.sqlite3"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        from proposals.similar import similar_to
    except ImportError:  # the title-only measure before proposals.similar, for a before/after figure
        from proposals.search import similar_to
    from tests.base import make_session, make_user
    from tests.proposals.similar_corpus import hit_rate, load_corpus

    call_command("migrate", verbosity=0)
    groups = load_corpus(make_user("bench_member", "陈澄"), make_session())
    found, known, each = hit_rate(groups, similar_to)
    subjects = {p.pk: subject for subject, group in groups.items() for p in group}
    per_subject: dict[str, list[int]] = {}
    for proposal, hits in each:
        per_subject.setdefault(subjects[proposal.pk], []).append(hits)
    for subject, hits in per_subject.items():
        sys.stdout.write(f"{subject:<10} neighbours found in the top five: {' '.join(map(str, hits))} (of 5 each)\n")
    fewest = min(hits for _, hits in each)
    sys.stdout.write(
        f"{connection.vendor}: {found} of {known} known neighbours in the top five ({found / known:.3f}); "
        f"fewest for one proposal {fewest} of 5 (target: at least 4 of 5)\n"
    )


if __name__ == "__main__":
    main()
