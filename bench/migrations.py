"""Every migration of the project forwards on a copy of the 50,000-proposal bench set, timed.

Usage: .venv/bin/python bench/migrations.py [--size 50000] [--database postgres://postgres@127.0.0.1:5432/tian_bench_50000]
           [--only proposals responses.0004 ...]

PostgreSQL only (the copies are made with CREATE DATABASE … TEMPLATE).

1. Builds the bench set with bench/datagen.py in its database unless it is there (the same set as
   `make bench SIZE=50000`, at the newest schema).
2. Reads the project's migrations from Django's migration graph (every app of this checkout that has
   migrations: a new app or migration is picked up without a list here), in the order `migrate`
   applies them.
3. For each one: copies the bench database (CREATE DATABASE <bench>_mig TEMPLATE <bench>); on the
   copy, unapplies that migration and everything that depends on it (Django's backwards plan, through
   its executor: what `migrate` would do to stand just before it); asks `manage.py upgrade_check`'s
   assessment (ops.upgrade.assess) which of its operations lock a table and for about how long; applies
   that one migration forwards through the executor and times it as `migrate -v 3` does (from
   "apply_start" to "apply_success": its operations, deferred SQL, commit and record); checks that it is
   recorded as applied and that the big tables kept their rows; drops the copy.
4. Prints a table: migration, forward seconds, the migrations unapplied to stand before it (and their
   seconds), the big tables' rows after the forward step, and whether all went well; then a line for
   every locking operation upgrade_check finds, with its estimate, whether it would warn
   (UPGRADE_BIG_TABLE_ROWS) and the migration's measured time.

Rows: reversing an app's first migration drops the app's tables and their rows with them; its forward
step then creates them empty ("created empty"). Tables that only older schemas had (dashboard's
counters) are not in the bench set, which is generated at the newest schema: their migrations run on
empty tables. A migration that cannot be unapplied (an operation without a reverse) is reported as
"cannot stand before it": give it a reverse (a no-op one for a data fill of derived fields), or time it
on a set generated at the schema before it. Exits with 1 when a migration failed or a table lost rows.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import datagen  # noqa: E402

SIZE = 50_000
# Short column names for the big tables of the bench set (bench/datagen.py), in its order.
SHORT = {
    "proposals_proposal": "proposals",
    "proposals_proposer": "proposers",
    "responses_assignment": "assignments",
    "responses_reply": "replies",
    "responses_feedback": "feedback",
    "dashboard_proposalfacts": "facts",
}

Node = tuple[str, str]
Counts = dict[str, int | None]


def project_apps() -> set[str]:
    """The apps of this checkout: packages directly under the project's root, not installed libraries."""
    from django.apps import apps

    return {config.label for config in apps.get_app_configs() if Path(config.path).resolve().parent == ROOT}


