"""Keeps pytest-xdist's workers (`make test` runs the suite on two) out of each other's way.

Loaded with ``-p tests.conftest_xdist`` (pyproject's addopts) so that it runs before pytest-django
reads the settings, which take these from the environment:

- ``VAR_DIR``: each worker gets its own folder (attachments, the filesystem broker, mail files,
  Celery beat's schedule), so no worker reads or deletes another's files;
- ``REDIS_URL``: each worker uses its own Redis database number (the base number plus the worker's
  index), so that clearing the cache or the broker in one worker cannot touch another's keys, and a
  value cached from one worker's test database is never read by another.

The test databases need nothing here: pytest-django suffixes their names per worker
(``test_tian_gw0``, ...), and an SQLite test database without a name lives in memory.
Servers the tests start (the live server, SMTP, gunicorn, a private Redis) take a free port each.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# Redis has databases 0-15 by default; the integration harness keeps 15 for its own processes.
REDIS_DATABASES = 15


def worker_redis_url(url: str, index: int) -> str:
    """``url`` with its database number moved up by the worker's index (wrapping below 15)."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + index) % REDIS_DATABASES}"))


def _isolate_worker() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ... set by xdist before pytest starts
    if not worker:
        return
    index = int(worker.removeprefix("gw") or 0)
    root = Path(__file__).resolve().parent.parent
    var = Path(os.environ.get("VAR_DIR") or root / "var")
    os.environ["VAR_DIR"] = str(var / "xdist" / worker)
    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], index)


_isolate_worker()
