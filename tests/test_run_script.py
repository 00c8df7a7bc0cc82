"""`make run`'s script (scripts/run.sh): the banner appears only once the address answers, and it names
every demo login with the real password, once; the README names every login too."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from responses.demo.people import USERS

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class RunScriptTests(SimpleTestCase):
    def stub_python(self, folder: Path) -> Path:
        """A stand-in for the venv's python: no Celery worker, and a plain HTTP server that starts listening
        a moment after it is launched (as runserver does), so a banner printed too early is caught."""
        stub = folder / "python"
        stub.write_text(
            textwrap.dedent(
                f"""\
                #!/usr/bin/env bash
                if [ "$1" = "-m" ] && [ "$2" = "celery" ]; then exec sleep 600; fi
                if [ "$1" = "manage.py" ] && [ "$2" = "runserver" ]; then
                    sleep 2
                    exec {sys.executable} -m http.server "${{3##*:}}" --bind "${{3%:*}}"
                fi
                exec {sys.executable} "$@"
                """
            )
        )
        stub.chmod(0o755)
        return stub

    def test_the_banner_waits_for_the_server_and_shows_the_real_password_once(self):
        import tempfile

        port = free_port()
        with tempfile.TemporaryDirectory() as folder:
            env = {
                **os.environ,
                "PY": str(self.stub_python(Path(folder))),
                "DEMO_PASSWORD": "banner-check-password",
                "DJANGO_SETTINGS_MODULE": "config.settings",
            }
            process = subprocess.Popen(
                ["bash", "scripts/run.sh", "127.0.0.1", str(port)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                start_new_session=True,
            )
            try:
                lines = []
                answered_at_banner = None
                for line in process.stdout:
                    lines.append(line)
                    if "is running at" in line:
                        answered_at_banner = answers(port)
                    if "周海明" in line:
                        break
            finally:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait()
        output = "".join(lines)
        self.assertTrue(answered_at_banner, output)
        self.assertEqual(output.count("banner-check-password"), 1, output)
        self.assertNotIn("settings.DEMO_PASSWORD", output)
        for user in USERS:
            with self.subTest(login=user.username):
                self.assertRegex(output, rf"\b{user.username}\b")

    def test_the_readme_names_every_demo_login(self):
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        named = set(re.findall(r"^\| `([a-z]+)` \|", readme, flags=re.MULTILINE))
        self.assertEqual(named, {user.username for user in USERS})
