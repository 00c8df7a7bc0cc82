"""The session's documents in headless Chromium, on the demo data: a committee clerk asks for the compilation
of the current session, follows its progress on the page while the worker writes it, and downloads the .docx;
the print views of the proposal form (第2023160号, the real case), the compilation and the compilation of
replies (六届三次会议, with the real reply letter) in the official A4 layout.

The worker is this test: the build is handed to it instead of the broker, and it runs the task's own code
(``documents.tasks.build_document``) while the browser watches; half-way it stops to look at the page.

Screenshots go to var/e2e/; with DOCUMENTS_SCREENSHOTS=1 they are also written to docs/screenshots/ as
document-<page>-desktop.png. Every page opened here is also checked by axe-core (tests/e2e/conftest.py).
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

from django.conf import settings
from playwright.sync_api import expect

from documents import services
from documents.choices import COMPILED_STATUSES, BuildState
from documents.models import DocumentBuild
from documents.tasks import build_document
from proposals.models import Category, Proposal, Session
from responses.models import Reply
from tests.e2e.conftest import ARTIFACTS

DOCS = Path(settings.BASE_DIR) / "docs" / "screenshots"
SHEETS = {"width": 1280, "height": 1100}


def keep(page, name: str, *, until: str | None = None) -> Path:
    """A screenshot of the page (down to the bottom of the element ``until``, else the whole page)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"document-{name}-desktop.png"
    if until:
        box = page.locator(until).first.bounding_box()
        bottom = page.evaluate("window.scrollY") + box["y"] + box["height"]
        page.screenshot(
            path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": SHEETS["width"], "height": bottom + 24}
        )
    else:
        page.screenshot(path=str(path), full_page=True)
    if os.environ.get("DOCUMENTS_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / path.name)
    return path


def test_a_committee_clerk_builds_the_compilation_follows_its_progress_and_downloads_it(login, monkeypatch, tmp_path):
    session = Session.objects.get(name="六届六次会议")
    compiled = Proposal.objects.filter(session=session, status__in=COMPILED_STATUSES)
    handed = []
    # The broker is this test: the build waits for it to run the task below.
    monkeypatch.setattr(services, "_publish", handed.append)
    page = login("committee", SHEETS)

    page.goto("/admin/")
    page.get_by_test_id("admin-home-links").get_by_text("会次文件").click()
    page.wait_for_url("**/documents/compilations/")
    assert page.locator("select[name=session]").input_value() == str(session.pk)
    page.get_by_label("按类别排列").check()
    page.get_by_test_id("build-submit").click()
    page.wait_for_url("**/documents/builds/*/")
    card = page.get_by_test_id("build")
    assert card.get_attribute("data-state") == BuildState.QUEUED
    assert "等待后台程序开始处理" in page.get_by_test_id("build-progress").inner_text()
    (build_id,) = handed

    halfway = compiled.count() // 2
    seen = []
    report = services._Progress.__call__

    def watched(progress, done: int) -> None:
        report(progress, done)
        if done == halfway:
            # The worker is half-way: the page, asking again on its own, shows how far it got.
            page.wait_for_function(
                "n => document.getElementById('build-progress-text').textContent.includes(`已写入提案 ${n} 件`)",
                arg=halfway,
                timeout=10_000,
            )
            seen.append(page.get_by_test_id("build-progress").inner_text())
            keep(page, "build-progress")

    monkeypatch.setattr(services._Progress, "__call__", watched)
    assert build_document(build_id) is True

    assert seen and f"已写入提案 {halfway} 件，共 {compiled.count()} 件" in seen[0]
    page.locator("[data-testid=build][data-state=done]").wait_for(timeout=10_000)
    assert f"全部 {compiled.count()} 件提案已写入文件" in page.get_by_test_id("build-progress").inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("build-download").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert download.value.suggested_filename == "六届六次会议提案汇编（按类别排列）.docx"

    from docx import Document

    document = Document(io.BytesIO(saved.read_bytes()))
    headings = [p.text for p in document.paragraphs if p.style.style_id == "Heading2"]
    assert sorted(headings) == sorted(compiled.values_list("title", flat=True))
    categories = [p.text for p in document.paragraphs if p.style.style_id == "Heading1"]
    used = Category.objects.filter(proposals__in=compiled).distinct().order_by("order", "name")
    assert categories[: used.count()] == list(used.values_list("name", flat=True))
    assert DocumentBuild.objects.get(pk=build_id).state == BuildState.DONE


def test_the_print_views_are_official_a4_documents_in_chinese(login):
    case = Proposal.objects.get(number="2023160")
    current = Session.objects.get(name="六届六次会议")
    compiled = Proposal.objects.filter(session=current, status__in=COMPILED_STATUSES).count()

    member = login("chencheng", SHEETS)
    member.goto(f"/proposals/{case.pk}/")
    form_url = member.get_by_test_id("proposal-form-links").get_by_test_id("proposal-form-print").get_attribute("href")
    member.goto(form_url)
    form = member.get_by_test_id("proposal-form")
    assert member.get_by_test_id("form-number").inner_text() == "第2023160号"
    assert member.get_by_test_id("form-title").inner_text() == "关于福田区构建具有竞争力的现代化产业体系的建议"
    assert "陈澄（第一提案人）" in form.inner_text()
    assert "分办单位：深圳市福田区工业和信息化局" in member.get_by_test_id("form-units").inner_text()
    assert member.get_by_test_id("form-decision").inner_text().startswith("立案")
    sheet = member.locator(".letter-sheet").bounding_box()
    assert round(sheet["width"]) == round(210 / 25.4 * 96)  # an A4 sheet on the screen: 210 mm wide
    keep(member, "proposal-form")

    clerk = login("committee", SHEETS)
    clerk.goto("/documents/compilations/")
    clerk.locator("tr", has_text="六届六次会议").get_by_test_id("print-compilation").click()
    contents = clerk.get_by_test_id("compilation-contents").locator("a")
    expect(contents).to_have_count(compiled)  # waits for the page the click opened
    expect(clerk.get_by_test_id("compiled-proposal")).to_have_count(compiled)
    first = clerk.get_by_test_id("compiled-proposal").first
    keep(clerk, "compilation", until="[data-testid=compiled-proposal]")
    contents.first.click()
    assert clerk.url.endswith(f"#{first.get_attribute('id')}")

    old = Session.objects.get(name="六届三次会议")
    clerk.goto("/documents/compilations/")
    clerk.locator("tr", has_text="六届三次会议").get_by_test_id("print-replies").click()
    letters = clerk.get_by_test_id("compiled-reply")
    expect(letters).to_have_count(Reply.objects.sent().filter(assignment__proposal__session=old).count())
    assert "尊敬的陈澄委员" in letters.first.inner_text()
    assert "福工信函〔2023〕160号" in letters.first.inner_text()
    keep(clerk, "reply-compilation", until="[data-testid=compiled-reply] [data-testid=letter-salutation]")
