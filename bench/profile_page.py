"""Where a benchmarked page spends its time, measured in one process (no gunicorn, no network).

Usage: .venv/bin/python bench/profile_page.py --size 1000000 [--repeat 300] [--profile] [row ...]

Runs the rows of `make bench` (default: floor and the lists) through Django's whole request
handler, middleware included, signed in as the bench users, against the data set that
bench/run.py generates (run `make bench` first). Prints each row's median and mean time, its
database time, and the ratio of its median to the floor's. With ``--profile`` it also prints
the functions that took the most time, per row. The numbers are the server's own work per
request, without the load generator and the queueing that `make bench` adds.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import datagen, run  # noqa: E402

DEFAULT_ROWS = ["floor", "proposal_list_p1", "proposal_list_deep", "proposal_search", "unit_assignments"]


def _client(username: str):
    from django.test import Client

    from accounts.models import User

    client = Client(HTTP_HOST=run.HOST)
    client.force_login(User.objects.get(username=username))
    return client


class _DatabaseTime:
    """Time spent inside database calls (an execute wrapper on the default connection)."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def measure(client, url: str, repeat: int, profiler: cProfile.Profile | None) -> tuple[list[float], float]:
    from django.db import connection

    for _ in range(max(20, repeat // 10)):  # warm-up: caches, prepared templates, reference rows
        client.get(url)
    timer = _DatabaseTime()
    samples = []
    with connection.execute_wrapper(timer):
        for _ in range(repeat):
            if profiler:
                profiler.enable()
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            if profiler:
                profiler.disable()
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
    return samples, timer.seconds * 1000 / repeat


def main() -> None:
    parser = run.tool_parser(__doc__, DEFAULT_ROWS)
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--profile", action="store_true", help="print the costliest functions of each row")
    parser.add_argument("--top", type=int, default=30, help="functions to print per row with --profile")
    parser.add_argument("--sort", default="tottime", help="pstats order for --profile: tottime, cumulative, …")
    args = parser.parse_args()
    rows, database = run.tool_rows(parser, args, DEFAULT_ROWS)

    env = run.server_env(database, 0)
    run.collect_static(env)  # the pages link their assets through the manifest that collectstatic writes
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    datagen.setup_django(database)
    run.require_data(args.size, database)
    urls = run.targets(database)
    clients = {user: _client(user) for user in run.USERS}
    medians = {}
    for name in rows:
        client = clients[run.user_for(name)]
        profiler = cProfile.Profile() if args.profile else None
        samples, database_ms = measure(client, urls[name], args.repeat, profiler)
        medians[name] = statistics.median(samples)
        ratio = f"  {medians[name] / medians['floor']:.2f}x the floor" if "floor" in medians else ""
        sys.stdout.write(
            f"{name:<20} p50 {medians[name]:6.2f} ms  mean {statistics.fmean(samples):6.2f} ms"
            f"  database {database_ms:5.2f} ms{ratio}\n"
        )
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).strip_dirs()
            stats.sort_stats(args.sort).print_stats(args.top)
            sys.stdout.write(out.getvalue())
        sys.stdout.flush()


if __name__ == "__main__":
    main()
