"""With Redis stopped, members still sign in, save a draft and submit: each request is answered with
the page it leads to, not an error; the reminders that fell due meanwhile go out once Redis is back.

Real processes: a Redis server of the test's own (stopped and started again), gunicorn,
a Celery worker and beat, and an SMTP server on loopback. No wall-clock bound here: that the request
path never waits on the broker (one connection attempt, no retry loop) is shown by counting the
connections a publish makes to a dead broker, in tests/test_broker_publish.py.
"""

from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.parse
import urllib.request

import pytest

from tests.integration.harness import MailCatcher, PrivateRedis, Stack, _free_port, start_web

# One worker runs the integration tests one after another: they start many processes each.
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("integration")]

SENT = "__import__('responses.models', fromlist=['Reminder']).Reminder.objects.filter(sent_at__isnull=False).count()"
MEMBER_SETUP = """
import os, django
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')
django.setup()
from accounts.models import MemberProfile, User
from proposals.models import Category
user = User.objects.get(username='chencheng')
user.set_password('web-without-redis')
user.save()
MemberProfile.objects.get_or_create(user=user, defaults={'member_number': 'M0001'})
Category.objects.get_or_create(name='经济建设')
"""


class Browser:
    """A tiny cookie-keeping HTTP client that reads Django's CSRF token from forms."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, *, form_page: str | None = None) -> tuple[int, str]:
        page = self.get(form_page or path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **data}, doseq=True).encode()
        with self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=10) as response:
            return response.status, response.geturl()


@pytest.fixture
def mail_server():
    catcher = MailCatcher()
    catcher.start()
    yield catcher
    catcher.stop()


def test_members_work_while_redis_is_down_and_reminders_follow_when_it_returns(tmp_path, mail_server):
    redis = PrivateRedis(tmp_path)
    redis.start()
    stack = Stack(tmp_path, mail_server.port, redis_url=redis.url)
    try:
        due = stack.seed(20)
        stack.run("-c", MEMBER_SETUP)
        port = _free_port()
        start_web(stack, port)
        stack.start_worker()
        stack.start_beat()
        time.sleep(1)
        redis.stop()
        time.sleep(1)

        browser = Browser(f"http://127.0.0.1:{port}")
        status, url = browser.post("/accounts/login/", {"username": "chencheng", "password": "web-without-redis"})
        assert (status, "/accounts/login/" in url) == (200, False), f"sign-in failed: {status} {url}"
        status, url = browser.post(
            "/proposals/new/",
            {
                "title": "关于在Redis停机时仍能保存提案的建议",
                "kind": "individual",
                "background": "情况分析。",
                "suggestions": "具体建议。",
                "publication_consent": "yes",
                "action": "save",
            },
        )
        match = re.search(r"/proposals/(\d+)/", url)
        assert status == 200 and match, f"the draft was not saved: {status} {url}"
        category = stack.query("__import__('proposals.models', fromlist=['Category']).Category.objects.get().pk")
        status, url = browser.post(
            f"/proposals/{match.group(1)}/edit/",
            {
                "title": "关于在Redis停机时仍能保存提案的建议",
                "kind": "individual",
                "category": category,
                "background": "情况分析。",
                "suggestions": "具体建议。",
                "publication_consent": "yes",
                "action": "submit",
            },
        )
        state = stack.query(
            f"__import__('proposals.models', fromlist=['Proposal']).Proposal.objects.get(pk={match.group(1)}).status"
        )
        assert (status, state) == (200, "submitted"), url
        # Publishing to the stopped broker failed quietly: the page answered and nothing was sent;
        # the reminder scan delivers once the broker is back (below).
        assert stack.query(SENT) == 0

        redis.start()  # same port, empty: anything queued before the stop is gone too
        delivered = stack.wait_until(lambda: stack.query(SENT) == len(due), timeout=120, interval=1)
        assert delivered, stack.logs()
        subjects = [subject for _, subject in mail_server.snapshot()]
        assert all(any(number in s for s in subjects) for number in due)
    finally:
        stack.close()
        redis.stop()
