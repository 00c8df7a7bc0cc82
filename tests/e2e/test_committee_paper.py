"""A committee clerk in headless Chromium: enters a member's paper proposal (代提交) with its joint proposer and the
scan of the paper, which goes straight into review; then records a member's paper rating of a reply (代评价)
with the form, which the member then sees on the proposal's page as recorded on their behalf.

Screenshots go to var/e2e/; with PAPER_SCREENSHOTS=1 they are also written to docs/screenshots/ as
committee-paper-proposal-desktop.png and committee-paper-feedback-desktop.png.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from django.conf import settings

from proposals.choices import EventVerb, ProposalKind, ProposalStatus
from proposals.models import Event, Proposal
from responses.choices import Satisfaction
from responses.demo.paper import form_pdf
from responses.models import Feedback, Reply
from tests.e2e.conftest import screenshot
from tests.e2e.test_committee_journey import choose

DOCS = Path(settings.BASE_DIR) / "docs" / "screenshots"
TITLE = "关于在福田区社区增设长者助餐点的建议"
REPLIED_TITLE = "关于优化福田区中小学学位供给的建议"


def keep(page, name: str) -> None:
    path = screenshot(page, name)
    if os.environ.get("PAPER_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / f"{name}.png")


def scan(name: str, title: str, lines: list[str], signature: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": form_pdf(title, lines, signature)}


def test_a_clerk_enters_a_paper_proposal_and_records_a_paper_rating(login):
    page = login("committee")

    # 代提交: from the proposal list to the entry form.
    page.goto("/admin/proposals/proposal/")
    page.get_by_test_id("link-paper-entry").click()
    page.wait_for_url("**/admin/proposals/proposal/paper/")
    choose(page, "lead", "黄丽")
    choose(page, "cosigners", "李明")
    page.fill("input[name=title]", TITLE)
    page.select_option("select[name=category]", label="社会事业")
    page.fill(
        "textarea[name=background]",
        "福田区老年人口持续增长，部分社区缺少长者饭堂，独居和高龄老人就餐不便。",
    )
    page.fill(
        "textarea[name=suggestions]",
        "一、按照15分钟生活圈布局社区长者助餐点。\n二、引入社会力量运营，给予场地和运营补贴。",
    )
    page.set_input_files(
        "input[name=scan]",
        files=[
            scan(
                "黄丽委员提案（纸质）.pdf",
                "深圳市福田区政协提案（委员手写稿扫描件）",
                [f"案由：{TITLE}", "提案人：黄丽", "联名人：李明"],
                "提案人签名：黄丽",
            )
        ],
    )
    keep(page, "committee-paper-proposal-desktop")
    page.get_by_test_id("enter-paper-proposal").click()

    proposal = Proposal.objects.get(title=TITLE)
    page.wait_for_url(f"**/admin/proposals/proposal/{proposal.pk}/review/")
    screenshot(page, "committee-paper-proposal-review-desktop")
    assert "代为录入" in page.get_by_test_id("entered-from-paper").inner_text()
    assert "纸质确认" in page.get_by_test_id("proposal-text").inner_text()
    assert (proposal.status, proposal.kind) == (ProposalStatus.SUBMITTED, ProposalKind.JOINT)
    assert proposal.entered_by.username == "committee"
    assert set(proposal.proposers.values_list("user__username", flat=True)) == {"huangli", "liming"}
    assert proposal.attachments.get().original_name == "黄丽委员提案（纸质）.pdf"
    # It is in the review queue like a member's own submission.
    page.goto("/admin/proposals/proposal/review/")
    assert page.locator(f"[data-testid=queue-row][data-proposal='{proposal.pk}']").count() == 1

    # 代评价: 陈澄 rated the school-places reply on paper; the clerk records it from the proposal's page.
    replied = Proposal.objects.get(title=REPLIED_TITLE)
    reply = Reply.objects.get(assignment__proposal=replied, status="sent")
    # From the letter, as the clerk finds it among the replies (the proposal's own page links there too).
    page.goto(f"/admin/responses/reply/{reply.pk}/review/")
    page.get_by_test_id("record-paper-feedback-link").click()
    page.wait_for_url(f"**/admin/proposals/proposal/{replied.pk}/paper-feedback/?reply={reply.pk}**")
    form = page.get_by_test_id("paper-feedback-form")
    form.locator("select[name=member]").select_option(label="陈澄")
    form.locator(f"input[name=attitude][value={Satisfaction.SATISFIED}]").check()
    form.locator(f"input[name=result][value={Satisfaction.BASICALLY}]").check()
    form.locator("textarea[name=comment]").fill("学位建设进度还需加快，建议公布时间表。")
    form.locator("input[name=paper_form]").set_input_files(
        files=[
            scan(
                "陈澄委员满意度测评表.pdf",
                "政协委员对提案办理答复的满意度测评表",
                [f"提案：{replied.number} {REPLIED_TITLE}", "办理态度：满意", "办理结果：基本满意"],
                "委员签名：陈澄",
            )
        ]
    )
    keep(page, "committee-paper-feedback-desktop")
    page.get_by_test_id("record-paper-feedback").click()
    page.wait_for_url(f"**/admin/proposals/proposal/{replied.pk}/paper-feedback/**")
    recorded = page.locator(f"#reply-{reply.pk} [data-testid=proposer-rating]", has_text="陈澄")
    assert "代委员录入" in recorded.get_by_test_id("recorded-on-behalf").inner_text()
    screenshot(page, "committee-paper-feedback-recorded-desktop")

    feedback = Feedback.objects.get(reply=reply, user__username="chencheng")
    assert feedback.recorded_by.username == "committee"
    assert (feedback.attitude, feedback.result) == (Satisfaction.SATISFIED, Satisfaction.BASICALLY)
    assert feedback.paper_form_name == "陈澄委员满意度测评表.pdf"
    assert Event.objects.filter(
        proposal=replied, verb=EventVerb.FEEDBACK_RECORDED, actor__username="committee"
    ).exists()
    replied.refresh_from_db()
    assert replied.status == ProposalStatus.REPLIED  # 王芳 has not rated yet

    # The member sees the rating as recorded on their behalf, with the form to download.
    member = login("chencheng")
    member.goto(f"/proposals/{replied.pk}/#feedback-{reply.pk}")
    mark = member.get_by_test_id("recorded-on-behalf")
    assert "代您录入" in mark.inner_text()
    screenshot(member, "member-paper-feedback-desktop")
    assert mark.get_by_test_id("paper-form-link").is_visible()
