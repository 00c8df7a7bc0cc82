"""The pages of issue 18 (items 9-12) in a real browser, on a desktop and a phone: the error pages,
the admin's sign-in and home in the site's red, the dashboard's tabs, the letter title on a phone.

Screenshots go to var/e2e/; with PAGES_SCREENSHOTS=1 they are also written to docs/screenshots/ as
pages-<page>-desktop.png and pages-<page>-phone.png. Every page opened here is also checked by axe-core
(tests/e2e/conftest.py).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from accounts.models import User
from proposals.models import Proposal
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, screenshot

DOCS = Path(settings.BASE_DIR) / "docs" / "screenshots"
SITE_RED = "rgb(183, 28, 28)"


def keep(page, name: str, viewport: dict, *, full_page: bool = True) -> None:
    """A screenshot of what a user sees (the whole page, or the window as scrolled), named by page and window."""
    label = "phone" if viewport is PHONE else "desktop"
    if full_page:
        path = screenshot(page, f"pages-{name}-{label}")
    else:
        path = ARTIFACTS / f"pages-{name}-{label}.png"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path))
    if os.environ.get("PAGES_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / path.name)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_error_pages_and_the_admin_sign_in_speak_chinese_in_the_sites_style(login, new_page):
    for viewport in (DESKTOP, PHONE):
        page = login("chencheng", viewport)
        response = page.goto("/dashboard/")
        assert response.status == 403
        assert page.get_attribute("html", "lang") == "zh-hans"
        assert "您没有权限访问此页面" in page.inner_text("main")
        assert page.is_visible("text=返回首页")
        assert fits(page)
        keep(page, "error-403", viewport)

        response = page.goto("/proposals/999999/")
        assert response.status == 404
        assert "页面不存在" in page.inner_text("main")
        assert fits(page)
        keep(page, "error-404", viewport)

        # A member who opens the admin is told why it asks him to sign in, and where his pages are.
        page.goto("/admin/")
        note = page.locator("[data-testid=admin-not-for-you]")
        assert "陈澄" in note.inner_text()
        for name in ("username", "password"):
            box = page.locator(f"input[name={name}]")
            assert box.evaluate("e => parseFloat(getComputedStyle(e).borderTopWidth)") >= 1
        assert page.locator("button[type=submit]").evaluate("e => getComputedStyle(e).backgroundColor") == SITE_RED
        keep(page, "admin-login-member", viewport)


def test_the_dashboard_tabs_and_the_admin_home_work_together(login, demo_data):
    call_command("fill_list_columns", verbosity=0)
    for viewport in (DESKTOP, PHONE):
        page = login("leader", viewport)
        assert page.url.endswith("/dashboard/")  # leaders land on the statistics
        tabs = page.locator("nav.dash-tabs a")
        assert [tabs.nth(i).get_attribute("href") for i in range(tabs.count())] == [
            "/dashboard/",
            "/dashboard/proposals/",
            "/dashboard/assignments/",
        ]
        keep(page, "dashboard-tabs", viewport)
        page.click("nav.dash-tabs >> text=提案清单")
        page.wait_for_url("**/dashboard/proposals/")
        page.click("nav.dash-tabs >> text=概览")
        page.wait_for_url("**/dashboard/")

        page = login("committee", viewport)
        assert page.url.endswith("/admin/")  # the committee lands on its admin home
        link = page.locator("[data-testid=admin-home-links] a[href='/dashboard/']")
        assert link.evaluate("e => getComputedStyle(e).backgroundColor") == SITE_RED
        assert page.locator("main#content").count() == 1
        # The user menu names the person, not the login.
        menu = page.locator("[x-data*=openUserLinks]").first  # in the sidebar, folded away on a phone
        assert User.objects.get(username="committee").display_name in menu.text_content()
        keep(page, "admin-home-committee", viewport)
        link.click()
        page.wait_for_url("**/dashboard/")

        page = login("handler", viewport)
        assert page.url.endswith("/admin/responses/assignment/worklist/")  # the unit's own worklist
        page.goto("/admin/")
        assert page.inner_text("main").count("本单位工作") == 1
        keep(page, "admin-home-handler", viewport)


def test_on_a_phone_the_letter_title_keeps_the_proposal_number_whole(login):
    proposal = Proposal.objects.get(number="2023160")
    page = login("chencheng", PHONE)
    page.goto(f"/proposals/{proposal.pk}/")
    number = page.locator(".letter-keep").first
    assert number.inner_text() == "第2023160号"
    assert number.evaluate("e => e.getClientRects().length") == 1
    assert fits(page)
    page.locator(".letter-title").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.evaluate("window.scrollBy(0, -80)")
    keep(page, "letter-title", PHONE, full_page=False)


def test_the_stock_change_form_names_every_input_of_its_table_rows(login):
    """A proposal's change form in the admin: the proposer rows' inputs are named only by the table's header
    until each carries its label (axe-core rates an unnamed input critical; it checks the page after the test)."""
    case = Proposal.objects.get(number="2023160")
    page = login("committee")
    page.goto(f"/admin/proposals/proposal/{case.pk}/change/")
    row = page.locator("#proposers-group tbody tr.form-row").first
    assert row.locator("select[name$='-role']").get_attribute("aria-label") == "角色"
    assert row.locator("input[name$='-order']").get_attribute("aria-label") == "排序"
    keep(page, "admin-proposal-change", DESKTOP)
