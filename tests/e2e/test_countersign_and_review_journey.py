"""Countersigning (会签) and the committee's review of replies (督办审核) in headless Chromium, on the demo data
of the previous session (六届五次会议), whose committee asked for both.

区科技创新局's handler (林涛) finds 区工信局's draft reply on 李明's proposal on his worklist, reads it and
agrees; the lead unit's handler (刘洋) sees the agreement beside his draft. 区教育局's signed reply on
王芳's proposal waits for the committee: 何静 returns it with comments, 区教育局 (孙丽, 吴敏) revises,
signs and sends it again, and 何静 releases it; only then does 王芳 find the letter on her proposal's page.

Screenshots: docs/screenshots/unit-countersign-desktop.png and committee-reply-review-desktop.png (written
there when DOCS_SCREENSHOTS=1; always under var/e2e/).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings

from proposals.models import Proposal
from responses.choices import AssignmentStatus, CountersignStatus, ReplyStatus
from responses.models import Countersign, Reply
from tests.e2e.conftest import screenshot

DOCS = Path(settings.BASE_DIR) / "docs" / "screenshots"
STORAGE = "关于加快福田区新型储能产业发展的建议"
SPORTS = "关于推进福田区中小学体育场地向社会开放的建议"


def keep(page, name: str) -> None:
    path = screenshot(page, name)
    if os.environ.get("DOCS_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / path.name)


def test_a_co_handler_countersigns_and_the_committee_returns_then_releases_a_reply(login):
    # 林涛 (区科技创新局, co-handling) countersigns 区工信局's draft from his worklist.
    row = Countersign.objects.get(reply__assignment__proposal__title=STORAGE)
    assert row.status == CountersignStatus.PENDING
    co = login("kjhandler")
    co.goto("/admin/responses/assignment/worklist/")
    line = co.locator("[data-testid=worklist-row]", has_text=STORAGE)
    assert line.get_attribute("data-assignment") == str(row.assignment_id)
    line.locator("a.tn-button-primary").click()
    co.wait_for_load_state("networkidle")
    assert "关键技术攻关" in co.inner_text("[data-testid=draft-body]")
    assert co.get_attribute("[data-testid=countersign-request]", "data-status") == "pending"
    co.fill("textarea[name=comments]", "我局同意该答复稿。")
    keep(co, "unit-countersign-desktop")
    co.click("[data-action=agree]")
    co.wait_for_load_state("networkidle")
    assert co.get_attribute("[data-testid=countersign-request]", "data-status") == "agreed"
    row.refresh_from_db()
    assert (row.status, row.answered_by.username) == (CountersignStatus.AGREED, "kjhandler")

    # 刘洋 (区工信局, lead) sees the agreement beside his draft, which may now go for sign-off.
    lead = login("handler")
    lead.goto(f"/admin/responses/assignment/{row.reply.assignment_id}/reply/")
    unit = lead.locator(f"[data-testid=countersign-units] li[data-unit='{row.assignment.unit_id}']")
    assert unit.get_attribute("data-status") == "agreed"
    assert "我局同意该答复稿。" in unit.inner_text()
    assert lead.locator("[data-testid=countersign-all-agreed]").count() == 1
    screenshot(lead, "countersign-lead-reply-page")

    # 区教育局's signed reply waits for the committee; 王芳 sees no letter yet.
    reply = Reply.objects.get(assignment__proposal__title=SPORTS)
    proposal = Proposal.objects.get(title=SPORTS)
    assert reply.status == ReplyStatus.IN_REVIEW
    member = login("wangfang")
    member.goto(f"/proposals/{proposal.pk}/")
    assert member.locator(f"#reply-{reply.pk}").count() == 0

    # 何静 (committee) returns it with comments from the review page.
    committee = login("committee")
    committee.goto("/admin/responses/reply/review-queue/")
    screenshot(committee, "committee-reply-review-queue")
    committee.locator("[data-testid=reply-queue-row]", has_text=SPORTS).locator(
        "[data-testid=reply-review-link]"
    ).click()
    committee.wait_for_load_state("networkidle")
    committee.click("[data-testid=review-return-form] >> xpath=.. >> summary")
    committee.fill("[data-testid=review-return-form] textarea[name=comments]", "请写明开放学校增加到四十所的时间安排。")
    committee.click("[data-action=return]")
    committee.wait_for_load_state("networkidle")
    reply.refresh_from_db()
    assert (reply.status, reply.returned_by_committee) == (ReplyStatus.DRAFT, True)

    # 孙丽 revises the letter with the committee's comments in view and submits it; 吴敏 signs it off.
    handler = login("eduhandler")
    handler.goto(f"/admin/responses/assignment/{reply.assignment_id}/reply/")
    assert "四十所的时间安排" in handler.inner_text("[data-testid=sendback-comment]")
    screenshot(handler, "committee-returned-reply-draft")
    body = handler.locator("textarea[name=body]")
    body.fill(body.input_value() + "\n四、关于时间安排。开放学校将于明年秋季学期前增加到四十所。")
    handler.click("[data-action=submit]")
    handler.wait_for_load_state("networkidle")
    leader = login("edulead")
    leader.goto(f"/admin/responses/reply/{reply.pk}/review/")
    leader.click("[data-action=sign]")
    leader.wait_for_load_state("networkidle")
    handler.goto(f"/admin/responses/reply/{reply.pk}/review/")
    handler.click("[data-action=send]")
    handler.wait_for_load_state("networkidle")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.IN_REVIEW
    assert reply.assignment.status == AssignmentStatus.REPLIED
    screenshot(handler, "unit-reply-with-the-committee")

    # 何静 reads it again, with the review so far beside it, and releases it.
    committee.goto(f"/admin/responses/reply/{reply.pk}/committee-review/")
    assert "明年秋季学期前" in committee.inner_text("#letter-heading >> xpath=../..")
    history = committee.inner_text("[data-testid=committee-review]")
    assert "四十所的时间安排" in history
    keep(committee, "committee-reply-review-desktop")
    committee.click("[data-action=release]")
    committee.wait_for_load_state("networkidle")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT

    # Now 王芳 finds the letter on her proposal's page.
    member.goto(f"/proposals/{proposal.pk}/")
    assert "明年秋季学期前" in member.inner_text(f"#reply-{reply.pk}")
