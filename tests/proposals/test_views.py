"""The member portal, notifications and the public pages: who sees what, and what it costs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.files.base import ContentFile
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from proposals.choices import EventVerb, ProposalStatus, ProposerStatus
from proposals.context_processors import portal
from proposals.models import Attachment, Category, Event, Notification, Proposal, Session, SupervisionNote
from responses.choices import AssignmentRole, AssignmentStatus, ReplyStatus
from responses.deadlines import WorkCalendar, assignment_deadlines
from responses.models import Assignment, Reply
from tests.base import PersonaTestCase, make_proposal, make_session

IN_MEMORY_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LETTER_BODY = "你在深圳市福田区政协六届三次会议中的提案已收悉。\n一是加强规划引领。\n二是深化深港合作。"


def assign(proposal, unit, committee, *, role=AssignmentRole.SEPARATE, status=AssignmentStatus.HANDLING, on=None):
    on = on or dt.date(2023, 3, 1)
    fields = assignment_deadlines(
        proposal.session, on, with_opinion=role == AssignmentRole.COHANDLING, cal=WorkCalendar({})
    )
    return Assignment.objects.create(
        proposal=proposal, unit=unit, role=role, status=status, assigned_by=committee, **fields
    )


def reply(assignment, author, *, status=ReplyStatus.SENT, body=LETTER_BODY, category=None, signer=None):
    sent = status == ReplyStatus.SENT
    return Reply.objects.create(
        assignment=assignment,
        status=status,
        body=body,
        category=category,
        letter_number="福工信函〔2023〕160号" if sent else "",
        contact_person="刘经办",
        contact_phone="0755-82978326",
        drafted_by=author,
        signer=signer if sent else None,
        sent_at=timezone.now() if sent else None,
    )


class PortalTestCase(PersonaTestCase):
    """Personas plus a few proposals in known states."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.draft = make_proposal(cls.chencheng, cls.session, title="关于加快完善香蜜湖新金融中心配套服务的建议")
        cls.case = make_proposal(
            cls.chencheng,
            cls.session,
            status=ProposalStatus.REPLIED,
            category=cls.category,
            cosigners=[cls.wangfang],
            number="2023160",
            serial=160,
            is_published=True,
            published_at=timezone.now(),
        )
        cls.assignment = assign(cls.case, cls.unit, cls.committee)
        cls.sent = reply(cls.assignment, cls.handler, category=cls.reply_categories["B"], signer=cls.unitlead)
        Event.objects.create(
            proposal=cls.case, actor=cls.committee, verb=EventVerb.ACCEPTED, note="立案，提案号2023160"
        )
        Event.objects.create(proposal=cls.case, actor=cls.handler, verb=EventVerb.REPLY_SAVED, note="内部草稿保存")
        # Another member's proposal, handled by another unit, with a draft reply only.
        cls.others = make_proposal(
            cls.lihua,
            cls.session,
            title="关于优化福田区中小学学位供给的建议",
            status=ProposalStatus.ASSIGNED,
            number="2023161",
        )
        cls.other_assignment = assign(cls.others, cls.other_unit, cls.committee, role=AssignmentRole.LEAD)
        cls.draft_reply = reply(
            cls.other_assignment, cls.other_handler, status=ReplyStatus.DRAFT, body="草稿：尚未签发的答复内容"
        )

    def detail_url(self, proposal) -> str:
        return reverse("portal:proposal_detail", args=[proposal.pk])


