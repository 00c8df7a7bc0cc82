"""The short CI version of bench/reminder_chaos.py: workers killed with kill -9 while they deliver,
at least 8 counted kills, and not one reminder lost (issue 17).

On the suite's own database: SQLite with the filesystem transport and make run's worker (beat
inside), or PostgreSQL with two workers, a beat and a private redis-server (so that no other run's
Redis database is touched).
"""

from __future__ import annotations

import json
import sys

import pytest
from django.conf import settings

from tests.integration import chaos
from tests.integration.harness import ROOT, PrivateRedis

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("integration")]


def test_killing_workers_while_they_deliver_loses_no_reminder(tmp_path):
    postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    redis = None
    if settings.REDIS_URL:
        redis = PrivateRedis(tmp_path)
        redis.start()
    try:
        figures = chaos.run(
            tmp_path,
            reminders=300,
            workers=2 if postgres else 1,
            kills=8,
            postgres=postgres,
            redis_url=redis.url if redis else None,
            embedded=not postgres,
            units=30,
            handlers=2,
            max_seconds=600,
            log=lambda line: sys.stderr.write(line + "\n"),
        )
    finally:
        if redis is not None:
            redis.stop()
    report = ROOT / "var" / "reports"
    report.mkdir(parents=True, exist_ok=True)
    (report / f"reminder-chaos-{figures.database}.json").write_text(json.dumps(figures.as_dict()), encoding="utf-8")
    sys.stderr.write(f"\nreminder chaos test: {json.dumps(figures.as_dict())}\n")

    assert figures.kills_counted >= 8, figures
    assert figures.lost == 0, figures
    assert figures.db_agrees, figures
    # The in-app notifications and timeline events were written once each, whatever the kills.
    assert figures.in_app_once, figures
    # The target is 0: only a kill between the server's acceptance and the commit of the sent mark
    # (about a millisecond) sends a copy again, with the same Message-ID. At most one per kill.
    assert figures.duplicates <= figures.kills_counted, figures
