"""`make bench`: the dashboard and lists at scale, against the stock Django admin on the same data.

Usage: .venv/bin/python bench/run.py --size 1000000 [--database postgres://postgres@127.0.0.1:5432/tian_bench]
(default database: tian_bench for 1,000,000 proposals, tian_bench_<size> otherwise)
           [--seconds 15] [--warmup 3] [--connections 4] [--workers 2] [--port 8765]

1. Generates the data set in a PostgreSQL database of its own unless it is there
   (bench/datagen.py: proposals, ~3x assignments, replies, feedback, the list columns).
2. Serves the app with gunicorn on loopback: 2 sync workers, the shared cache on Redis
   (BENCH_REDIS_URL, default database 12, emptied first), persistent database
   connections, DEBUG off, plus the stock admin baseline (bench/settings.py).
3. Signs in through the login form (a session cookie per user), then for each URL
   runs a warm-up and at least ``--seconds`` of load from ``--connections``
   concurrent connections, and prints requests, p50 and p95. The floor is measured
   first and last, its samples pooled (the machine is shared; its load drifts).
4. Writes bench/results.json and prints our speed-up over the stock admin.

Rows: floor (a trivial signed-in view: the stack's own cost), dashboard,
proposal_list_p1, proposal_list_deep (10,000 rows deep with a filter, by keyset),
proposal_search (a two-character Chinese word through proposals.search), unit_assignments
(a unit handler's own list), and stock_admin_p1 / _filtered / _deep (a plain ModelAdmin of
Proposal with list_filter and search_fields: page 1, the deep row's filter on page 1, and the
same filter 10,000 rows deep). Only loopback addresses are ever contacted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import datagen  # noqa: E402

HOST = "127.0.0.1"
DEPTH = 10_000
MAX_REQUESTS = 200_000  # per URL: the loops are bounded in count as well as in time
SEARCH_WORD = "时尚"
ROWS = [
    "floor",
    "dashboard",
    "proposal_list_p1",
    "proposal_list_deep",
    "proposal_search",
    "unit_assignments",
    "stock_admin_p1",
    "stock_admin_filtered",
    "stock_admin_deep",
]


# The shared cache of production (Django's RedisCache), in a Redis database of the benchmark's own,
# emptied before each run so that nothing cached by an earlier run (of other data) is served.
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


def server_env(database: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database,
        DB_CONN_MAX_AGE="600",
        DEBUG="false",
        SECRET_KEY="bench-" + secrets.token_hex(24),
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        STATIC_ROOT=str(ROOT / "var" / "bench" / "static"),
        PYTHONPATH=str(ROOT),
    )
    env["REDIS_URL"] = BENCH_REDIS_URL
    return env


def empty_cache() -> None:
    import redis

    redis.Redis.from_url(BENCH_REDIS_URL, socket_connect_timeout=2).flushdb()


def collect_static(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "config.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--timeout",
        "300",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if process.poll() is not None:
            raise SystemExit("gunicorn exited before it answered (is the port free?)")
        try:
            status, _body, _headers = request(port, "/healthz", {})
            if status in (200, 503):
                return process
        except OSError:
            pass
    stop_server(process)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def request(port: int, path: str, headers: dict[str, str], *, method: str = "GET", body: bytes | None = None):
    connection = http.client.HTTPConnection(HOST, port, timeout=300)
    try:
        connection.request(method, path, body=body, headers={"Host": HOST, "Connection": "close", **headers})
        response = connection.getresponse()
        data = response.read()
        return response.status, data, response.getheaders()
    finally:
        connection.close()


def _cookies(headers) -> dict[str, str]:
    found = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            found[key.strip()] = rest.split(";", 1)[0]
    return found


def login(port: int, username: str) -> str:
    """Signs in through the login form like a browser; returns the Cookie header of the session."""
    status, body, headers = request(port, "/accounts/login/", {})
    cookies = _cookies(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not token or "csrftoken" not in cookies:
        raise SystemExit(f"cannot read the login form ({status})")
    form = urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": datagen.BENCH_PASSWORD}
    ).encode()
    status, _body, headers = request(
        port,
        "/accounts/login/",
        {"Cookie": f"csrftoken={cookies['csrftoken']}", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
        body=form,
    )
    session = _cookies(headers).get("sessionid")
    if status != 302 or not session:
        raise SystemExit(f"login as {username} failed ({status})")
    return f"sessionid={session}"


def load(port: int, path: str, cookie: str, *, seconds: float, connections: int) -> tuple[list[float], int]:
    """``connections`` threads request ``path`` until ``seconds`` have passed; latencies in ms, and errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    per_thread = MAX_REQUESTS // connections

    def worker() -> None:
        mine: list[float] = []
        failed = 0
        for _ in range(per_thread):
            if time.monotonic() >= deadline:
                break
            started = time.perf_counter()
            try:
                status, _body, _headers = request(port, path, {"Cookie": cookie})
            except OSError:
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            if status == 200:
                mine.append(elapsed)
            else:
                failed += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors[0]


