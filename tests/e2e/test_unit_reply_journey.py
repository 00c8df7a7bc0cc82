"""A reply's whole journey in headless Chromium, on the demo data.

区工信局's handler (刘洋) accepts the pending assignment of 陈澄's proposal
《关于推动福田时尚产业数字化转型的建议》, records a talk with her, drafts and submits
the reply; the unit leader (赵建国) signs it off and sends it; 陈澄 then finds the
letter on her proposal's page and opens its print view.

Assertions use Chinese data and element names (data-testid, data-action), not UI
labels, which stay English until the catalogue merge.
"""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone

from proposals.models import Proposal
from responses.choices import AssignmentStatus, ReplyStatus
from responses.models import Assignment, Contact, Reply, ReplyCategory
from tests.e2e.conftest import PHONE, screenshot

TITLE = "关于推动福田时尚产业数字化转型的建议"
LETTER_NUMBER = "福工信函〔2026〕88号"
BODY = "\n".join(
    [
        f"你在深圳市福田区政协六届六次会议中的提案《{TITLE}》已收悉。感谢你对福田时尚产业发展的关心和支持。现将办理情况答复如下：",
        "一、关于建设时尚产业数字化公共服务平台",
        "我局已将“云设计”公共服务平台列入明年数字经济重点项目，首期向区内服装企业免费开放。",
        "二、关于支持柔性供应链改造",
        "我局将在工业企业技术改造扶持政策中增设柔性供应链专项。",
    ]
)
SHOTS = Path("/tmp/shots-units")


def shot(page, name: str) -> None:
    """A screenshot for the run's artefacts (var/e2e) and for people reviewing the pages."""
    screenshot(page, f"unit-journey-{name}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"journey-{name}.png"), full_page=True)


def worklist_row(page, title: str):
    return page.locator("[data-testid=worklist-row]", has_text=title)


def test_handler_drafts_leader_signs_and_sends_and_the_proposer_reads_the_letter(login):
    proposal = Proposal.objects.get(title=TITLE)
    lead = proposal.lead_proposer
    assert lead is not None and lead.user.username == "chencheng"
    assignment = Assignment.objects.get(proposal=proposal, status=AssignmentStatus.PENDING)

    # 刘洋 (handler) accepts the assignment from the worklist.
    handler = login("handler")
    handler.goto("/admin/responses/assignment/worklist/")
    row = worklist_row(handler, TITLE)
    assert row.get_attribute("data-assignment") == str(assignment.pk)
    assert "陈澄" in row.inner_text()
    shot(handler, "1-worklist")
    row.locator("[data-action=accept]").click()
    handler.wait_for_load_state("networkidle")
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.HANDLING

    # He records the talk with 陈澄 on the assignment's page.
    worklist_row(handler, TITLE).locator("td.tn-title-cell a.tn-link").click()
    handler.wait_for_load_state("networkidle")
    assert handler.get_attribute("[data-testid=assignment-status]", "data-status") == "handling"
    form = handler.locator("[data-testid=contact-form]")
    form.locator("input[name=contacted_on]").fill(timezone.localdate().isoformat())
    form.locator("select[name=method]").select_option("meeting")
    form.locator("input[name=participants]").fill("陈澄委员；区工信局刘洋")
    form.locator("textarea[name=notes]").fill("上门听取陈澄委员对时尚产业数字化转型的意见。")
    form.locator("[data-action=contact]").click()
    handler.wait_for_load_state("networkidle")
    assert "陈澄委员；区工信局刘洋" in handler.inner_text("[data-testid=contacts]")
    assert Contact.objects.filter(assignment=assignment).count() == 1

    # He drafts the reply (the form starts from the reference layout) and submits it for sign-off.
    handler.click("[data-testid=draft-reply]")
    handler.wait_for_load_state("networkidle")
    body = handler.locator("textarea[name=body]")
    assert TITLE in body.input_value()
    handler.check(f"input[name=category][value='{ReplyCategory.objects.get(code='A').pk}']")
    handler.fill("input[name=letter_number]", LETTER_NUMBER)
    body.fill(BODY)
    assert handler.input_value("input[name=contact_person]") == "刘洋"
    shot(handler, "2-draft")
    handler.click("[data-action=submit]")
    handler.wait_for_load_state("networkidle")
    reply = Reply.objects.get(assignment=assignment)
    assert reply.status == ReplyStatus.AWAITING_SIGNOFF
    assert handler.get_attribute("[data-testid=reply-status]", "data-status") == "awaiting_signoff"

    # 赵建国 (unit leader) finds it first on his worklist, reads the letter, signs it off and sends it.
    leader = login("unitlead")
    leader.goto("/admin/responses/assignment/worklist/")
    assert leader.locator("[data-stage]").first.get_attribute("data-stage") == "signoff"
    worklist_row(leader, TITLE).locator("a.tn-button.tn-button-primary").click()
    leader.wait_for_load_state("networkidle")
    assert leader.locator("[data-testid=missing-contact-flag]").count() == 0
    assert leader.inner_text("[data-testid=letter-title]") == (
        f"关于深圳市福田区政协第六届第六次会议提案《{TITLE}》第{proposal.number}号的回复"
    )
    assert leader.inner_text("[data-testid=letter-salutation]") == "尊敬的陈澄委员："
    shot(leader, "3-signoff")
    leader.click("[data-action=sign]")
    leader.wait_for_load_state("networkidle")
    assert leader.get_attribute("[data-testid=reply-status]", "data-status") == "signed"
    leader.click("[data-action=send]")
    leader.wait_for_load_state("networkidle")
    reply.refresh_from_db()
    assert reply.status == ReplyStatus.SENT and reply.sent_at is not None
    assert reply.signer.username == "unitlead"

    # 陈澄 sees the letter on her proposal's page, and its print view.
    member = login("chencheng", PHONE)
    member.goto(f"/proposals/{proposal.pk}/")
    letter = member.locator(f"#reply-{reply.pk}")
    text = letter.inner_text()
    assert LETTER_NUMBER in text
    assert "关于支持柔性供应链改造" in text
    assert "深圳市福田区工业和信息化局" in text
    shot(member, "4-member-proposal")
    member.goto(f"/letters/{reply.pk}/")
    assert member.inner_text("[data-testid=letter-title]").endswith(f"第{proposal.number}号的回复")
    assert member.inner_text("[data-testid=letter-number]") == LETTER_NUMBER
    assert "刘洋" in member.inner_text("[data-testid=letter-contact]")
    shot(member, "5-member-letter")