def project_migrations(connection) -> list[Node]:
    """The project's migrations in the order `migrate` applies them to an empty database."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    ours = project_apps()
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
    return [(m.app_label, m.name) for m, _backwards in plan if m.app_label in ours]


def select(nodes: list[Node], only: list[str]) -> list[Node]:
    """The migrations named by ``only`` ("proposals", "proposals.0008", "proposals.0008_search_grams")."""
    if not only:
        return nodes
    chosen = [n for n in nodes if any(n[0] == w or f"{n[0]}.{n[1]}".startswith(w) for w in only if w)]
    if not chosen:
        raise SystemExit(f"no project migration matches {' '.join(only)}")
    return chosen


def reversal_plan(graph, node: Node, applied) -> list[Node]:
    """What the executor unapplies to stand just before ``node``: the applied migrations that depend on
    it, directly or not, in any app, dependents first, then ``node`` itself (its graph's backwards plan).
    `migrate APP PREVIOUS` would unapply the same, plus any sibling branch of the app after PREVIOUS."""
    return [n for n in graph.backwards_plan(node) if n in applied]


def count_rows(connection) -> Counts:
    """Rows of each big table of the bench set; None for a table that does not exist at this schema."""
    found: Counts = {}
    with connection.cursor() as cursor:
        for table in datagen.BIG_TABLES:
            cursor.execute("SELECT to_regclass(%s)", [table])
            if cursor.fetchone()[0] is None:
                found[table] = None
                continue
            # Names from datagen.BIG_TABLES, quoted; no outside input.
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # nosec B608
            found[table] = cursor.fetchone()[0]
    return found


@dataclass
class Timing:
    """One migration applied forwards on a fresh copy, and what the copy's big tables held around it."""

    migration: str
    unapplied: int = 0  # migrations unapplied to stand before it, itself included
    unapply_seconds: float = 0.0
    seconds: float | None = None  # the forward step; None when it failed
    bench: Counts = field(default_factory=dict)  # the fresh copy
    before: Counts = field(default_factory=dict)  # after the reversal
    after: Counts = field(default_factory=dict)  # after the forward step
    locks: list = field(default_factory=list)  # ops.upgrade.Lock
    recorded: bool = False
    error: str = ""

    @property
    def lost(self) -> list[str]:
        """Big tables with fewer rows than before: in the forward step, or in a reversal that kept them."""
        lost = []
        for table, rows in self.after.items():
            earlier = self.before.get(table)
            if rows is not None and earlier is not None and rows < earlier:
                lost.append(table)
        for table, rows in self.before.items():
            if rows is not None and (self.bench.get(table) or 0) > rows and table not in lost:
                lost.append(table)
        return lost

    @property
    def created_empty(self) -> list[str]:
        """Big tables that the reversal dropped (with their rows) and this migration creates again."""
        return [
            t for t, rows in self.after.items() if rows is not None and self.before.get(t) is None and self.bench.get(t)
        ]

    @property
    def dropped(self) -> list[str]:
        """Big tables that the reversal dropped and this migration does not create: it runs without them."""
        return [
            t
            for t, rows in self.bench.items()
            if rows is not None and self.before.get(t) is None and self.after.get(t) is None
        ]

    @property
    def ok(self) -> bool:
        return not self.error and self.recorded and not self.lost

    def status(self) -> str:
        if self.error:
            return f"FAILED: {self.error}"
        if not self.recorded:
            return "FAILED: not recorded as applied"
        if self.lost:
            return "ROWS LOST: " + ", ".join(
                f"{SHORT.get(t, t)} {self.before.get(t)}→{self.after.get(t)}" for t in self.lost
            )
        notes = []
        if self.created_empty:
            notes.append("created empty: " + ", ".join(SHORT.get(t, t) for t in self.created_empty))
        if self.dropped:
            notes.append("without (dropped by the reversal): " + ", ".join(SHORT.get(t, t) for t in self.dropped))
        return "; ".join(["ok", *notes])


def _admin_params(settings_dict: dict) -> dict:
    params = {"dbname": "postgres", "host": settings_dict["HOST"] or None, "port": settings_dict["PORT"] or None}
    params["user"] = settings_dict["USER"] or None
    if settings_dict["PASSWORD"]:
        params["password"] = settings_dict["PASSWORD"]
    return params


def _admin(settings_dict: dict, statement: str) -> None:
    import psycopg2

    conn = psycopg2.connect(**_admin_params(settings_dict))
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
    finally:
        conn.close()


def copy_name(source: str) -> str:
    return f"{source[:59]}_mig"


def make_copy(settings_dict: dict, source: str, copy: str) -> None:
    """A fresh copy of ``source``; nothing may be connected to it meanwhile (PostgreSQL's rule)."""
    import psycopg2

    conn = psycopg2.connect(**_admin_params(settings_dict))
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
            # FILE_COPY (PostgreSQL 15+) copies the files instead of writing the whole database to the WAL.
            strategy = " STRATEGY FILE_COPY" if conn.server_version >= 150000 else ""
            try:
                cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"{strategy}')
            except psycopg2.errors.ObjectInUse as error:
                raise SystemExit(
                    f"another session is connected to {source} (a `make bench` server?): {error}"
                ) from error
    finally:
        conn.close()


@contextlib.contextmanager
def on_database(name: str):
    """Django's default connection on database ``name`` meanwhile. The default alias, not another one:
    data migrations use the models' default manager, which would otherwise write to the source."""
    from django.db import connection

    previous = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield connection
    finally:
        connection.close()
        connection.settings_dict["NAME"] = previous


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}".splitlines()[0][:200]