USERS = ("bench", "bench_unit")


def user_for(row: str) -> str:
    """The bench user a row is asked as: the unit handler for the unit's list, committee staff otherwise."""
    return "bench_unit" if row == "unit_assignments" else "bench"


def tool_parser(description: str, default_rows: list[str]) -> argparse.ArgumentParser:
    """The arguments the tools beside `make bench` share: the rows to measure, the data set's size and database."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rows", nargs="*", help=f"any of {', '.join(ROWS)} (default: {' '.join(default_rows)})")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", ""))
    return parser


def tool_rows(
    parser: argparse.ArgumentParser, args: argparse.Namespace, default_rows: list[str]
) -> tuple[list[str], str]:
    """The rows asked for (refusing unknown ones) and the data set's database."""
    rows = args.rows or default_rows
    unknown = sorted(set(rows) - set(ROWS))
    if unknown:
        parser.error(f"unknown rows: {', '.join(unknown)}")
    return rows, args.database or datagen.database_for(args.size)


def require_data(size: int, database: str) -> None:
    if not datagen.present(size):
        raise SystemExit(f"no complete data set of {size:,} proposals in {database}: run `make bench` first")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def targets(database: str) -> dict[str, str]:
    """The URLs of the rows; the deep rows need a key 10,000 rows into the filtered list."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM proposals_proposal WHERE status = 'closed'")
        closed = c.fetchone()[0]
        depth = min(DEPTH, max(closed - 60, 0))
        c.execute(
            "SELECT id FROM proposals_proposal WHERE status = 'closed' ORDER BY id DESC OFFSET %s LIMIT 1", [depth - 1]
        )
        after = c.fetchone()[0]
    if depth < DEPTH:
        sys.stdout.write(f"note: only {closed:,} closed proposals, so the deep rows are {depth:,} rows deep\n")
    stock_page = depth // 100 + 1  # the stock changelist shows 100 rows a page, numbered from 1
    return {
        "floor": "/dashboard/ping",
        "dashboard": "/dashboard/",
        "proposal_list_p1": "/dashboard/proposals/",
        "proposal_list_deep": f"/dashboard/proposals/?status=closed&after={after}&n={depth + 1}",
        "proposal_search": f"/dashboard/proposals/?q={quote(SEARCH_WORD)}",
        "unit_assignments": "/dashboard/assignments/",
        "stock_admin_p1": "/stock-admin/proposals/proposal/",
        "stock_admin_filtered": "/stock-admin/proposals/proposal/?status__exact=closed",
        "stock_admin_deep": f"/stock-admin/proposals/proposal/?status__exact=closed&p={stock_page}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument(
        "--database", default=os.environ.get("BENCH_DATABASE_URL", ""), help="default: see database_for"
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per URL (at least 15)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of warm-up per URL")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--only", nargs="*", choices=ROWS, help="measure these rows only")
    args = parser.parse_args()
    args.database = args.database or datagen.database_for(args.size)

    datagen.ensure_database(args.database)
    datagen.setup_django(args.database)
    started = time.perf_counter()
    generated = datagen.ensure(args.database, args.size)
    if generated is None:
        sys.stdout.write(f"data: {args.size:,} proposals already present\n")
    else:
        sys.stdout.write(f"data: generated in {generated:.0f} s\n")
    sys.stdout.write("data: " + ", ".join(f"{n:,} {name}" for name, n in datagen.counts().items()) + "\n")
    urls = targets(args.database)
    from django.db import connections

    connections.close_all()

    if not args.port:
        args.port = free_port()
    env = server_env(args.database, args.port)
    empty_cache()
    collect_static(env)
    server = start_server(env, args.port, args.workers)
    results = []
    try:
        cookies = {user: login(args.port, user) for user in USERS}
        names = args.only or ROWS
        samples: dict[str, tuple[list[float], int]] = {}
        # The floor is measured first and again last, and its samples pooled: on a shared machine the
        # load of others comes and goes, and the reference should not hang on one moment of it.
        plan = [*names, "floor"] if "floor" in names and len(names) > 1 else list(names)
        for name in plan:
            cookie = cookies[user_for(name)]
            status, _body, _headers = request(args.port, urls[name], {"Cookie": cookie})
            if status != 200:
                raise SystemExit(f"{name}: {urls[name]} answered {status}")
            load(args.port, urls[name], cookie, seconds=args.warmup, connections=args.connections)
            latencies, errors = load(args.port, urls[name], cookie, seconds=args.seconds, connections=args.connections)
            before, failed = samples.get(name, ([], 0))
            samples[name] = (before + latencies, failed + errors)
            sys.stdout.write(f"  measured {name}: {len(latencies)} requests\n")
            sys.stdout.flush()
        for name in names:
            latencies, errors = samples[name]
            row = {
                "name": name,
                "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
                "p95_ms": round(percentile(latencies, 95), 1) if latencies else None,
                "requests": len(latencies),
            }
            results.append(row)
            note = f"  ({errors} errors)" if errors else ""
            sys.stdout.write(
                f"{name:<22} requests={row['requests']:>6}  p50={row['p50_ms']:>8} ms  p95={row['p95_ms']:>8} ms{note}\n"
            )
    finally:
        stop_server(server)

    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    report(results, urls)
    sys.stdout.write(f"total time {time.perf_counter() - started:.0f} s; results in bench/results.json\n")


def report(results: list[dict], urls: dict[str, str]) -> None:
    by_name = {row["name"]: row for row in results}

    def p95(name: str) -> float | None:
        row = by_name.get(name)
        return row["p95_ms"] if row else None

    pairs = [
        ("page 1", "proposal_list_p1", "stock_admin_p1"),
        ("filtered", "proposal_list_deep", "stock_admin_filtered"),
        ("deep", "proposal_list_deep", "stock_admin_deep"),
    ]
    sys.stdout.write("\nspeed-up over the stock admin (p95):\n")
    for label, ours, stock in pairs:
        if p95(ours) and p95(stock):
            sys.stdout.write(
                f"  {label:<9} {p95(stock):>9.1f} ms / {p95(ours):>7.1f} ms = {p95(stock) / p95(ours):6.1f}x"
                f"   ({stock} vs {ours})\n"
            )
    floor = p95("floor")
    if floor:
        floor50 = by_name["floor"]["p50_ms"]
        sys.stdout.write(f"\nagainst the floor (p95 {floor:.1f} ms, p50 {floor50:.1f} ms):\n")
        for name in ("dashboard", "proposal_list_p1", "proposal_list_deep", "proposal_search", "unit_assignments"):
            if p95(name):
                limit = 3 if name == "dashboard" else 2.5  # issue 16's targets
                ratio = p95(name) / floor
                verdict = "ok" if ratio <= limit else "over"
                sys.stdout.write(
                    f"  {name:<20} p95 {ratio:5.2f}x the floor's (target {limit}x): {verdict:<4}"
                    f"   p50 {by_name[name]['p50_ms'] / floor50:5.2f}x\n"
                )


if __name__ == "__main__":
    main()
