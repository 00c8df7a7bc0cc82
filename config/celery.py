"""The Celery application. Settings come from config/settings.py (CELERY_* names)."""

import os

from celery import Celery

from ops.heartbeat import Heartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tianan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Each worker writes its heartbeat for /healthz and the metrics (ops/heartbeat.py).
app.steps["worker"].add(Heartbeat)
