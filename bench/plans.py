"""The query plans of the benchmarked list pages, from the bench database: which index each page walks.

Usage: .venv/bin/python bench/plans.py --size 1000000 [--database postgres://...] [--all] [plan ...]

Plans: ``deep`` (the proposal list 10,000 rows deep in one status, by keyset: bench/run.py's
proposal_list_deep), ``status`` (the first page of one status) and ``search`` (the list searched
for bench/run.py's word). Each page is asked through Django's request handler, signed in as the
bench's committee user, against the data set that `make bench` generates (run it first). For
every query of the page that reads ``proposals_proposal`` with a LIMIT (the page's own rows;
``--all`` for every query) it prints ``EXPLAIN (ANALYZE, BUFFERS)``, then the indexes the plan
used. A one-status page should walk that status's own partial index of ids
(``proposal_<status>_id`` in ``Proposal.Meta.indexes``); the line ``expected index … not used``
says when it does not. Query plans live here, not in the tests: they depend on the data's size
and statistics, which only the bench data set has.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import datagen, run  # noqa: E402

STATUS = "closed"
PLANS = ("deep", "status", "search")
# The index a plan should walk, when there is one to expect.
EXPECTED_INDEX = {"deep": f"proposal_{STATUS}_id", "status": f"proposal_{STATUS}_id"}


def urls(database: str) -> dict[str, str]:
    rows = run.targets(database)
    return {
        "deep": rows["proposal_list_deep"],
        "status": f"/dashboard/proposals/?status={STATUS}",
        "search": rows["proposal_search"],
    }


def page_queries(url: str) -> list[dict]:
    """The SQL the page ran, with its parameters inlined by the database driver as it was sent."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client(HTTP_HOST=run.HOST)
    client.force_login(User.objects.get(username=run.user_for("proposal_list_p1")))
    client.get(url)  # warm-up: the shared cache's reference rows, the search words
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return captured.captured_queries


def _indexes(node: dict) -> list[str]:
    found = [node["Index Name"]] if "Index Name" in node else []
    for child in node.get("Plans", []):
        found += _indexes(child)
    return found


def explain(sql: str) -> tuple[str, list[str]]:
    """The plan as text (ANALYZE, BUFFERS) and the indexes it used."""
    from django.db import connection

    with connection.cursor() as cursor:
        # The SQL is the page's own, as Django sent it; this tool runs only against the bench database.
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        text = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    return text, _indexes(plan[0]["Plan"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plans", nargs="*", help=f"any of {', '.join(PLANS)} (default: all)")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--all", action="store_true", help="explain every query of the page, not only its rows")
    args = parser.parse_args()
    unknown = sorted(set(args.plans) - set(PLANS))
    if unknown:
        parser.error(f"unknown plans: {', '.join(unknown)}")
    database = args.database or datagen.database_for(args.size)

    env = run.server_env(database, 0)
    run.collect_static(env)  # the pages link their assets through the manifest that collectstatic writes
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    datagen.setup_django(database)
    run.require_data(args.size, database)

    targets = urls(database)
    for name in args.plans or PLANS:
        sys.stdout.write(f"== {name}: {targets[name]}\n")
        used: list[str] = []
        for query in page_queries(targets[name]):
            sql = query["sql"]
            if not args.all and not ('"proposals_proposal"' in sql and re.search(r"\bLIMIT\b", sql)):
                continue
            text, indexes = explain(sql)
            used += indexes
            sys.stdout.write(f"-- {sql}\n{text}\n-- indexes: {', '.join(indexes) or 'none'}\n\n")
        expected = EXPECTED_INDEX.get(name)
        if expected and expected not in used:
            sys.stdout.write(f"!! expected index {expected} not used by {name}\n")
        sys.stdout.write("\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
