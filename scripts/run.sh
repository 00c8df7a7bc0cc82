#!/usr/bin/env bash
# Serves the app on HOST:PORT with a Celery worker (embedded beat) beside it; Ctrl-C stops both.
# The "running" banner, with the demo logins and their password (once), appears only when the
# address answers: before that a browser would meet "connection refused".
set -euo pipefail
HOST="${1:-127.0.0.1}"
PORT="${2:-8000}"
PY="${PY:-.venv/bin/python}"
# How long to wait for the server to answer before saying it did not start.
WAIT_SECONDS="${RUN_WAIT_SECONDS:-60}"
# Links in emails point at this server unless SITE_URL says otherwise.
export SITE_URL="${SITE_URL:-http://$HOST:$PORT}"
mkdir -p var
$PY -m celery -A config worker --beat --loglevel=INFO --concurrency=1 \
    --schedule=var/celerybeat-schedule --logfile=var/worker.log &
WORKER=$!
$PY manage.py runserver "$HOST:$PORT" &
SERVER=$!
trap 'kill $SERVER $WORKER 2>/dev/null; wait $SERVER $WORKER 2>/dev/null' EXIT INT TERM
PASSWORD=$($PY -c "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings'); import django; django.setup(); from django.conf import settings; print(settings.DEMO_PASSWORD)")

# Any HTTP answer counts (even an error status): the address is being served.
answers() {
    $PY - "$HOST" "$PORT" <<'PYCODE'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(f"http://{sys.argv[1]}:{sys.argv[2]}/healthz", timeout=2)
except urllib.error.HTTPError:
    pass
except OSError:
    sys.exit(1)
PYCODE
}
waited=0
until answers; do
    if ! kill -0 "$SERVER" 2>/dev/null; then
        echo "The server stopped before it answered on http://$HOST:$PORT/ (see the messages above)." >&2
        exit 1
    fi
    if (( waited >= WAIT_SECONDS * 2 )); then
        echo "The server did not answer on http://$HOST:$PORT/ within $WAIT_SECONDS seconds." >&2
        exit 1
    fi
    sleep 0.5
    waited=$((waited + 1))
done
cat <<MSG

  提案办理系统 is running at http://$HOST:$PORT/
  Staff admin: http://$HOST:$PORT/admin/    Dashboard: http://$HOST:$PORT/dashboard/    Public: http://$HOST:$PORT/public/
  Celery worker with beat: log in var/worker.log

  Demo logins, every one with the password: $PASSWORD
    chencheng  陈澄, member (第2023160号)   wangfang   王芳, member
    liming     李明, member               huangli    黄丽, member
    zhangwei   张伟, member               committee  何静, committee staff
    handler    刘洋, 区工信局 handler       unitlead   赵建国, 区工信局 leader
    eduhandler 孙丽, 区教育局 handler       edulead    吴敏, 区教育局 leader
    kjhandler  林涛, 区科技创新局 handler   leader     周海明, leadership

MSG
wait $SERVER
