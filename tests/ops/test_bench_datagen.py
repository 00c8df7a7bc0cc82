"""bench/datagen.py, which loads the bench set with raw SQL (COPY, INSERT … SELECT): it must keep up with the
models. A column added with a Django default but no database default (issue 21's confirmed_on_paper) broke
it once without any test noticing. Here it builds a small set in a database of its own, on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import unittest
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def _server_url() -> str:
    """The test database server's address, as bench/datagen.py takes it."""
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


@pytest.mark.postgres
@unittest.skipUnless(connection.vendor == "postgresql", "loads with COPY and INSERT … SELECT: needs PostgreSQL")
def test_the_bench_set_is_generated_for_the_current_models():
    name = f"tian_datagen_test_{uuid.uuid4().hex[:8]}"
    url = f"{_server_url()}/{name}"
    try:
        result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
            [sys.executable, "bench/datagen.py", "--size", "1500", "--database", url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        counts = dict(part.split("=") for part in result.stdout.strip().splitlines()[-1].split())
        assert counts["proposals"] == "1,500"
        for table in ("assignments", "replies", "feedback"):
            assert int(counts[table].replace(",", "")) > 0, counts
    finally:
        admin = psycopg2.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
