#!/usr/bin/env bash
# Serves the app on HOST:PORT with a Celery worker (embedded beat) beside it; Ctrl-C stops both.
set -euo pipefail
HOST="${1:-127.0.0.1}"
PORT="${2:-8000}"
PY=.venv/bin/python
# Links in emails point at this server unless SITE_URL says otherwise.
export SITE_URL="${SITE_URL:-http://$HOST:$PORT}"
mkdir -p var
$PY -m celery -A config worker --beat --loglevel=INFO --concurrency=1 \
    --schedule=var/celerybeat-schedule --logfile=var/worker.log &
WORKER=$!
trap 'kill $WORKER 2>/dev/null; wait $WORKER 2>/dev/null' EXIT INT TERM
PASSWORD=$($PY -c "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings'); import django; django.setup(); from django.conf import settings; print(settings.DEMO_PASSWORD)")
cat <<MSG

  提案办理系统 is running at http://$HOST:$PORT/
  Staff admin: http://$HOST:$PORT/admin/    Dashboard: http://$HOST:$PORT/dashboard/    Public: http://$HOST:$PORT/public/
  Celery worker with beat: log in var/worker.log

  Demo logins (password: $PASSWORD)
    chencheng  陈澄, member          wangfang  王芳, member
    committee  committee staff      leader    leadership
    handler    unit handler         unitlead  unit leader (same unit)

MSG
$PY manage.py runserver "$HOST:$PORT"
