"""Every demo role signs in through the real login form and lands on a Chinese page."""

import pytest

from tests.e2e.conftest import screenshot

ROLES = [
    ("chencheng", "陈澄", "我的提案"),
    ("wangfang", "王芳", "我的提案"),
    # Staff land on their own worklist (accounts.landing): the committee's admin home, the unit's worklist,
    # the leaders' statistics.
    ("committee", None, "统计"),
    ("handler", None, "本单位工作"),
    ("unitlead", None, "本单位工作"),
    ("leader", None, "统计"),
]


@pytest.mark.parametrize(("username", "name", "landmark"), ROLES)
def test_each_demo_role_signs_in_and_lands_on_a_chinese_page(login, username, name, landmark):
    page = login(username)

    assert "/accounts/login/" not in page.url, f"{username} could not sign in"
    assert page.get_attribute("html", "lang") == "zh-hans"
    body = page.inner_text("body")
    assert "提案办理系统" in body
    assert landmark in body
    if name:
        assert name in body
    screenshot(page, f"smoke-{username}")


def test_a_wrong_password_is_refused_in_chinese(new_page, demo_data):
    page = new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "chencheng")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit], input[type=submit]")

    assert "/accounts/login/" in page.url
    assert "请输入一个正确的" in page.inner_text("body")