class HomeTests(PortalTestCase):
    def test_it_sends_anonymous_visitors_to_the_login_page(self):
        response = self.client.get(reverse("portal:home"))
        self.assertRedirects(response, f"{reverse('login')}?next=/", fetch_redirect_response=False)

    def test_a_member_sees_the_proposals_they_lead_or_co_sign_and_no_others(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse("portal:home"))
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "proposals/home_member.html")
        self.assertEqual({p.pk for p in response.context["page"]}, {self.draft.pk, self.case.pk})
        self.assertContains(response, "2023160")
        self.assertContains(response, "关于福田区构建具有竞争力的现代化产业体系的建议")
        self.assertNotContains(response, self.others.title)

    def test_a_co_signer_sees_the_joint_proposal_in_their_list(self):
        self.client.force_login(self.wangfang)
        response = self.client.get(reverse("portal:home"))
        self.assertEqual([p.pk for p in response.context["page"]], [self.case.pk])

    def test_a_declined_co_signer_no_longer_sees_it(self):
        self.case.proposers.filter(user=self.wangfang).update(status=ProposerStatus.DECLINED)
        self.client.force_login(self.wangfang)
        response = self.client.get(reverse("portal:home"))
        self.assertEqual(list(response.context["page"]), [])
        self.assertEqual(self.client.get(self.detail_url(self.case)).status_code, 404)

    def test_staff_get_a_landing_page_with_links_to_the_admin_and_the_dashboard(self):
        for user in (self.committee, self.handler, self.unitlead, self.leader):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(reverse("portal:home"))
                self.assertTemplateUsed(response, "proposals/home_staff.html")
                self.assertContains(response, 'href="/admin/"')
                self.assertContains(response, 'href="/dashboard/"')

    def test_a_unit_handler_sees_only_their_units_proposals_on_the_landing_page(self):
        self.client.force_login(self.handler)
        response = self.client.get(reverse("portal:home"))
        self.assertEqual([p.pk for p in response.context["recent"]], [self.case.pk])
        self.client.force_login(self.other_handler)
        response = self.client.get(reverse("portal:home"))
        self.assertEqual([p.pk for p in response.context["recent"]], [self.others.pk])

    def test_members_get_no_admin_or_dashboard_links(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse("portal:home"))
        self.assertNotContains(response, 'href="/admin/"')
        self.assertNotContains(response, 'href="/dashboard/"')

    def test_the_list_is_paginated_by_twenty(self):
        for i in range(23):
            make_proposal(self.lihua, self.session, title=f"关于福田区第{i}项工作的建议")
        self.client.force_login(self.lihua)
        first = self.client.get(reverse("portal:home"))
        second = self.client.get(reverse("portal:home"), {"page": 2})
        self.assertEqual(len(first.context["page"].object_list), 20)
        self.assertEqual(len(second.context["page"].object_list), 4)

    def test_the_member_list_costs_the_same_queries_for_3_and_30_rows(self):
        self.client.force_login(self.lihua)
        counts = []
        for total in (3, 30):
            Proposal.objects.filter(created_by=self.lihua).delete()
            for i in range(total):
                make_proposal(self.lihua, self.session, title=f"关于福田区第{i}项工作的建议", category=self.category)
            # session, user (with the unread count), count, page rows, sessions and categories for the
            # filter, open invitations, session save (in a savepoint: 3)
            with self.assertNumQueries(10):
                response = self.client.get(reverse("portal:home"))
            counts.append(len(response.context["page"].object_list))
        self.assertEqual(counts, [3, 20])


