import json
from unittest import mock

from django.db import connection
from django.test import TestCase


class HealthzTests(TestCase):
    def test_it_reports_the_database_and_broker_as_json(self):
        response = self.client.get("/healthz")

        self.assertEqual(response.status_code, 200)
        body = json.loads(response.content)
        self.assertEqual(body["database"], {"ok": True, "detail": connection.vendor})
        self.assertIn("ok", body["broker"])
        self.assertIn(body["status"], ("ok", "degraded"))

    def test_it_answers_200_degraded_when_the_broker_is_down(self):
        with mock.patch("config.health._broker_ok", return_value=(False, "OperationalError")):
            response = self.client.get("/healthz")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(json.loads(response.content)["status"], "degraded")

    def test_it_answers_503_when_the_database_is_down(self):
        with mock.patch("config.health._database_ok", return_value=(False, "OperationalError")):
            response = self.client.get("/healthz")

        self.assertEqual(response.status_code, 503)
        self.assertEqual(json.loads(response.content)["status"], "down")

    def test_it_needs_no_login_and_is_never_cached(self):
        response = self.client.get("/healthz")

        self.assertIn("no-cache", response.headers["Cache-Control"])
