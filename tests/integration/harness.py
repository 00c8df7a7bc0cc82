"""Real processes for the integration tests: a fresh database, the broker, a loopback SMTP server,
Celery worker and beat processes started and killed like in production.

The database and broker follow the suite's own configuration: SQLite and the
filesystem transport by default, PostgreSQL and Redis when DATABASE_URL and
REDIS_URL are set, so both paths are exercised.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from aiosmtpd.controller import Controller
from django.conf import settings

logging.getLogger("mail.log").setLevel(logging.WARNING)
ROOT = Path(settings.BASE_DIR)
PYTHON = sys.executable


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailCatcher:
    """An aiosmtpd server on loopback that keeps (recipients, subject) of every message."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []
        self._lock = threading.Lock()
        self.port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.content)
        subject = str(make_header(decode_header(message.get("Subject", ""))))
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), subject))
        return "250 OK"

    def start(self) -> int:
        self.controller.start()
        return self.port

    def stop(self) -> None:
        self.controller.stop()

    def snapshot(self) -> list[tuple[list[str], str]]:
        with self._lock:
            return list(self.messages)


class Stack:
    """A fresh database plus worker and beat processes sharing it."""

    def __init__(
        self,
        tmp: Path,
        smtp_port: int,
        redis_url: str | None = None,
        *,
        postgres: bool | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        """``redis_url`` given is used as it is (flushed); otherwise the suite's Redis, database 15.
        ``postgres`` chooses the database (default: what the suite runs on); a PostgreSQL one is
        created afresh on the suite's server and dropped by ``close()``."""
        self.tmp = tmp
        self.processes: list[subprocess.Popen] = []
        self.db_name: str | None = None
        db = settings.DATABASES["default"]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
        if postgres is None:
            postgres = db["ENGINE"].endswith("postgresql")
        if postgres:
            self.db_name = f"tian_it_{uuid.uuid4().hex[:10]}"
            self._admin_sql(f'CREATE DATABASE "{self.db_name}"')
            base = urlsplit(settings.DATABASE_URL)
            env["DATABASE_URL"] = urlunsplit(base._replace(path=f"/{self.db_name}"))
        else:
            self.sqlite_path = tmp / "it.sqlite3"
            env["DATABASE_URL"] = f"sqlite:///{self.sqlite_path}"
        if redis_url is None and settings.REDIS_URL:
            # A database of its own on the suite's server, flushed at start.
            redis_url = urlunsplit(urlsplit(settings.REDIS_URL)._replace(path="/15"))
        if redis_url:
            env["REDIS_URL"] = redis_url
        else:
            env.pop("REDIS_URL", None)
        env.update(
            VAR_DIR=str(tmp / "var"),
            DEBUG="true",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_port),
            REMINDER_SCAN_INTERVAL="2",
            REMINDER_REQUEUE_SECONDS="6",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra_env or {})
        self.env = env
        self.run("manage.py", "migrate", "--no-input", "-v", "0")
        if redis_url:
            import redis

            redis.Redis.from_url(redis_url).flushdb()

    def _connect(self, dbname: str):
        import psycopg2

        db = settings.DATABASES["default"]
        conn = psycopg2.connect(
            dbname=dbname,
            user=db["USER"],
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            password=db["PASSWORD"] or None,
        )
        conn.autocommit = True
        return conn

    def _admin_sql(self, sql: str) -> None:
        conn = self._connect("postgres")
        with conn.cursor() as cursor:
            cursor.execute(sql)
        conn.close()

    def sql(self, sql: str) -> list[tuple]:
        """Rows of a read-only query on the stack's database, without starting a process."""
        if self.db_name:
            conn = self._connect(self.db_name)
        else:
            import sqlite3

            conn = sqlite3.connect(self.sqlite_path, timeout=30)
        try:
            cursor = conn.cursor()
            cursor.execute(sql)
            return list(cursor.fetchall())
        finally:
            conn.close()

    def run(self, *args: str, timeout: int = 300) -> str:
        result = subprocess.run(  # noqa: S603 - our own scripts
            [PYTHON, *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode:
            raise AssertionError(f"{args} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def seed(self, count: int, units: int = 3, handlers: int = 1) -> dict[str, str]:
        return json.loads(self.run("tests/integration/seed_due.py", str(count), str(units), str(handlers)))

    def query(self, code: str) -> object:
        """Evaluate an expression inside the app (a fresh process) and return its JSON value."""
        script = (
            "import json, django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); "
            f"django.setup(); import sys; sys.stdout.write(json.dumps({code}))"
        )
        return json.loads(self.run("-c", script))

    def _start(self, name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(  # noqa: S603
            [PYTHON, "-m", "celery", "-A", "config", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def start_worker(self, name: str = "worker", env: dict[str, str] | None = None) -> subprocess.Popen:
        return self._start(
            name,
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}-{uuid.uuid4().hex[:6]}@%h",
            env=env,
        )

    def start_embedded_worker(self, name: str = "worker", env: dict[str, str] | None = None) -> subprocess.Popen:
        """The worker of ``make run`` (scripts/run.sh): prefork, one child, beat inside."""
        return self._start(
            name,
            "worker",
            "--beat",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--schedule",
            str(self.tmp / "beat-schedule"),
            "-n",
            f"{name}-{uuid.uuid4().hex[:6]}@%h",
            env=env,
        )

    def start_beat(self) -> subprocess.Popen:
        return self._start("beat", "beat", "--loglevel=WARNING", "-s", str(self.tmp / "beat-schedule"))

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """kill -9, as a power cut or the OOM killer would."""
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)

    def wait_until(self, predicate, timeout: float, interval: float = 0.5) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(interval)
        return predicate()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.tmp.glob("*.log"))

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)
        if self.db_name:
            # Workers are gone; drop the database they used.
            self._admin_sql(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')


class PrivateRedis:
    """A redis-server of the test's own on a free loopback port, to stop and start at will."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import shutil

        server = shutil.which("redis-server")
        if server is None:
            raise AssertionError("redis-server is not installed (apt-get install redis-server)")
        self.process = subprocess.Popen(  # noqa: S603
            [
                server,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("private redis did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            Stack.kill(self.process)
        self.process = None


def start_web(stack: Stack, port: int) -> subprocess.Popen:
    """The app under gunicorn, as in production, on a loopback port."""
    log = open(stack.tmp / "web.log", "ab")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(  # noqa: S603
        [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "30"],
        cwd=ROOT,
        env=stack.env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    stack.processes.append(process)
    import urllib.request

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                return process
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start:\n" + stack.logs())
