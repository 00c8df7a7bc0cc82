"""The Prometheus endpoint: request latency by view (django-prometheus's middleware) and the site's
own figures, read from the database and the broker at each scrape so every web process reports
the same values:

- ``tian_reminders{state}``: reminders due (unsent, never failed), failed (unsent, failed at least
  once, waiting for a retry) and sent;
- ``tian_reminder_oldest_unsent_age_seconds``: how long the oldest unsent reminder has waited;
- ``tian_email_outbox_length``: notification emails not yet sent;
- ``tian_celery_queue_length``: tasks waiting in the broker's queue (absent when it is unreachable);
- ``tian_worker_heartbeat_age_seconds``: since the newest worker heartbeat (absent when none).

Answered only to the networks in METRICS_ALLOWED_NETWORKS; nginx also serves it on a port of its own
that only the monitoring network reaches (deploy/nginx/tian.conf).
"""

from __future__ import annotations

import ipaddress
import logging
import os

from celery import current_app
from django.conf import settings
from django.db.models import Count, Min, Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from accounts.security import client_ip
from ops.heartbeat import newest_age
from proposals.models import Notification
from responses.models import Reminder

logger = logging.getLogger(__name__)


def queue_length() -> int:
    """Messages waiting in the default Celery queue, on Redis or the filesystem transport alike."""
    with current_app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=1, timeout=1)
        declared = conn.default_channel.queue_declare(queue=current_app.conf.task_default_queue, durable=True)
        return declared.message_count


class SiteCollector:
    """Figures that belong to the whole site, not to one process: computed when scraped."""

    def collect(self):
        now = timezone.now()
        counts = Reminder.objects.aggregate(
            due=_count(Q(sent_at__isnull=True, attempts=0)),
            failed=_count(Q(sent_at__isnull=True, attempts__gt=0)),
            sent=_count(Q(sent_at__isnull=False)),
            oldest=Min("created_at", filter=Q(sent_at__isnull=True)),
        )
        reminders = GaugeMetricFamily("tian_reminders", "Reminders by delivery state", labels=["state"])
        for state in ("due", "failed", "sent"):
            reminders.add_metric([state], counts[state])
        yield reminders
        oldest = counts["oldest"]
        yield GaugeMetricFamily(
            "tian_reminder_oldest_unsent_age_seconds",
            "Seconds the oldest unsent reminder has waited (0 when none waits)",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )
        yield GaugeMetricFamily(
            "tian_email_outbox_length",
            "Notification emails not yet sent",
            value=Notification.objects.filter(email_pending=True).count(),
        )
        try:
            waiting = queue_length()
        except Exception as exc:  # noqa: BLE001 - an unreachable broker leaves the figure out
            logger.warning("queue length unknown: %s", exc.__class__.__name__)
        else:
            yield GaugeMetricFamily("tian_celery_queue_length", "Tasks waiting in the broker's queue", value=waiting)
        age = newest_age(now)
        if age is not None:
            yield GaugeMetricFamily(
                "tian_worker_heartbeat_age_seconds", "Seconds since the newest worker heartbeat", value=age
            )


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition)


def allowed(request) -> bool:
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_NETWORKS)


@never_cache
@require_GET
def metrics(request):
    if not allowed(request):
        # The same answer as for an address that does not exist: nothing to learn from outside.
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Several gunicorn workers: add up what each one wrote (deploy/gunicorn.conf.py).
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_ProcessMetrics())
    registry.register(SiteCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


class _ProcessMetrics:
    """This process's own metrics (the middleware's histograms) from the default registry."""

    def collect(self):
        return REGISTRY.collect()