def time_migration(source: str, node: Node) -> Timing:
    """Copy ``source``, stand just before ``node`` on the copy, apply ``node`` forwards and time it.
    The copy is dropped afterwards; ``source`` is never written."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.recorder import MigrationRecorder

    from ops.upgrade import assess, row_count

    timing = Timing(f"{node[0]}.{node[1]}")
    settings_dict = dict(connection.settings_dict)
    copy = copy_name(source)
    connection.close()
    make_copy(settings_dict, source, copy)
    try:
        with on_database(copy) as conn:
            timing.bench = count_rows(conn)
            clock: dict[str, float] = {}

            def progress(action, migration=None, fake=False):
                if action in ("apply_start", "unapply_start"):
                    clock["start"] = time.monotonic()
                elif action == "unapply_success":
                    timing.unapply_seconds += time.monotonic() - clock["start"]
                elif action == "apply_success":
                    timing.seconds = time.monotonic() - clock["start"]

            executor = MigrationExecutor(conn, progress)
            graph = executor.loader.graph
            plan = reversal_plan(graph, node, executor.loader.applied_migrations)
            timing.unapplied = len(plan)
            try:
                executor.migrate([], plan=[(graph.nodes[n], True) for n in plan])
            except Exception as error:  # an irreversible migration among them: reported, the run goes on
                timing.error = "cannot stand before it: " + _describe(error)
                return timing
            timing.before = count_rows(conn)
            executor = MigrationExecutor(conn, progress)
            migration = executor.loader.graph.nodes[node]
            state = executor.loader.project_state(node, at_end=False)
            timing.locks = assess(migration, state, lambda table: row_count(table))
            try:
                executor.migrate([node], plan=[(migration, False)])
            except Exception as error:  # reported in the table; the run goes on with the next migration
                timing.seconds = None
                timing.error = _describe(error)
                conn.close()
            timing.recorded = node in MigrationRecorder(conn).applied_migrations()
            timing.after = count_rows(conn)
    finally:
        _admin(settings_dict, f'DROP DATABASE IF EXISTS "{copy}"')
    return timing


def _rows(counts: Counts, table: str) -> str:
    rows = counts.get(table)
    return "—" if rows is None else f"{rows:,}"


def table(timings: list[Timing]) -> list[str]:
    names = [SHORT.get(t, t) for t in datagen.BIG_TABLES]
    head = ["migration", "forward s", "unapplied (s)", *names, "status"]
    rows = [
        [
            t.migration,
            "—" if t.seconds is None else f"{t.seconds:.2f}",
            f"{t.unapplied} ({t.unapply_seconds:.1f})",
            *(_rows(t.after, table) for table in datagen.BIG_TABLES),
            t.status(),
        ]
        for t in timings
    ]
    return _markdown(head, rows)


def _operations(locks: list) -> str:
    """upgrade_check's locks of one migration, grouped: "Create index ×9 proposals_proposal (50,000 rows)"."""
    groups: dict[tuple[str, str, str], int] = {}
    for lock in locks:
        verb = " ".join(lock.operation.split()[:2])
        rows = "rows unknown" if lock.rows is None else f"{lock.rows:,} rows"
        key = (verb, lock.table or "the tables it touches", rows)
        groups[key] = groups.get(key, 0) + 1
    return "; ".join(f"{verb}{f' ×{n}' if n > 1 else ''} {table} ({rows})" for (verb, table, rows), n in groups.items())


def lock_lines(timings: list[Timing]) -> list[str]:
    """A line per migration with a lock upgrade_check would report on rows (a table that holds some, or a
    data migration): what it lists, its estimate, whether it warns (big table or rows unknown), and the
    measured time. Locks of tables that are empty at that point (new ones) are left out."""
    from django.conf import settings

    head = ["migration", "what upgrade_check lists", "estimate s", "warns", "measured s"]
    rows = []
    for t in timings:
        locks = [lock for lock in t.locks if lock.rows != 0]
        if not locks:
            continue
        known = [lock.seconds for lock in locks if lock.seconds is not None]
        estimate = f"{sum(known):.2f}" if known else ""
        if len(known) < len(locks):
            estimate = f"{estimate} + unknown" if estimate else "unknown"
        rows.append(
            [
                t.migration,
                _operations(locks).replace("|", "/"),
                estimate,
                "yes" if any(lock.big for lock in locks) else "no",
                "—" if t.seconds is None else f"{t.seconds:.2f}",
            ]
        )
    lines = _markdown(head, rows)
    lines.append(
        f"(upgrade_check warns at UPGRADE_BIG_TABLE_ROWS = {settings.UPGRADE_BIG_TABLE_ROWS:,} rows, or rows unknown)"
    )
    return lines


def _markdown(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _load() -> str:
    """The machine's load averages (1, 5, 15 min): the figures are only as quiet as the machine was."""
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=SIZE)
    parser.add_argument("--database", default="", help="default: the bench database of that size (datagen)")
    parser.add_argument("--only", nargs="*", default=[], help="app labels or app.migration prefixes")
    args = parser.parse_args()
    args.database = args.database or datagen.database_for(args.size)
    started = time.monotonic()
    datagen.ensure_database(args.database)
    datagen.setup_django(args.database)
    generated = datagen.ensure(args.database, args.size)
    say = sys.stdout.write
    say(f"data generated in {generated:.0f} s\n" if generated is not None else "data already present\n")

    from django.db import connection

    source = connection.settings_dict["NAME"]
    say(
        "bench set: "
        + ", ".join(f"{SHORT.get(t, t)} {_rows(count_rows(connection), t)}" for t in datagen.BIG_TABLES)
        + "\n"
    )
    nodes = select(project_migrations(connection), args.only)
    say(f"{len(nodes)} migrations, each on a fresh copy of {source}; load average {_load()}\n")
    timings = []
    for node in nodes:
        began = time.monotonic()
        timing = time_migration(source, node)
        timings.append(timing)
        seconds = "—" if timing.seconds is None else f"{timing.seconds:.2f} s"
        say(
            f"  {timing.migration}: {seconds} ({timing.status()}; {time.monotonic() - began:.0f} s with copy and reversal)\n"
        )
        sys.stdout.flush()
    say("\n" + "\n".join(table(timings)) + "\n\n")
    say("Locks that upgrade_check reports, against the measured time:\n" + "\n".join(lock_lines(timings)) + "\n")
    say(f"\nwhole run: {time.monotonic() - started:.0f} s; load average {_load()}\n")
    if not all(t.ok for t in timings):
        sys.exit(1)


if __name__ == "__main__":
    main()
