"""The Prometheus endpoint: only for the monitoring network, latency by view, and the site's own figures."""

from __future__ import annotations

import datetime as dt
import re
import warnings

import time_machine
from celery import current_app
from django.test import override_settings

from ops.heartbeat import beat
from ops.metrics import queue_length
from proposals.choices import ProposalStatus
from proposals.models import Notification
from responses.choices import ReminderKind
from responses.models import Reminder
from tests.base import PersonaTestCase, make_proposal

NOW = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def value(body: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", body, re.MULTILINE)
    assert match, f"{name}{labels} is not in the metrics"
    return float(match.group(1))


class MetricsAccessTests(PersonaTestCase):
    def test_it_answers_the_allowed_network(self):
        response = self.client.get("/metrics", REMOTE_ADDR="127.0.0.1")

        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/plain"))

    def test_it_answers_404_to_any_other_address_even_a_signed_in_committee_member(self):
        self.client.force_login(self.committee)

        response = self.client.get("/metrics", REMOTE_ADDR="192.0.2.10")

        self.assertEqual(response.status_code, 404)

    @override_settings(METRICS_ALLOWED_NETWORKS=["10.8.0.0/24"], TRUSTED_PROXY_COUNT=1)
    def test_behind_the_proxy_it_reads_the_client_the_proxy_saw(self):
        allowed = self.client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.8.0.7")
        forged = self.client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.8.0.7, 192.0.2.10")

        self.assertEqual(allowed.status_code, 200)
        self.assertEqual(forged.status_code, 404)


class MetricsFiguresTests(PersonaTestCase):
    def scrape(self) -> str:
        response = self.client.get("/metrics", REMOTE_ADDR="127.0.0.1")
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_it_reports_request_latency_by_view(self):
        self.client.get("/healthz")
        self.client.get("/healthz")

        body = self.scrape()

        self.assertGreaterEqual(
            value(body, "django_http_requests_latency_seconds_by_view_method_count", '{method="GET",view="healthz"}'), 2
        )

    def test_it_reports_reminders_due_failed_and_sent_and_the_oldest_unsent_age(self):
        proposal = make_proposal(self.chencheng, self.session, status=ProposalStatus.ASSIGNED)
        rows = [
            ("d30", NOW - dt.timedelta(hours=3), None, 0),
            ("d7", NOW - dt.timedelta(hours=1), None, 0),
            ("d1", NOW - dt.timedelta(hours=2), None, 3),
            ("today", NOW - dt.timedelta(days=9), NOW - dt.timedelta(days=8), 0),
        ]
        for stage, created, sent, attempts in rows:
            Reminder.objects.create(
                kind=ReminderKind.REPLY_DUE,
                stage=stage,
                target_type="assignment",
                target_id=1,
                proposal=proposal,
                created_at=created,
                sent_at=sent,
                attempts=attempts,
            )
        for pending in (True, True, False):
            Notification.objects.create(user=self.chencheng, title="提醒", email_pending=pending)

        with time_machine.travel(NOW, tick=False):
            body = self.scrape()

        self.assertEqual(value(body, "tian_reminders", '{state="due"}'), 2)
        self.assertEqual(value(body, "tian_reminders", '{state="failed"}'), 1)
        self.assertEqual(value(body, "tian_reminders", '{state="sent"}'), 1)
        self.assertEqual(value(body, "tian_reminder_oldest_unsent_age_seconds"), 3 * 3600)
        self.assertEqual(value(body, "tian_email_outbox_length"), 2)

    def test_it_reports_the_age_of_the_newest_worker_heartbeat(self):
        beat("worker-1@host", now=NOW - dt.timedelta(seconds=40))

        with time_machine.travel(NOW, tick=False):
            body = self.scrape()

        self.assertEqual(value(body, "tian_worker_heartbeat_age_seconds"), 40)

    def test_it_reports_the_broker_queue_length(self):
        before = queue_length()
        # send_task publishes even with eager tasks: the message waits in the broker like a real one.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Celery warns that eager mode does not apply to send_task
            current_app.send_task("responses.tasks.deliver_reminder", args=[0])
        self.addCleanup(self._purge)

        body = self.scrape()

        self.assertEqual(value(body, "tian_celery_queue_length"), before + 1)

    @staticmethod
    def _purge() -> None:
        with current_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(current_app.conf.task_default_queue)

    def test_it_leaves_the_queue_length_out_when_the_broker_is_unreachable(self):
        from unittest import mock

        with mock.patch("ops.metrics.queue_length", side_effect=OSError("refused")):
            body = self.scrape()

        self.assertNotIn("tian_celery_queue_length ", body)
        self.assertIn("tian_email_outbox_length ", body)
