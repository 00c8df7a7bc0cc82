"""CPU time per request under load, split between the app, PostgreSQL and the load generator.

Usage: .venv/bin/python bench/cpu_per_request.py --size 1000000 [--seconds 10] [--connections 4] [row ...]

Serves the data set of `make bench` with gunicorn as bench/run.py does, and for each row runs a
warm-up and then ``--seconds`` of load while it reads the CPU time (user and system, from
/proc/<pid>/stat) of the gunicorn processes and of every PostgreSQL process on this machine. Prints
p50 latency and the CPU milliseconds each request cost in gunicorn, in PostgreSQL and in this
process (the load generator). With two sync workers on two cores, latency follows the total.
Linux only; PostgreSQL must run on this machine for its column to mean anything.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import datagen, run  # noqa: E402

DEFAULT_ROWS = ["floor", "proposal_list_p1", "proposal_list_deep", "proposal_search", "unit_assignments"]
TICKS = os.sysconf("SC_CLK_TCK")


def is_app(command: str) -> bool:
    return "bin/gunicorn " in command  # the master and its workers: python .venv/bin/gunicorn config.wsgi …


def is_postgres(command: str) -> bool:
    # The postmaster (…/bin/postgres -D …) and its backends and helpers ("postgres: 15/main: …").
    return command.startswith("postgres") or "/bin/postgres " in command


def cpu_seconds(matches) -> float:
    """User and system CPU seconds used so far by the processes whose command line ``matches``."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if matches(command):
            total += int(fields[11]) + int(fields[12])  # utime and stime, in clock ticks
    return total / TICKS


def main() -> None:
    parser = run.tool_parser(__doc__, DEFAULT_ROWS)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    rows, database = run.tool_rows(parser, args, DEFAULT_ROWS)

    datagen.setup_django(database)
    run.require_data(args.size, database)
    urls = run.targets(database)
    from django.db import connections

    connections.close_all()
    port = run.free_port()
    env = run.server_env(database, port)
    run.collect_static(env)
    server = run.start_server(env, port, args.workers)
    try:
        cookies = {user: run.login(port, user) for user in run.USERS}
        for name in rows:
            cookie = cookies[run.user_for(name)]
            run.load(port, urls[name], cookie, seconds=args.warmup, connections=args.connections)
            app, database_cpu, own = cpu_seconds(is_app), cpu_seconds(is_postgres), time.process_time()
            latencies, errors = run.load(port, urls[name], cookie, seconds=args.seconds, connections=args.connections)
            app = cpu_seconds(is_app) - app
            database_cpu = cpu_seconds(is_postgres) - database_cpu
            own = time.process_time() - own
            count = max(len(latencies), 1)
            note = f"  ({errors} errors)" if errors else ""
            sys.stdout.write(
                f"{name:<20} requests={len(latencies):>6}  p50={statistics.median(latencies or [0]):6.1f} ms"
                f"  CPU per request: app {1000 * app / count:5.2f} ms  postgres {1000 * database_cpu / count:5.2f} ms"
                f"  load generator {1000 * own / count:5.2f} ms{note}\n"
            )
            sys.stdout.flush()
    finally:
        run.stop_server(server)


if __name__ == "__main__":
    main()
