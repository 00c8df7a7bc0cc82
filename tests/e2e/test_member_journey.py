"""A member's whole side in headless Chromium: a joint proposal written in Chinese with an attachment,
a colleague found by name and invited, the colleague confirming, the submission, 我的提案.

Then every member page is looked at on a desktop and a phone: nothing may stick out sideways.
Screenshots go to var/e2e/; with MEMBER_SCREENSHOTS=1 they are also written to docs/screenshots/
as member-<page>-desktop.png and member-<page>-phone.png.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from proposals.models import Proposal
from responses.models import Reply
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.proposals.helpers_member import pdf_bytes

TITLE = "关于加强福田区社区嵌入式托育服务的建议"
BACKGROUND = "福田区双职工家庭多，三岁以下婴幼儿托育需求旺盛，但社区普惠托育机构数量少、收费偏高。"
SUGGESTIONS = (
    "一、在社区党群服务中心嵌入普惠托育点。\n二、对普惠托育机构给予场地和运营补贴。\n三、加强托育从业人员培训。"
)
DOCS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def test_a_member_writes_a_joint_proposal_a_colleague_confirms_and_it_is_submitted(login, tmp_path):
    page = login("chencheng")
    page.click("[data-testid=nav-new-proposal]")

    # The new-proposal form, in Chinese, with a real PDF attached.
    page.fill("#id_title", TITLE)
    page.select_option("#id_category", label="社会事业")
    page.check("input[name=kind][value=joint]")
    page.fill("#id_background", BACKGROUND)
    page.fill("#id_suggestions", SUGGESTIONS)
    page.get_by_label("深圳市福田区教育局").check()
    report = tmp_path / "托育需求调研报告.pdf"
    report.write_bytes(pdf_bytes("Futian childcare survey"))
    page.set_input_files("#id_attachments", str(report))
    page.click("[data-testid=save-draft]")

    # A joint draft goes on to the co-signers page; the lookup is htmx, the page never reloads.
    page.wait_for_url(re.compile(r"/proposals/\d+/cosigners/$"))
    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.status == "draft"
    assert proposal.suggestions == SUGGESTIONS
    assert [a.original_name for a in proposal.attachments.all()] == ["托育需求调研报告.pdf"]
    page.fill("input[name=q]", "王芳")
    page.wait_for_selector("[data-testid=member-wangfang]")
    assert "教育界" in page.inner_text("[data-testid=member-wangfang]")  # shown with the sector
    assert page.url.endswith("/cosigners/")
    page.click("[data-testid=invite-wangfang]")
    page.wait_for_selector("[data-testid=proposer-wangfang] [data-status=invited]")

    # Submitting before the co-signer answers is refused with the session's rule.
    page.goto(f"/proposals/{proposal.pk}/")
    page.click("[data-testid=submit-proposal]")
    page.wait_for_load_state("networkidle")
    assert "联名" in page.inner_text(".messages")
    proposal.refresh_from_db()
    assert proposal.status == "draft"

    # 王芳 finds the invitation on her 我的提案 and confirms it.
    colleague = login("wangfang")
    invitation = colleague.locator(f"[data-testid=invitation-{proposal.pk}]")
    assert TITLE in invitation.inner_text()
    assert "陈澄" in invitation.inner_text()
    invitation.get_by_role("link", name=TITLE).click()
    colleague.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/invitation/$"))
    assert BACKGROUND in colleague.inner_text("main")
    colleague.click("[data-testid=confirm-cosign]")
    colleague.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    assert "托育需求调研报告.pdf" in colleague.inner_text("#attachments")

    # 陈澄 submits and sees it in 我的提案 as submitted.
    page.goto(f"/proposals/{proposal.pk}/")
    assert page.get_attribute("[data-testid=joint-status]", "class").endswith("is-met")
    page.click("[data-testid=submit-proposal]")
    page.wait_for_url(re.compile(rf"/proposals/{proposal.pk}/$"))
    page.click("nav.site-nav >> text=我的提案")
    row = page.locator("[data-testid=proposal-row]", has_text=TITLE)
    assert row.get_attribute("data-status") == "submitted"
    assert "已提交" in row.inner_text()
    proposal.refresh_from_db()
    assert proposal.status == "submitted"
    assert proposal.proposers.get(user__username="wangfang").status == "confirmed"
    screenshot(page, "member-journey-submitted")


def _pages() -> dict[str, tuple[str | None, str]]:
    """Page name → (who looks, path) for every member page; anonymous for the login page."""
    case = Proposal.objects.get(number="2023160")
    joint = Proposal.objects.get(title="关于完善福田区“一老一小”服务体系的建议")
    replied = Proposal.objects.get(title="关于优化福田区中小学学位供给的建议")
    reply = Reply.objects.get(assignment__proposal=replied, status="sent")
    return {
        "my-proposals": ("chencheng", "/"),
        "my-proposals-invitation": ("wangfang", "/"),
        "proposal-detail": ("chencheng", f"/proposals/{case.pk}/"),
        "proposal-feedback": ("chencheng", f"/proposals/{replied.pk}/#feedback-{reply.pk}"),
        "feedback-form": ("chencheng", f"/proposals/{replied.pk}/replies/{reply.pk}/feedback/"),
        "cosigners": ("chencheng", f"/proposals/{joint.pk}/cosigners/?q=%E5%BC%A0"),
        "invitation": ("wangfang", f"/proposals/{joint.pk}/invitation/"),
        "notifications": ("chencheng", "/notifications/"),
        "password-change": ("chencheng", "/accounts/password/change/"),
        "login": (None, "/accounts/login/"),
    }


def _save(page, name: str) -> None:
    path = screenshot(page, name)
    if os.environ.get("MEMBER_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / f"{name}.png")


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width}px wide in a {viewport}px window"


@pytest.mark.parametrize(("label", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_every_member_page_fits_its_window(login, new_page, label, viewport):
    signed_in = {}
    for name, (username, path) in _pages().items():
        if username is None:
            page = new_page(viewport)
        else:
            if username not in signed_in:
                signed_in[username] = login(username, viewport)
            page = signed_in[username]
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.get_attribute("html", "lang") == "zh-hans"
        _fits(page)
        _save(page, f"member-{name}-{label}")

    # The new-proposal form sent back with its errors beside the fields.
    page = signed_in["chencheng"]
    page.goto("/proposals/new/")
    page.fill("#id_title", "关于加强福田区社区体育设施建设的建议")
    page.fill("#id_background", "福田区社区体育设施总量不足，分布不均。")
    page.check("input[name=publication_consent][value=no]")
    page.click("[data-testid=save-and-submit]")
    page.wait_for_selector("[data-testid=error-summary]")
    assert page.input_value("#id_background") == "福田区社区体育设施总量不足，分布不均。"
    assert page.locator(".field.has-error, fieldset.has-error").count() >= 3
    _fits(page)
    _save(page, f"member-new-proposal-error-{label}")
