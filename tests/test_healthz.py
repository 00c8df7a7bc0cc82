"""/healthz: database, broker, mail and worker, each ok or degraded, and nothing that names a version."""

import datetime as dt
import json
from unittest import mock

import time_machine
from django.test import TestCase, override_settings
from django.utils import timezone

from ops.heartbeat import beat
from tests.integration.harness import MailCatcher, _free_port

COMPONENTS = {"database", "broker", "mail", "worker"}
SMTP = "django.core.mail.backends.smtp.EmailBackend"


class HealthzTests(TestCase):
    def get(self):
        response = self.client.get("/healthz")
        return response, json.loads(response.content)

    def test_it_reports_each_component_as_ok_or_degraded_and_nothing_else(self):
        beat("worker-1@web")

        response, body = self.get()

        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(body), COMPONENTS | {"status"})
        self.assertEqual(body["database"], "ok")
        self.assertEqual(body["worker"], "ok")
        self.assertEqual(body["mail"], "ok")
        self.assertLessEqual({body[name] for name in COMPONENTS}, {"ok", "degraded"})

    def test_it_answers_200_degraded_when_the_broker_is_down(self):
        beat("worker-1@web")
        with mock.patch("config.health._broker_ok", side_effect=OSError("refused")):
            response, body = self.get()

        self.assertEqual(response.status_code, 200)
        self.assertEqual((body["status"], body["broker"]), ("degraded", "degraded"))

    def test_it_answers_503_when_the_database_is_down(self):
        with mock.patch("config.health._database_ok", side_effect=OSError("refused")):
            response, body = self.get()

        self.assertEqual(response.status_code, 503)
        self.assertEqual((body["status"], body["database"]), ("down", "degraded"))

    def test_the_worker_is_degraded_when_no_worker_ever_beat(self):
        _, body = self.get()

        self.assertEqual((body["status"], body["worker"]), ("degraded", "degraded"))

    @override_settings(WORKER_HEARTBEAT_STALE_SECONDS=120)
    def test_the_worker_is_degraded_when_its_newest_heartbeat_is_stale(self):
        beat("worker-1@web", now=timezone.now() - dt.timedelta(seconds=600))
        beat("worker-2@web", now=timezone.now() - dt.timedelta(seconds=60))
        _, fresh = self.get()

        with time_machine.travel(timezone.now() + dt.timedelta(seconds=121)):
            _, stale = self.get()

        self.assertEqual(fresh["worker"], "ok")
        self.assertEqual(stale["worker"], "degraded")

    def test_mail_is_degraded_when_the_relay_refuses_connections(self):
        beat("worker-1@web")
        with override_settings(EMAIL_BACKEND=SMTP, EMAIL_HOST="127.0.0.1", EMAIL_PORT=_free_port()):
            _, body = self.get()

        self.assertEqual((body["status"], body["mail"]), ("degraded", "degraded"))

    def test_mail_is_ok_when_the_relay_answers(self):
        relay = MailCatcher()
        port = relay.start()
        self.addCleanup(relay.stop)
        with override_settings(EMAIL_BACKEND=SMTP, EMAIL_HOST="127.0.0.1", EMAIL_PORT=port):
            _, body = self.get()

        self.assertEqual(body["mail"], "ok")

    def test_failures_are_reported_without_their_error_text(self):
        with mock.patch("config.health._broker_ok", side_effect=OSError("redis 7.2.4 at 10.0.0.5 refused")):
            response, _ = self.get()

        self.assertNotIn(b"7.2", response.content)
        self.assertNotIn(b"10.0.0.5", response.content)

    def test_it_needs_no_login_and_is_never_cached(self):
        response = self.client.get("/healthz")

        self.assertIn("no-cache", response.headers["Cache-Control"])

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_it_answers_plain_http_for_load_balancers(self):
        response = self.client.get("/healthz")

        self.assertIn(response.status_code, (200, 503))