class DetailTests(PortalTestCase):
    def test_it_sends_anonymous_visitors_to_the_login_page(self):
        response = self.client.get(self.detail_url(self.case))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_the_lead_proposer_sees_the_proposal_assignments_timeline_and_the_letter(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(self.detail_url(self.case))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "2023160")
        self.assertContains(response, "福田区时尚产业基础好")  # 情况分析
        self.assertContains(response, "深化深港合作")  # 具体建议
        self.assertContains(response, "深圳市福田区工业和信息化局")
        self.assertContains(response, self.assignment.reply_due_note)
        self.assertContains(response, "立案，提案号2023160")
        self.assertContains(response, "福工信函〔2023〕160号")
        self.assertContains(response, "<p>二是深化深港合作。</p>", html=True)
        self.assertContains(response, "深圳市福田区政协第六届第三次会议")
        self.assertContains(response, "0755-82978326")  # members see the contact phone
        self.assertContains(response, "陈澄")
        self.assertContains(response, "王芳")

    def test_another_members_draft_answers_404(self):
        self.client.force_login(self.lihua)
        self.assertEqual(self.client.get(self.detail_url(self.draft)).status_code, 404)

    def test_a_co_signer_sees_the_proposal(self):
        self.client.force_login(self.wangfang)
        response = self.client.get(self.detail_url(self.case))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "福工信函〔2023〕160号")

    def test_an_invited_co_signer_sees_the_proposal_before_answering(self):
        self.case.proposers.filter(user=self.wangfang).update(status=ProposerStatus.INVITED)
        self.client.force_login(self.wangfang)
        self.assertEqual(self.client.get(self.detail_url(self.case)).status_code, 200)

    def test_members_do_not_see_internal_steps_in_the_timeline(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(self.detail_url(self.case))
        verbs = [event.verb for event in response.context["events"]]
        self.assertIn(EventVerb.ACCEPTED, verbs)
        self.assertNotIn(EventVerb.REPLY_SAVED, verbs)
        self.assertNotContains(response, "内部草稿保存")

    def test_staff_see_the_internal_steps(self):
        self.client.force_login(self.handler)
        response = self.client.get(self.detail_url(self.case))
        self.assertContains(response, "内部草稿保存")

    def test_a_unit_handler_sees_only_their_units_proposals(self):
        self.client.force_login(self.handler)
        self.assertEqual(self.client.get(self.detail_url(self.case)).status_code, 200)
        self.assertEqual(self.client.get(self.detail_url(self.others)).status_code, 404)
        self.assertEqual(self.client.get(self.detail_url(self.draft)).status_code, 404)
        self.client.force_login(self.other_handler)
        self.assertEqual(self.client.get(self.detail_url(self.case)).status_code, 404)
        self.assertEqual(self.client.get(self.detail_url(self.others)).status_code, 200)

    def test_committee_and_leaders_see_every_submitted_proposal_and_no_draft(self):
        for user in (self.committee, self.leader):
            self.client.force_login(user)
            for proposal, status in ((self.draft, 404), (self.case, 200), (self.others, 200)):
                with self.subTest(user=user.username, proposal=proposal.title):
                    self.assertEqual(self.client.get(self.detail_url(proposal)).status_code, status)

    def test_unsent_replies_are_never_shown_as_letters(self):
        self.client.force_login(self.lihua)
        response = self.client.get(self.detail_url(self.others))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["replies"], [])
        self.assertNotContains(response, "尚未签发的答复内容")

    def test_a_missing_proposal_answers_404(self):
        self.client.force_login(self.committee)
        self.assertEqual(self.client.get(reverse("portal:proposal_detail", args=[999999])).status_code, 404)

    def test_a_merged_proposal_names_the_one_it_joined(self):
        merged = make_proposal(
            self.chencheng,
            self.session,
            title="关于打造福田时尚消费地标的建议",
            status=ProposalStatus.MERGED,
            merged_into=self.case,
        )
        self.client.force_login(self.chencheng)
        response = self.client.get(self.detail_url(merged))
        self.assertContains(response, self.detail_url(self.case))
        response = self.client.get(self.detail_url(self.case))
        self.assertContains(response, "关于打造福田时尚消费地标的建议")

    def test_supervision_notes_are_for_leaders_and_the_committee_only(self):
        Proposal.objects.filter(pk=self.case.pk).update(is_key=True, supervisor=self.leader)
        SupervisionNote.objects.create(proposal=self.case, author=self.leader, body="请尽快召开专题协调会")
        for user, shown in (
            (self.leader, True),
            (self.committee, True),
            (self.handler, False),
            (self.chencheng, False),
        ):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(self.detail_url(self.case))
                self.assertEqual("请尽快召开专题协调会" in response.content.decode(), shown)

    def test_pages_render_in_chinese_by_default(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(self.detail_url(self.case), HTTP_ACCEPT_LANGUAGE="zh-hans")
        self.assertContains(response, '<html lang="zh-hans">')
        self.assertContains(response, "关于福田区构建具有竞争力的现代化产业体系的建议")
        catalogue = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
        if catalogue.exists():
            self.assertContains(response, "提案办理系统")


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class AttachmentTests(PortalTestCase):
    def setUp(self):
        self.attachment = Attachment(
            proposal=self.case,
            original_name="调研报告.txt",
            content_type="text/plain",
            size=6,
            uploaded_by=self.chencheng,
        )
        self.attachment.file.save("调研报告.txt", ContentFile("调研".encode()), save=False)
        self.attachment.save()
        self.url = reverse("portal:attachment_download", args=[self.case.pk, self.attachment.pk])

    def test_it_is_listed_and_served_to_those_who_see_the_proposal(self):
        self.client.force_login(self.wangfang)
        self.assertContains(self.client.get(self.detail_url(self.case)), "调研报告.txt")
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertEqual(b"".join(response.streaming_content), "调研".encode())

    def test_it_answers_404_to_anyone_else(self):
        self.client.force_login(self.lihua)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.force_login(self.other_handler)
        self.assertEqual(self.client.get(self.url).status_code, 404)


class NotificationTests(PortalTestCase):
    def setUp(self):
        now = timezone.now()
        self.old = Notification.objects.create(
            user=self.chencheng, proposal=self.case, title="提案已立案", created_at=now - dt.timedelta(days=2)
        )
        self.new = Notification.objects.create(
            user=self.chencheng,
            proposal=self.case,
            title="收到答复",
            url=self.detail_url(self.case),
            created_at=now - dt.timedelta(hours=1),
        )
        self.foreign = Notification.objects.create(user=self.wangfang, title="联名邀请")
        self.hostile = Notification.objects.create(user=self.chencheng, title="外部链接", url="https://evil.example/x")

    def test_it_sends_anonymous_visitors_to_the_login_page(self):
        self.assertEqual(self.client.get(reverse("portal:notifications")).status_code, 302)

    def test_it_lists_the_users_own_notifications_newest_first_and_marks_them_read(self):
        self.client.force_login(self.chencheng)
        home = self.client.get(reverse("portal:home"))
        self.assertEqual(int(str(home.context["unread_notification_count"])), 3)
        response = self.client.get(reverse("portal:notifications"))
        self.assertEqual([n.pk for n in response.context["page"]], [self.hostile.pk, self.new.pk, self.old.pk])
        self.assertNotContains(response, "联名邀请")
        self.assertContains(response, "badge-red", count=3)  # shown as new this once
        # The header counts what is unread now, not what was unread when the user was read.
        self.assertEqual(int(str(response.context["unread_notification_count"])), 0)
        self.assertNotContains(response, 'data-testid="unread-count"')
        self.assertFalse(Notification.objects.filter(user=self.chencheng, read_at__isnull=True).exists())
        self.assertIsNone(Notification.objects.get(pk=self.foreign.pk).read_at)
        again = self.client.get(reverse("portal:notifications"))
        self.assertNotContains(again, "badge-red")

    def test_only_links_into_the_site_are_rendered(self):
        self.client.force_login(self.chencheng)
        response = self.client.get(reverse("portal:notifications"))
        self.assertContains(response, f'href="{self.detail_url(self.case)}"')
        self.assertNotContains(response, "evil.example")

    def test_a_link_to_the_site_by_its_address_is_rendered_but_never_plain_http_on_https(self):
        Notification.objects.filter(pk=self.new.pk).update(url="http://localhost:8000/proposals/")
        self.client.force_login(self.chencheng)
        with self.settings(SITE_URL="http://localhost:8000"):
            plain = self.client.get(reverse("portal:notifications"))
            secure = self.client.get(reverse("portal:notifications"), secure=True)
        self.assertContains(plain, 'href="http://localhost:8000/proposals/"')
        self.assertNotContains(secure, 'href="http://localhost:8000/proposals/"')

    def test_mark_all_read_needs_post(self):
        self.client.force_login(self.chencheng)
        url = reverse("portal:notifications_mark_all_read")
        self.assertEqual(self.client.get(url).status_code, 405)
        response = self.client.post(url)
        self.assertRedirects(response, reverse("portal:notifications"), fetch_redirect_response=False)
        self.assertEqual(Notification.objects.visible_to(self.chencheng).unread().count(), 0)
        self.assertEqual(Notification.objects.visible_to(self.wangfang).unread().count(), 1)

    def test_the_signed_in_user_comes_with_the_header_count(self):
        from accounts.security import ThrottledModelBackend

        with self.assertNumQueries(1):
            user = ThrottledModelBackend().get_user(self.chencheng.pk)
            self.assertEqual(user.unread_notification_count, 3)
        request = RequestFactory().get("/")
        request.user = user
        with self.assertNumQueries(0):
            self.assertEqual(portal(request)["unread_notification_count"], 3)

    def test_the_header_links_match_the_url_names(self):
        from proposals.context_processors import SITE_URLS

        request = RequestFactory().get("/")
        request.user = User.objects.get(pk=self.chencheng.pk)
        urls = portal(request)["urls"]
        self.assertEqual(urls, {key: reverse(name) for key, name in SITE_URLS.items()})
        self.client.force_login(self.chencheng)
        page = self.client.get(reverse("portal:home")).content.decode()
        for key in ("home", "public", "logout", "new_proposal", "notifications", "password_change", "set_language"):
            with self.subTest(link=key):
                self.assertIn(f'"{urls[key]}"', page)

    def test_the_header_count_costs_one_query_and_nothing_for_anonymous_users(self):
        request = RequestFactory().get("/")
        request.user = User.objects.get(pk=self.chencheng.pk)
        context = portal(request)
        with self.assertNumQueries(1):
            self.assertEqual(str(context["unread_notification_count"]), "3")
            self.assertTrue(context["unread_notification_count"])
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
        with self.assertNumQueries(0):
            self.assertNotIn("unread_notification_count", portal(request))


class PublicTests(PortalTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.refused = make_proposal(
            cls.wangfang,
            cls.session,
            title="关于增设福田区夜间儿科门诊的建议",
            status=ProposalStatus.CLOSED,
            is_published=True,
            publication_consent=False,
            publication_refusal_reason="涉及个人隐私",
        )
        cls.other_session = make_session(name="六届六次会议", term=6, meeting=6, year=2026, is_current=False)
        cls.other_category = Category.objects.create(name="文化教育", order=4)
        cls.newer = make_proposal(
            cls.lihua,
            cls.other_session,
            title="关于加强福田区中小学生心理健康教育的建议",
            status=ProposalStatus.CLOSED,
            category=cls.other_category,
            is_published=True,
            published_at=timezone.now(),
        )

    def test_it_lists_only_published_proposals_with_consent_without_login(self):
        response = self.client.get(reverse("public:index"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual({p.pk for p in response.context["page"]}, {self.case.pk, self.newer.pk})
        self.assertNotContains(response, self.draft.title)
        self.assertNotContains(response, self.others.title)
        self.assertNotContains(response, self.refused.title)

    def test_it_filters_by_session_and_category(self):
        by_session = self.client.get(reverse("public:index"), {"session": self.other_session.pk})
        self.assertEqual([p.pk for p in by_session.context["page"]], [self.newer.pk])
        by_category = self.client.get(reverse("public:index"), {"category": self.category.pk})
        self.assertEqual([p.pk for p in by_category.context["page"]], [self.case.pk])
        nonsense = self.client.get(reverse("public:index"), {"session": "abc"})
        self.assertEqual(len(nonsense.context["page"].object_list), 2)

    def test_the_letter_page_shows_the_reply_without_contact_details(self):
        response = self.client.get(reverse("public:detail", args=[self.case.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "福工信函〔2023〕160号")
        self.assertContains(response, "<p>一是加强规划引领。</p>", html=True)
        self.assertNotContains(response, "0755-82978326")
        self.assertNotContains(response, "刘经办")

    def test_anything_not_published_answers_404(self):
        for proposal in (self.draft, self.others, self.refused):
            with self.subTest(proposal=proposal.title):
                self.assertEqual(self.client.get(reverse("public:detail", args=[proposal.pk])).status_code, 404)

    def test_the_public_list_costs_the_same_queries_for_3_and_30_rows(self):
        for total in (3, 30):
            Proposal.objects.filter(created_by=self.lihua, session=self.session).delete()
            for i in range(total - 2):
                make_proposal(
                    self.lihua,
                    self.session,
                    title=f"关于福田区第{i}项工作的建议",
                    status=ProposalStatus.CLOSED,
                    category=self.category,
                    is_published=True,
                )
            # sessions, categories, count, page rows
            with self.assertNumQueries(4):
                response = self.client.get(reverse("public:index"))
            self.assertEqual(response.context["page"].paginator.count, total)

    def test_signed_in_users_see_the_same_public_pages(self):
        self.client.force_login(self.lihua)
        response = self.client.get(reverse("public:detail", args=[self.case.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "0755-82978326")


class AccountPagesTests(PortalTestCase):
    def test_the_login_page_renders_and_signs_in(self):
        response = self.client.get(reverse("login"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="username"')
        # Set here, under the tests' fast hasher (personas were hashed before it was switched on).
        self.chencheng.set_password("a-long-test-password")
        self.chencheng.save(update_fields=["password"])
        response = self.client.post(reverse("login"), {"username": "chencheng", "password": "a-long-test-password"})
        self.assertRedirects(response, reverse("portal:home"), fetch_redirect_response=False)

    def test_the_first_submit_button_on_the_login_page_is_the_login_button(self):
        # Browser tests click the first submit button; the language switch must come after the form.
        content = self.client.get(reverse("login")).content.decode()
        first = content.index('type="submit"')
        self.assertLess(content.index('action="/accounts/login/"'), first)
        self.assertLess(first, content.index('action="/i18n/setlang/"'))

    def test_logout_is_a_post(self):
        self.client.force_login(self.chencheng)
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, reverse("login"), fetch_redirect_response=False)
        self.assertEqual(self.client.get(reverse("portal:home")).status_code, 302)

    def test_password_pages_render(self):
        self.assertEqual(self.client.get(reverse("password_reset")).status_code, 200)
        self.assertEqual(self.client.get(reverse("password_reset_done")).status_code, 200)
        self.assertEqual(self.client.get(reverse("password_reset_complete")).status_code, 200)
        self.assertEqual(self.client.get(reverse("password_change")).status_code, 302)
        self.client.force_login(self.chencheng)
        self.assertEqual(self.client.get(reverse("password_change")).status_code, 200)
        self.assertEqual(self.client.get(reverse("password_change_done")).status_code, 200)

    def test_the_admins_own_password_pages_keep_the_admin_templates(self):
        self.client.force_login(self.committee)
        response = self.client.get(reverse("admin:password_change"))
        self.assertEqual(response.status_code, 200)
        self.assertTemplateNotUsed(response, "accounts/password_change_form.html")
        self.client.force_login(self.chencheng)
        self.assertTemplateUsed(self.client.get(reverse("password_change")), "accounts/password_change_form.html")

    def test_a_password_reset_email_links_to_the_confirm_page(self):
        from django.core import mail

        response = self.client.post(reverse("password_reset"), {"email": "chencheng@example.org"})
        self.assertRedirects(response, reverse("password_reset_done"), fetch_redirect_response=False)
        self.assertEqual(len(mail.outbox), 1)
        link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/" in line)
        response = self.client.get(link.split("testserver", 1)[1], follow=True)
        self.assertTrue(response.context["validlink"])

    def test_the_language_switch_posts_to_set_language(self):
        response = self.client.post(reverse("set_language"), {"language": "en", "next": "/public/"})
        self.assertRedirects(response, "/public/", fetch_redirect_response=False)
        page = self.client.get("/public/")
        self.assertContains(page, '<html lang="en">')
        # Each language is offered in its own name; the current one is marked.
        self.assertContains(page, 'value="zh-hans" class="lang-button" lang="zh-hans">简体中文</button>', html=False)
        self.assertContains(page, 'class="lang-button is-current" lang="en" aria-current="true">English</button>')


class SessionDisplayTests(PortalTestCase):
    def test_the_letter_title_uses_the_sessions_full_name_and_falls_back_to_its_name(self):
        Session.objects.filter(pk=self.session.pk).update(full_name="")
        self.client.force_login(self.chencheng)
        response = self.client.get(self.detail_url(self.case))
        self.assertContains(response, "六届三次会议")
