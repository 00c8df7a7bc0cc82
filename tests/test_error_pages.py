"""The error pages (issue 18, item 10): Chinese, in the site's style, saying what to do next, with DEBUG off."""

from __future__ import annotations

from django.test import Client, override_settings

from tests.base import PersonaTestCase


@override_settings(DEBUG=False)
class ErrorPageTests(PersonaTestCase):
    def assert_site_page(self, response, status: int, *texts: str) -> None:
        self.assertEqual(response.status_code, status)
        html = response.content.decode()
        self.assertIn('<html lang="zh-hans">', html)
        self.assertIn("css/site.css", html)
        self.assertIn(f'data-status="{status}"', html)
        self.assertIn("可进行的操作", html)  # "What you can do"
        for text in texts:
            self.assertIn(text, html)
        self.assertNotIn("Forbidden", html)
        self.assertNotIn("Not Found", html)

    def test_a_member_opening_the_dashboard_gets_the_chinese_403(self):
        self.client.force_login(self.chencheng)
        response = self.client.get("/dashboard/")
        self.assert_site_page(response, 403, "您没有权限访问此页面", "陈澄", "返回首页")

    def test_an_unknown_address_gets_the_chinese_404(self):
        response = self.client.get("/no-such-page/")
        self.assert_site_page(response, 404, "页面不存在", "请检查网址是否输入有误", "登录")

    def test_an_object_you_may_not_see_gets_the_same_404(self):
        self.client.force_login(self.chencheng)
        response = self.client.get("/admin-nothing-here/")
        self.assert_site_page(response, 404, "页面不存在", "返回首页")

    @override_settings(ROOT_URLCONF="tests.error_urls")
    def test_a_malformed_request_gets_the_chinese_400(self):
        response = self.client.get("/test-bad/")
        self.assert_site_page(response, 400, "无法处理该请求")

    @override_settings(ROOT_URLCONF="tests.error_urls")
    def test_a_failure_gets_the_chinese_500_without_the_request_context(self):
        client = Client(raise_request_exception=False)
        client.force_login(self.chencheng)
        response = client.get("/test-boom/")
        self.assertEqual(response.status_code, 500)
        html = response.content.decode()
        self.assertIn('<html lang="zh-hans">', html)
        self.assertIn("系统出现错误", html)
        self.assertIn("请稍等几分钟后重试", html)
        self.assertIn("css/site.css", html)

    def test_a_form_refused_by_the_csrf_check_gets_the_chinese_page(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.chencheng)
        response = client.post("/accounts/logout/")
        self.assert_site_page(response, 403, "表单已失效", "请返回上一页，刷新后重新提交表单")

    def test_the_pages_speak_english_to_english_readers(self):
        self.client.cookies["django_language"] = "en"
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertIn('<html lang="en">', response.content.decode())
        self.assertIn("Page not found", response.content.decode())


class FaviconTests(PersonaTestCase):
    def test_the_favicon_answers_with_the_sites_mark(self):
        response = self.client.get("/favicon.ico")
        self.assertEqual(response.status_code, 301)
        self.assertTrue(response["Location"].endswith(".svg"))
        self.assertIn("/static/img/favicon", response["Location"])
