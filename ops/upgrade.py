"""What `make upgrade` checks before it migrates: the migrations still to apply, and each operation that
locks a large table while it runs, with the table's row count and a rough time.

On PostgreSQL, building an index (AddIndex, unique fields, AlterUniqueTogether) blocks writes to the
table; changing a column's type (AlterField) or validating a new constraint (AddConstraint) rewrites or
scans it under a lock; a data migration (RunPython, RunSQL) may touch every row. Adding a nullable
column, renaming and dropping are quick and not listed, nor is an AlterField that PostgreSQL does not
see (choices, a default, a verbose name). bench/migrations.py times every migration on the bench set
against these estimates (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, migrations
from django.db.migrations.executor import MigrationExecutor

# Rows per second, from the figures in docs/performance.md (a million proposals: the status indexes of
# proposals.0005 in under 5 s; VACUUM FULL, a full rewrite, in 93 s). Rough: the estimate says minutes
# or hours, not seconds.
INDEX_ROWS_PER_SECOND = 200_000
REWRITE_ROWS_PER_SECOND = 11_000

INDEX_OPERATIONS = (migrations.AddIndex, migrations.AlterUniqueTogether, migrations.AlterIndexTogether)
REWRITE_OPERATIONS = (migrations.AlterField, migrations.AddConstraint)
DATA_OPERATIONS = (migrations.RunPython, migrations.RunSQL)


@dataclass(frozen=True)
class Lock:
    """One operation that holds a lock on a table for a time that grows with its rows."""

    migration: str
    operation: str
    table: str
    rows: int | None
    seconds: float | None

    @property
    def big(self) -> bool:
        return self.rows is None or self.rows >= settings.UPGRADE_BIG_TABLE_ROWS


def row_count(table: str, alias: str = "default") -> int:
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The planner's estimate: instant, and close enough for a warning.
            cursor.execute("SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE relname = %s", [table])
            row = cursor.fetchone()
            return int(row[0]) if row else 0
        # The table name comes from the migration state, quoted; no user input.
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # nosec B608
        return int(cursor.fetchone()[0])


def _kind(operation) -> str | None:
    if isinstance(operation, INDEX_OPERATIONS):
        return "index"
    if isinstance(operation, migrations.AddField) and (operation.field.unique or operation.field.db_index):
        return "index"
    if isinstance(operation, REWRITE_OPERATIONS):
        return "rewrite"
    if isinstance(operation, DATA_OPERATIONS):
        return "data"
    return None


def _changes_database(app: str, operation, state, connection) -> bool:
    """Whether an AlterField changes anything in PostgreSQL: one that only changes choices, a default, a
    verbose name or help text is Django's state alone (no SQL, no lock). Asked of Django's schema
    editor in collect mode, as `sqlmigrate` does; nothing is executed."""
    if connection.vendor != "postgresql" or not isinstance(operation, migrations.AlterField):
        return True
    after = state.clone()
    operation.state_forwards(app, after)
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        operation.database_forwards(app, editor, state, after)
    return bool(editor.collected_sql)


def assess(migration, state, rows: Callable[[str], int], alias: str = "default") -> list[Lock]:
    """The locking operations of one migration, given the project state before it."""
    found = []
    app = migration.app_label
    for operation in migration.operations:
        kind = _kind(operation)
        if kind == "rewrite" and not _changes_database(app, operation, state, connections[alias]):
            kind = None
        model_name = getattr(operation, "model_name", None) or getattr(operation, "name", None)
        if kind is not None:
            table = ""
            if kind != "data" and model_name and (app, model_name.lower()) in state.models:
                table = state.apps.get_model(app, model_name)._meta.db_table
            count = rows(table) if table else None
            rate = INDEX_ROWS_PER_SECOND if kind == "index" else REWRITE_ROWS_PER_SECOND
            found.append(
                Lock(
                    migration=f"{app}.{migration.name}",
                    operation=operation.describe(),
                    table=table,
                    rows=count,
                    seconds=None if count is None or kind == "data" else count / rate,
                )
            )
        operation.state_forwards(app, state)
    return found


def pending(alias: str = "default") -> tuple[list[str], list[Lock]]:
    """The migrations `migrate` would apply now, and the locks they would take."""
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    names, locks = [], []
    for migration, backwards in plan:
        if backwards:
            continue
        names.append(f"{migration.app_label}.{migration.name}")
        state = executor.loader.project_state((migration.app_label, migration.name), at_end=False)
        locks += assess(migration, state, lambda table: row_count(table, alias), alias)
    return names, locks
