"""Issue 21's documents in a real browser: the annual report's draft offered on the dashboard and its print
view, and a reply letter with its 抄送 line.

Screenshots go to var/e2e/; with DOCUMENT_SCREENSHOTS=1 they are also written to docs/screenshots/ as
document-annual-report-desktop.png and letter-cc-desktop.png. Every page opened here is also checked by
axe-core (tests/e2e/conftest.py).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from proposals.models import Session
from responses.models import Reply
from tests.e2e.conftest import ARTIFACTS, screenshot

DOCS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def keep(path: Path) -> None:
    if os.environ.get("DOCUMENT_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / path.name)


def test_a_leader_opens_the_annual_report_draft_from_the_dashboard(login, demo_data):
    call_command("fill_list_columns", verbosity=0)
    page = login("leader")
    page.goto("/dashboard/")
    offer = page.locator("[data-testid=report-offer]")
    assert "年度提案办理情况报告" in offer.inner_text()

    offer.locator("[data-testid=report-print]").click()
    page.wait_for_load_state("load")

    session = Session.objects.get(is_current=True)
    assert page.url.endswith(f"/dashboard/report/{session.pk}/")
    assert page.inner_text("h1") == f"关于{session.full_name}提案办理情况的报告"
    headings = page.locator("h2.report-heading").all_inner_texts()
    assert headings[0] == "一、提案提交和立案情况" and headings[-1] == "七、下一步工作"
    # Every chart is drawn (an image that loaded, not a broken one) under its caption.
    images = page.locator("figure.report-figure img")
    assert images.count() == 4
    assert all(images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0") for i in range(4))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    keep(screenshot(page, "document-annual-report-desktop"))

    with page.expect_download() as download:
        page.click("[data-testid=report-docx]")
    assert download.value.suggested_filename.endswith("提案办理情况报告（初稿）.docx")


def test_a_member_reads_a_reply_letter_with_its_cc_line(login, demo_data):
    reply = Reply.objects.select_related("assignment__proposal__session").get(
        assignment__proposal__number="2023160", is_followup=False
    )
    session = reply.assignment.proposal.session
    session.letter_cc = "区政协提案委员会、区政府督查室"
    session.save(update_fields=["letter_cc"])
    page = login("chencheng")
    page.goto(f"/letters/{reply.pk}/")

    cc = page.locator("[data-testid=letter-cc]")
    assert cc.inner_text() == "抄送：区政协提案委员会、区政府督查室。"
    rules = cc.evaluate("e => [getComputedStyle(e).borderTopStyle, getComputedStyle(e).borderBottomStyle]")
    assert rules == ["solid", "solid"]
    # The signature, the contact line and the 抄送 line at the foot of the window, as a reader finds them.
    page.locator("[data-testid=letter-closing]").evaluate("e => e.scrollIntoView({block: 'start'})")
    path = ARTIFACTS / "letter-cc-desktop.png"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    keep(path)
