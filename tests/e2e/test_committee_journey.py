"""Committee staff in headless Chromium: review queue → accept (立案) → assign to a lead and a co-handling
unit (交办) → the due dates shown are the session's rules applied to today, with their explanations."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Unit
from proposals.choices import ProposalStatus
from proposals.models import Proposal
from responses.choices import AssignmentRole
from responses.deadlines import opinion_due, reply_due
from responses.models import Assignment
from tests.e2e.conftest import PHONE, screenshot

CARE_TITLE = "关于提升福田区社区养老服务供给能力的建议"
LEAD = "深圳市福田区工业和信息化局"
COHANDLING = "深圳市福田区教育局"


def choose(page, field: str, label: str) -> None:
    """Picks ``label`` in the select2 box of ``field`` the way a user does: open, type, Enter."""
    page.locator(f"select[name={field}] + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(label)
    page.locator(".select2-results__option", has_text=label).first.click()


def test_committee_accepts_and_assigns_a_proposal_and_sees_the_due_dates(login):
    proposal = Proposal.objects.get(title=CARE_TITLE, status=ProposalStatus.SUBMITTED)
    session = proposal.session
    page = login("committee")

    page.goto("/admin/proposals/proposal/review/")
    row = page.locator("[data-testid=queue-row]", has_text=CARE_TITLE)
    assert row.count() == 1
    screenshot(page, "committee-review-queue")
    row.get_by_test_id("review-link").click()
    assert page.get_by_test_id("proposal-title").inner_text() == CARE_TITLE
    assert "60岁以上户籍老年人口" in page.get_by_test_id("proposal-text").inner_text()
    screenshot(page, "committee-review")

    page.get_by_test_id("accept").click()
    page.wait_for_url(f"**/admin/proposals/proposal/{proposal.pk}/assign/")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.number
    assert proposal.number in page.get_by_test_id("proposal-number").inner_text()

    choose(page, "lead_unit", LEAD)
    choose(page, "cohandling_units", COHANDLING)
    page.get_by_test_id("preview").click()
    preview = page.get_by_test_id("preview-panel")
    preview.wait_for()
    screenshot(page, "committee-assign-preview")
    assert not Assignment.objects.filter(proposal=proposal).exists()
    page.get_by_test_id("confirm").click()
    page.get_by_test_id("current-assignments").wait_for()
    screenshot(page, "committee-assigned")

    today = timezone.localdate()
    reply, opinion = reply_due(session, today), opinion_due(session, today)
    lead = Unit.objects.get(name=LEAD)
    cohandler = Unit.objects.get(name=COHANDLING)
    shown = page.get_by_test_id("assigned-dues")
    lead_card = shown.locator(f"[data-testid=due-card][data-unit='{lead.pk}']")
    co_card = shown.locator(f"[data-testid=due-card][data-unit='{cohandler.pk}']")
    assert lead_card.get_attribute("data-role") == AssignmentRole.LEAD
    assert co_card.get_attribute("data-role") == AssignmentRole.COHANDLING
    assert lead_card.get_by_test_id("reply-due").inner_text() == reply.date.isoformat()
    assert lead_card.get_by_test_id("reply-due-note").inner_text() == reply.note
    assert co_card.get_by_test_id("opinion-due").inner_text() == opinion.date.isoformat()
    assert co_card.get_by_test_id("opinion-due-note").inner_text() == opinion.note
    assert reply.date.isoformat() in reply.note and opinion.date.isoformat() in opinion.note

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ASSIGNED
    assert {(a.unit_id, a.role) for a in Assignment.objects.filter(proposal=proposal)} == {
        (lead.pk, AssignmentRole.LEAD),
        (cohandler.pk, AssignmentRole.COHANDLING),
    }


def test_the_committee_pages_fit_a_phone(login):
    page = login("committee", PHONE)
    proposal = Proposal.objects.get(title=CARE_TITLE)
    for name, path in (
        ("queue", "/admin/proposals/proposal/review/"),
        ("review", f"/admin/proposals/proposal/{proposal.pk}/review/"),
    ):
        page.goto(path)
        assert CARE_TITLE in page.inner_text("#committee-page")
        # Nothing wider than the screen: no sideways scrolling.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, (name, width)
        screenshot(page, f"committee-phone-{name}")
