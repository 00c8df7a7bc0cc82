"""deploy/: the compose file, the systemd units and the nginx site are rendered and checked by the
tools that will run them (docker compose, systemd-analyze, nginx) where those are installed, and
their shape (non-root, read-only, secrets through *_FILE, health checks, documented variables) here."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from unittest import SkipTest, TestCase

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"
README = (ROOT / "README.md").read_text(encoding="utf-8")
APP_SERVICES = ("migrate", "web", "worker", "beat")
# Values that must only ever arrive through NAME_FILE.
SECRETS = ("SECRET_KEY", "DATABASE_URL", "EMAIL_HOST_PASSWORD", "OIDC_RP_CLIENT_SECRET")
UNITS = ("tian-web.service", "tian-worker.service", "tian-beat.service", "tian-backup.service", "tian-backup.timer")


def render(text: str, values: dict[str, str]) -> str:
    """Fill in ${TIAN_...} as envsubst does, leaving nginx's own $variables alone."""
    return re.sub(r"\$\{(TIAN_[A-Z_]+)\}", lambda m: values[m.group(1)], text)


def _tool(*command: str) -> bool:
    if shutil.which(command[0]) is None:
        return False
    return subprocess.run(command, capture_output=True, check=False).returncode == 0


def _environment_names() -> set[str]:
    """Every variable the deployment files set for the app."""
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    names = set()
    for service in APP_SERVICES:
        names |= set(compose["services"][service].get("environment", {}))
    for line in (DEPLOY / "tian.env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            names.add(line.split("=", 1)[0])
    for unit in UNITS:
        for line in (DEPLOY / "systemd" / unit).read_text(encoding="utf-8").splitlines():
            if line.startswith("Environment="):
                names |= {pair.split("=", 1)[0] for pair in line.removeprefix("Environment=").split()}
    return names


class ComposeShapeTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
        cls.services = cls.compose["services"]

    def test_it_has_web_worker_beat_postgresql_redis_and_nginx(self):
        self.assertLessEqual({"web", "worker", "beat", "db", "redis", "nginx"}, set(self.services))
        self.assertIn("gunicorn", self.services["web"]["command"])
        self.assertIn("worker", self.services["worker"]["command"])
        self.assertIn("beat", self.services["beat"]["command"])

    def test_the_app_runs_as_a_non_root_user_on_a_read_only_filesystem_but_var(self):
        for name in APP_SERVICES:
            service = self.services[name]
            self.assertNotIn(service["user"].split(":")[0], ("0", "root"), name)
            self.assertIs(service["read_only"], True, name)
            self.assertEqual(service["volumes"], ["var:/app/var"], name)
        self.assertIn("USER tian", (DEPLOY / "Dockerfile").read_text(encoding="utf-8"))

    def test_web_and_nginx_check_healthz(self):
        self.assertIn("/healthz", " ".join(self.services["web"]["healthcheck"]["test"]))
        self.assertIn("/healthz", " ".join(self.services["nginx"]["healthcheck"]["test"]))

    def test_nginx_takes_its_certificate_from_files(self):
        volumes = self.services["nginx"]["volumes"]
        self.assertIn("./tls:/etc/tian/tls:ro", volumes)
        self.assertIn(
            "ssl_certificate ${TIAN_TLS_DIR}/fullchain.pem;", (DEPLOY / "nginx/tian.conf.template").read_text()
        )


class EnvironmentTests(TestCase):
    def test_secrets_are_passed_only_as_files(self):
        names = _environment_names()
        for secret in SECRETS:
            self.assertNotIn(secret, names)
        self.assertLessEqual({"SECRET_KEY_FILE", "DATABASE_URL_FILE"}, names)

    def test_every_variable_the_deployment_sets_is_in_the_readme(self):
        undocumented = {name for name in _environment_names() if f"`{name.removesuffix('_FILE')}" not in README}
        self.assertEqual(undocumented, set())


class ToolValidationTests(TestCase):
    """The real tools, where the machine has them; each skip names the missing tool."""

    def setUp(self):
        self.tmp = Path(self.enterContext(tempfile.TemporaryDirectory(prefix="tian-deploy-")))

    def test_docker_compose_accepts_the_compose_file(self):
        if not _tool("docker", "compose", "version"):
            raise SkipTest("docker compose (Docker's compose plugin) is not installed on this machine")
        copy = self.tmp / "deploy"
        shutil.copytree(DEPLOY, copy)
        shutil.copy(copy / "tian.env.example", copy / "tian.env")
        for secret in ("secret_key", "database_url", "db_password"):
            (copy / "secrets" / secret).write_text("x")
        result = subprocess.run(
            ["docker", "compose", "-f", str(copy / "compose.yaml"), "config", "--quiet"],
            capture_output=True,
            text=True,
            check=False,
        )
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_systemd_analyze_verifies_the_units(self):
        if shutil.which("systemd-analyze") is None:
            raise SkipTest("systemd-analyze is not installed on this machine")
        etc = self.tmp / "etc"
        etc.mkdir()
        for name in ("tian.env", "secret_key", "database_url"):
            (etc / name).write_text("DEBUG=false\n" if name == "tian.env" else "x")
        units = self.tmp / "units"
        units.mkdir()
        for unit in UNITS:
            text = (DEPLOY / "systemd" / unit).read_text(encoding="utf-8")
            # Installed at /srv/tian and /etc/tian; here the checkout (with its .venv) stands for them.
            text = text.replace("/srv/tian", str(ROOT)).replace("/etc/tian", str(etc))
            (units / unit).write_text(text, encoding="utf-8")
        result = subprocess.run(
            ["systemd-analyze", "verify", "--man=no", *(str(units / u) for u in UNITS)],
            capture_output=True,
            text=True,
            check=False,
        )
        problems = [line for line in result.stderr.splitlines() if "tian" in line]
        self.assertEqual(problems, [], result.stderr)

    def test_nginx_accepts_the_rendered_site(self):
        if shutil.which("nginx") is None:
            raise SkipTest("nginx is not installed on this machine (apt-get install nginx)")
        tls = self.tmp / "tls"
        tls.mkdir()
        _self_signed(tls, "tian.example.org")
        site = render(
            (DEPLOY / "nginx" / "tian.conf.template").read_text(encoding="utf-8"),
            {
                "TIAN_UPSTREAM": "127.0.0.1:8000",
                "TIAN_SERVER_NAME": "tian.example.org",
                "TIAN_TLS_DIR": str(tls),
                "TIAN_MONITORING_NETWORK": "10.8.0.0/24",
            },
        )
        self.assertNotIn("${", site)
        (self.tmp / "tian.conf").write_text(site, encoding="utf-8")
        temp = self.tmp / "temp"
        temp.mkdir()
        (self.tmp / "nginx.conf").write_text(
            f"pid {self.tmp}/nginx.pid;\nerror_log {self.tmp}/error.log;\nevents {{}}\n"
            f"http {{\n  access_log off;\n  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
            f"  include {self.tmp}/tian.conf;\n}}\n",
            encoding="utf-8",
        )
        result = subprocess.run(
            ["nginx", "-t", "-p", str(self.tmp), "-c", str(self.tmp / "nginx.conf")],
            capture_output=True,
            text=True,
            check=False,
        )
        self.assertEqual(result.returncode, 0, result.stderr)


def _self_signed(folder: Path, host: str) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
