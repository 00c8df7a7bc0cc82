"""The API's documentation in a real browser: Swagger UI runs from the app's own files under the site's CSP."""

from tests.e2e.conftest import screenshot


def test_swagger_ui_lists_the_operations_under_the_csp(login):
    page = login("committee")
    page.goto("/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = [text.replace("\u200b", "") for text in page.locator(".opblock-summary-path").all_inner_texts()]
    assert "/api/v1/proposals/{id}/" in paths
    screenshot(page, "api-docs")
