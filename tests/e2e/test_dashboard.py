"""The leadership dashboard in a real browser: charts drawn by Chart.js, drill-down clicks, lists, export.

The demo data may be written without the services that keep the lists' columns,
so the fixture fills them once (``manage.py fill_list_columns``). While
the dashboard's zh-hans strings wait in locale/pending/dashboard.po, they are
compiled into a temporary catalogue so the screenshots show the page as users
will see it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, screenshot

PENDING = Path(django_settings.BASE_DIR) / "locale" / "pending" / "dashboard.po"


def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def dashboard_data(demo_data, settings, tmp_path):
    call_command("fill_list_columns", verbosity=0)
    msgfmt = shutil.which("msgfmt")
    if msgfmt and PENDING.exists():
        target = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
        target.mkdir(parents=True)
        subprocess.run([msgfmt, "-o", str(target / "django.mo"), str(PENDING)], check=True)
        settings.LOCALE_PATHS = [tmp_path / "locale", *settings.LOCALE_PATHS]


def test_a_leader_sees_the_charts_and_drills_down_to_the_list_behind_a_bar(login, dashboard_data):
    page = login("leader")
    page.goto("/dashboard/")
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length >= 5")
    # Chart.js has drawn each chart (a chart instance is attached to every canvas).
    drawn = page.evaluate(
        "[...document.querySelectorAll('canvas[data-chart]')].filter(c => window.Chart.getChart(c)).length"
    )
    assert drawn >= 5
    body = page.inner_text("body")
    assert "深圳市福田区工业和信息化局" in body
    assert "提案办理系统" in body
    screenshot(page, "dashboard-leader-desktop")

    # A click on the first bar of the status chart opens the filtered proposal list.
    box = page.locator("#chart-status").bounding_box()
    chart = page.evaluate(
        "(() => { const c = window.Chart.getChart(document.getElementById('chart-status'));"
        " const i = c.data.datasets[0].data.findIndex(v => v > 0); const bar = c.getDatasetMeta(0).data[i];"
        " return {x: bar.x, y: (bar.y + bar.base) / 2}; })()"
    )
    page.mouse.click(box["x"] + chart["x"], box["y"] + chart["y"])
    page.wait_for_url("**/dashboard/proposals/**")
    assert "status=" in page.url
    assert page.locator("#result-table tbody tr").count() >= 1
    screenshot(page, "dashboard-drilldown-proposals")


def test_a_unit_handler_sees_their_unit_and_the_lists_work_on_a_phone(login, dashboard_data):
    page = login("handler", PHONE)
    page.goto("/dashboard/")
    page.wait_for_function("window.Chart && window.Chart.getChart(document.getElementById('chart-status'))")
    body = page.inner_text("body")
    assert "深圳市福田区工业和信息化局" in body
    assert "深圳市福田区教育局" not in page.inner_text("#unit-table")
    screenshot(page, "dashboard-unit-phone")
    for section in ("status-heading", "units-heading", "key-heading"):
        page.locator(f"section[aria-labelledby='{section}']").screenshot(
            path=str(screenshot_dir() / f"dashboard-unit-phone-{section}.png")
        )

    page.goto("/dashboard/assignments/")
    page.click(".control[data-filter='status'] summary")
    page.check(".control[data-filter='status'] input[value='handling']")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**status=handling**")
    statuses = page.locator("#result-table tbody tr").all_inner_texts()
    assert statuses and all("办理中" in row for row in statuses)
    screenshot(page, "dashboard-assignments-phone")


def test_the_committee_filters_a_list_and_downloads_the_excel_file(login, dashboard_data, tmp_path):
    page = login("committee", DESKTOP)
    page.goto("/dashboard/proposals/")
    page.fill("#f-q", "时尚")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**q=**")
    titles = page.locator("#result-table tbody .cell-title").all_inner_texts()
    assert titles and all("时尚" in t or "产业" in t for t in titles)
    page.click(".more-filters summary")
    screenshot(page, "dashboard-proposals-desktop")
    with page.expect_download() as download:
        page.click("#export-link")
    path = tmp_path / "export.xlsx"
    download.value.save_as(path)
    from openpyxl import load_workbook

    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][0] == "提案号"
    assert len(rows) - 1 == len(titles)
