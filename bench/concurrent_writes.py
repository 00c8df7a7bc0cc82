"""Concurrent writes on the embedded default: SQLite under gunicorn (2 workers x 4 threads).

Usage: .venv/bin/python bench/concurrent_writes.py [--writes 200] [--sessions 20]

Builds the demo data (manage.py seed_demo) in a database of its own under a temporary folder,
serves it with gunicorn's threaded workers, signs in ``--sessions`` browsers (half the leader,
half the unit handler), has each of ``--writes`` threads load its form first, then sends every
POST at the same instant: supervision notes (督办) on the key proposals and reply drafts on the
assignments the handler's unit is handling (the demo has two, so most drafts meet one saved meanwhile by another
thread: a version conflict, read and refused inside the write transaction). Prints how many were
saved (a redirect), refused with a message (a page; version conflicts apart), answered "系统繁忙"
(503) and failed (any other status, or no answer). Target (issue 17): 0 failed.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


class FormFields(HTMLParser):
    """The fields of the form whose action is ``action`` (inputs, textareas, selected options)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("method", "").lower() == "post" and a.get("action", "") in ("", self.action)
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file", "checkbox", "radio"):
            self.fields[name] = a.get("value") or ""
        elif tag == "input" and name and a.get("type") in ("checkbox", "radio") and "checked" in a:
            self.fields[name] = a.get("value") or "on"
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value") or ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        # Redirects are not followed: a redirect after a POST is the answer that says "saved".
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, ""

    def sign_in(self, username: str, password: str) -> None:
        page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        self.post("/accounts/login/", {"csrfmiddlewaretoken": token, "username": username, "password": password})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tian-writes-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(VAR_DIR=tmp, DEBUG="true", LOG_LEVEL="WARNING", DEMO_PASSWORD="bench-writes-2026")
        for step in (["migrate", "--no-input", "-v", "0"], ["seed_demo"]):
            subprocess.run([PYTHON, "manage.py", *step], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
        targets = subprocess.run(  # noqa: S603
            [
                PYTHON,
                "-c",
                "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup();"
                "from proposals.models import Proposal; from responses.models import Assignment;"
                "from accounts.models import User; h = User.objects.get(username='handler');"
                "print(*Proposal.objects.filter(is_key=True).values_list('pk', flat=True));"
                "print(*Assignment.objects.filter(unit=h.unit, status='handling')"
                ".exclude(replies__status__in=['awaiting_signoff', 'signed', 'sent']).values_list('pk', flat=True))",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()
        key_proposals = [int(x) for x in targets[0].split()]
        assignments = [int(x) for x in targets[1].split()]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        log = open(Path(tmp) / "gunicorn.log", "ab")  # noqa: SIM115 - closed below
        server = subprocess.Popen(  # noqa: S603
            [
                PYTHON,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--timeout",
                "120",
                "--backlog",
                "2048",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=2).close()  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.3)
            browsers = []
            for i in range(args.sessions):
                browser = Browser(base)
                browser.sign_in("leader" if i % 2 == 0 else "handler", "bench-writes-2026")
                browsers.append((("leader" if i % 2 == 0 else "handler"), browser))
            jobs = []
            for n in range(args.writes):
                who, browser = browsers[n % len(browsers)]
                if who == "leader":
                    pk = key_proposals[n % len(key_proposals)]
                    path = f"/admin/proposals/proposal/{pk}/supervision/"
                    page = browser.get(path)
                    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
                    fields = {"csrfmiddlewaretoken": token, "body": f"请加快办理进度，第{n}次督办。"}
                else:
                    pk = assignments[n % len(assignments)]
                    path = f"/admin/responses/assignment/{pk}/reply/"
                    form = FormFields(path)
                    form.feed(browser.get(path))
                    fields = dict(form.fields)
                    fields["body"] = (fields.get("body") or "") + f"\n补充答复内容（第{n}稿）。"
                jobs.append((who, browser, path, fields))
            barrier = threading.Barrier(len(jobs))
            outcomes: Counter[str] = Counter()
            statuses: Counter[int] = Counter()
            lock = threading.Lock()

            def send(job):
                who, browser, path, fields = job
                barrier.wait()
                status, page = browser.post(path, fields)
                if status in (301, 302, 303):
                    kind = "saved"
                elif status in (200, 400) and 'data-testid="conflict"' in page:
                    kind = "refused: saved by another meanwhile (version conflict)"
                elif status in (200, 400):
                    kind = "refused with a message"
                else:
                    kind = "busy page (503)" if status == 503 else "failed"
                with lock:
                    outcomes[f"{who} {kind}"] += 1
                    statuses[status] += 1

            threads = [threading.Thread(target=send, args=(job,)) for job in jobs]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        failed = sum(v for k, v in outcomes.items() if k.endswith("failed"))
        busy = sum(v for k, v in outcomes.items() if k.endswith("(503)"))
        locked = (Path(tmp) / "gunicorn.log").read_text(errors="replace").count("database is locked")
        sys.stdout.write(
            f"{len(jobs)} simultaneous POSTs through gunicorn (2 workers x 4 threads) on SQLite in {elapsed:.1f} s\n"
        )
        for key in sorted(outcomes):
            sys.stdout.write(f"  {key}: {outcomes[key]}\n")
        sys.stdout.write(f"  statuses: {dict(sorted(statuses.items()))}\n")
        sys.stdout.write(f"failed: {failed}   busy pages: {busy}   'database is locked' in the log: {locked}\n")


if __name__ == "__main__":
    main()
