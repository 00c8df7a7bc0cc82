"""A web request never waits on a broker that is down: one connection attempt, short timeouts, no
retry loop (issue 17). Asserted on behaviour (how many times the broker is dialled) and on the
configuration, not on wall-clock time, which a busy machine would break."""

from __future__ import annotations

import socket
import threading

import pytest
from celery import Celery
from django.conf import settings


class RefusingBroker:
    """A TCP server that accepts each connection and closes it at once, counting them: a broker that is down."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.accepted = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def broker():
    server = RefusingBroker()
    yield server
    server.close()


def production_app(broker_url: str) -> Celery:
    """A Celery app configured as config/celery.py configures it with REDIS_URL set."""
    app = Celery("publish-probe", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=broker_url,
        broker_transport_options=settings.REDIS_BROKER_TRANSPORT_OPTIONS,
        task_always_eager=False,
    )
    return app


def test_a_publish_to_a_dead_broker_dials_it_once_and_gives_up(broker):
    app = production_app(f"redis://127.0.0.1:{broker.port}/0")

    @app.task(name="probe")
    def probe():  # pragma: no cover - never runs: the publish fails
        return None

    with pytest.raises(Exception):  # noqa: B017 - whatever kombu raises; the count below is the point
        probe.apply_async()

    # No retry loop: kombu's reconnect (which sleeps 2 s before retrying), Celery's publish retry
    # and redis-py's own retries would each dial again.
    assert broker.accepted == 1


def test_publishing_is_configured_to_fail_fast():
    options = settings.REDIS_BROKER_TRANSPORT_OPTIONS
    assert options["max_retries"] == 0
    assert options["socket_connect_timeout"] <= 1
    assert options["socket_timeout"] <= 2
    assert settings.CELERY_TASK_PUBLISH_RETRY is False
    assert settings.CELERY_BROKER_CONNECTION_TIMEOUT <= 1
