"""The worker heartbeat through real processes: a Celery worker writes it, gunicorn's /healthz reads it,
and a worker killed like a power cut shows as degraded once its heartbeat is stale."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.integration.harness import MailCatcher, Stack, _free_port, start_web

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("integration")]


def _health(port: int) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def test_healthz_follows_the_heartbeat_of_a_real_worker(tmp_path):
    mail = MailCatcher()
    stack = Stack(tmp_path, mail.start())
    stack.env.update(WORKER_HEARTBEAT_SECONDS="1", WORKER_HEARTBEAT_STALE_SECONDS="4")
    try:
        port = _free_port()
        start_web(stack, port)
        assert _health(port)["worker"] == "degraded", "no worker has run yet"

        worker = stack.start_worker()
        alive = stack.wait_until(lambda: _health(port)["worker"] == "ok", timeout=60)
        assert alive, stack.logs()
        beats = stack.query(
            "list(__import__('ops.models', fromlist=['x']).WorkerHeartbeat.objects.values_list('hostname', flat=True))"
        )
        assert len(beats) == 1 and beats[0].startswith("worker-")

        stack.kill(worker)
        gone = stack.wait_until(lambda: _health(port)["worker"] == "degraded", timeout=30)
        assert gone, "a dead worker still counted as alive"
        assert _health(port)["database"] == "ok"
    finally:
        stack.close()
        mail.stop()
