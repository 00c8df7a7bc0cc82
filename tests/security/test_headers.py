"""Security headers on every kind of page, and no inline script anywhere in our templates."""

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.base import PersonaTestCase

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


class HeaderTests(PersonaTestCase):
    def assert_hardened(self, response):
        csp = response.headers["Content-Security-Policy"]
        script_src = next(part for part in csp.split("; ") if part.startswith("script-src"))
        self.assertNotIn("unsafe-inline", script_src)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertEqual(response.headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response.headers["Referrer-Policy"], "same-origin")
        self.assertEqual(response.headers["X-Frame-Options"], "DENY")

    def test_public_login_portal_admin_and_health_pages_carry_the_headers(self):
        self.assert_hardened(Client().get("/accounts/login/"))
        self.assert_hardened(Client().get("/public/"))
        self.assert_hardened(Client().get("/healthz"))
        self.client.force_login(self.chencheng)
        self.assert_hardened(self.client.get("/"))
        self.client.force_login(self.committee)
        self.assert_hardened(self.client.get("/admin/"))


@pytest.mark.parametrize("template", sorted(p for p in (ROOT / "templates").rglob("*.html")), ids=lambda p: p.name)
def test_no_template_of_ours_has_inline_script_or_event_handlers(template):
    text = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), f"inline <script> in {template}"
    assert not EVENT_HANDLER.search(text), f"inline event handler in {template}"
