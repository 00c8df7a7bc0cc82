"""Compilations built by the worker (DocumentBuild): asked for through the service or the page, claimed once,
progress written as it goes, the file stored and offered to the one who asked and to committee staff; a
refused request, a broker that does not answer, a failing build and a build whose worker died each end with
a clear message."""

from __future__ import annotations

import datetime as dt
import io
import logging
from unittest import mock

import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents import services
from documents.choices import BuildState, DocumentKind
from documents.models import DocumentBuild
from documents.services import request_build, run_build
from proposals.models import Notification, Session
from proposals.workflow import WorkflowError
from tests.base import make_user
from tests.documents.helpers import DocumentScene, docx_text
from tests.responses.helpers_units import NOW, REFERENCE_TITLE


class BuildServiceTests(DocumentScene):
    def setUp(self) -> None:
        super().setUp()
        logger = logging.getLogger("documents.services")
        self.addCleanup(logger.setLevel, logger.level)
        logger.setLevel(logging.CRITICAL)  # the failures below are logged with their tracebacks

    def ask(self, user=None, kind=DocumentKind.COMPILATION, order="number", *, run=True) -> DocumentBuild:
        """Ask for a build; with ``run`` the commit hands it to the (eager) worker, as in production."""
        with self.captureOnCommitCallbacks(execute=run):
            build = request_build(actor=user or self.committee, session=self.session, kind=kind, order=order)
        build.refresh_from_db()
        return build

    def test_the_committee_asks_and_the_worker_builds_the_compilation(self):
        build = self.ask(order="category")

        self.assertEqual(build.state, BuildState.DONE)
        self.assertEqual((build.done, build.total, build.percent), (4, 4, 100))
        self.assertEqual(build.file_name, "六届三次会议提案汇编（按类别排列）.docx")
        self.assertTrue(build.started_at and build.finished_at and build.file_size > 0)
        with build.file.open("rb") as handle:
            lines = docx_text(handle.read())
        self.assertIn(REFERENCE_TITLE, lines)
        notification = Notification.objects.get(user=self.committee, url=reverse("documents:build", args=[build.pk]))
        self.assertEqual(notification.title, "六届三次会议提案汇编已生成")

    def test_the_compilation_of_replies_is_built_by_number(self):
        build = self.ask(kind=DocumentKind.REPLIES, order="category")

        self.assertEqual((build.state, build.order, build.total), (BuildState.DONE, "number", 2))
        self.assertEqual(build.file_name, "六届三次会议答复汇编.docx")

    def test_the_build_moves_from_queued_to_running_to_done_writing_its_progress_as_it_goes(self):
        build = self.ask(run=False)
        self.assertEqual((build.state, build.done, build.total, build.percent), (BuildState.QUEUED, 0, 0, 0))
        seen = []
        real = services.compilation_docx

        def watched(content, progress):
            def report(done: int) -> None:
                progress(done)
                row = DocumentBuild.objects.get(pk=build.pk)
                seen.append((row.state, row.done, row.total, row.percent))

            return real(content, report)

        with mock.patch("documents.services.compilation_docx", watched):
            self.assertTrue(run_build(build.pk))

        self.assertEqual(
            seen,
            [
                (BuildState.RUNNING, 1, 4, 25),
                (BuildState.RUNNING, 2, 4, 50),
                (BuildState.RUNNING, 3, 4, 75),
                (BuildState.RUNNING, 4, 4, 99),
            ],
        )
        build.refresh_from_db()
        self.assertEqual((build.state, build.percent), (BuildState.DONE, 100))

    def test_a_build_is_claimed_once_however_often_its_message_comes(self):
        build = self.ask(run=False)

        self.assertTrue(run_build(build.pk))
        first = DocumentBuild.objects.get(pk=build.pk).file.name
        self.assertFalse(run_build(build.pk))
        self.assertFalse(run_build(999999))
        self.assertEqual(DocumentBuild.objects.get(pk=build.pk).file.name, first)

    def test_asking_again_while_it_is_unfinished_gives_the_same_build(self):
        first = self.ask(run=False)
        again = self.ask(run=False)
        other_order = self.ask(order="category", run=False)

        self.assertEqual(again.pk, first.pk)
        self.assertNotEqual(other_order.pk, first.pk)

    def test_only_committee_staff_and_leaders_may_ask(self):
        for user in (self.chencheng, self.handler, self.unitlead):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                request_build(actor=user, session=self.session, kind=DocumentKind.COMPILATION)
        self.assertEqual(self.ask(self.leader).state, BuildState.DONE)
        self.assertFalse(DocumentBuild.objects.filter(requested_by__in=[self.chencheng, self.handler]).exists())

    def test_a_session_with_nothing_to_compile_is_refused_with_a_message(self):
        empty = Session.objects.create(name="六届四次会议", term=6, meeting=4, year=2024)

        with self.assertRaisesMessage(WorkflowError, "本会次尚无已立案的提案，无可汇编的内容。"):
            request_build(actor=self.committee, session=empty, kind=DocumentKind.COMPILATION)
        with self.assertRaisesMessage(WorkflowError, "本会次尚无已发出的答复，无可汇编的内容。"):
            request_build(actor=self.committee, session=empty, kind=DocumentKind.REPLIES)
        self.assertFalse(DocumentBuild.objects.exists())

    def test_a_broker_that_does_not_answer_fails_the_build_with_a_message(self):
        with mock.patch("documents.tasks.build_document.apply_async", side_effect=OSError("connection refused")):
            build = self.ask()

        self.assertEqual(build.state, BuildState.FAILED)
        self.assertIn("未能将生成任务交给后台程序", build.error)

    def test_an_error_while_building_ends_the_build_as_failed_with_the_reason(self):
        for error, reason in (
            (OSError("disk full"), "文件无法保存到服务器磁盘"),
            (RuntimeError("bug"), "发生意外错误：RuntimeError"),
        ):
            with self.subTest(error=error), mock.patch("documents.services.compilation_docx", side_effect=error):
                build = self.ask(order="category" if isinstance(error, OSError) else "number")
            self.assertEqual(build.state, BuildState.FAILED)
            self.assertIn(reason, build.error)
            self.assertIn("请重试", build.error)
            self.assertFalse(build.file)

    def test_a_build_whose_worker_stopped_answering_is_shown_as_failed(self):
        waiting = self.ask(run=False)
        running = self.ask(order="category", run=False)
        DocumentBuild.objects.filter(pk=running.pk).update(state=BuildState.RUNNING, heartbeat_at=NOW)
        running.refresh_from_db()

        self.assertEqual(services.check_stalled(waiting).state, BuildState.QUEUED)
        with time_machine.travel(NOW + dt.timedelta(minutes=11), tick=False):
            for build in (waiting, running):
                build = services.check_stalled(build)
                self.assertEqual(build.state, BuildState.FAILED)
                self.assertIn("已停止响应", build.error)
            # A stalled build does not hold the next request: asking again makes a new one.
            with self.captureOnCommitCallbacks(execute=False):
                fresh = request_build(actor=self.committee, session=self.session, kind=DocumentKind.COMPILATION)
        self.assertNotIn(fresh.pk, (waiting.pk, running.pk))

    def test_finished_builds_are_deleted_with_their_files_after_the_days_kept(self):
        old = self.ask()
        failed = self.ask(order="category")
        DocumentBuild.objects.filter(pk=failed.pk).update(state=BuildState.FAILED, file="")
        waiting = self.ask(kind=DocumentKind.REPLIES, run=False)
        storage, name = old.file.storage, old.file.name
        self.assertTrue(storage.exists(name))
        finished = old.finished_at

        with self.settings(DOCUMENT_BUILDS_KEEP_DAYS=30):
            self.assertEqual(services.prune_builds(now=finished + dt.timedelta(days=29)), 0)
            self.assertTrue(storage.exists(name))
            self.assertEqual(services.prune_builds(now=finished + dt.timedelta(days=31)), 2)

        self.assertFalse(storage.exists(name))
        self.assertEqual(list(DocumentBuild.objects.values_list("pk", flat=True)), [waiting.pk])
        self.client.force_login(self.committee)
        self.assertEqual(self.client.get(reverse("documents:build", args=[old.pk])).status_code, 404)

    def test_beat_prunes_the_builds_every_night_on_the_scheduled_queue(self):
        from django.conf import settings

        entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "documents.tasks.prune_builds")
        self.assertEqual(entry["schedule"].hour, {3})
        self.assertEqual(settings.CELERY_TASK_ROUTES["documents.tasks.prune_builds"], {"queue": "scheduled"})


class BuildPageTests(DocumentScene):
    def post(self, user, **data):
        self.client.force_login(user)
        form = {"session": self.session.pk, "kind": "compilation", "order": "number", **data}
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse("documents:compilations"), form)

    def test_the_clerk_asks_on_the_page_and_follows_the_build_to_its_file(self):
        response = self.post(self.committee, order="category")
        build = DocumentBuild.objects.get()

        self.assertRedirects(response, reverse("documents:build", args=[build.pk]))
        page = self.client.get(reverse("documents:build", args=[build.pk])).content.decode()
        self.assertIn('data-state="done"', page)
        self.assertIn("全部 4 件提案已写入文件。", page)
        self.assertNotIn("data-build-refresh", page)
        self.assertNotIn("build-progress.js", page)
        download = self.client.get(reverse("documents:build_download", args=[build.pk]))
        self.assertEqual(download.status_code, 200)
        self.assertIn("attachment", download["Content-Disposition"])
        lines = docx_text(b"".join(download.streaming_content))
        self.assertIn("（按类别排列）", lines)
        listing = self.client.get(reverse("documents:compilations")).content.decode()
        self.assertIn(reverse("documents:build_download", args=[build.pk]), listing)

    def test_an_unfinished_build_shows_its_progress_and_refreshes_itself(self):
        self.client.force_login(self.committee)
        with self.captureOnCommitCallbacks(execute=False):
            build = request_build(actor=self.committee, session=self.session, kind=DocumentKind.COMPILATION)
        url = reverse("documents:build", args=[build.pk])

        page = self.client.get(url).content.decode()
        # A small script of ours asks again every 2 seconds; without JavaScript the page reloads itself.
        self.assertIn('data-build-refresh="2"', page)
        self.assertIn("js/build-progress.js", page)
        self.assertIn('<noscript><meta http-equiv="refresh" content="4"></noscript>', page)
        self.assertIn("等待后台程序开始处理。", page)
        DocumentBuild.objects.filter(pk=build.pk).update(state=BuildState.RUNNING, done=2, total=4)
        page = self.client.get(url).content.decode()
        self.assertIn("已写入提案 2 件，共 4 件。", page)
        self.assertIn('value="50"', page)
        download = self.client.get(reverse("documents:build_download", args=[build.pk]))
        self.assertRedirects(download, url)

    def test_a_failed_build_says_why_and_offers_to_ask_again(self):
        with mock.patch("documents.tasks.build_document.apply_async", side_effect=OSError("down")):
            self.post(self.committee)
        build = DocumentBuild.objects.get()

        page = self.client.get(reverse("documents:build", args=[build.pk])).content.decode()
        self.assertIn('data-testid="build-error"', page)
        self.assertIn("未能将生成任务交给后台程序", page)
        self.assertIn('data-testid="build-again"', page)

    def test_bad_input_gets_a_message_and_nothing_is_asked_for(self):
        self.client.force_login(self.committee)
        response = self.client.post(reverse("documents:compilations"), {"session": self.session.pk, "kind": "annual"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)

        empty = Session.objects.create(name="六届四次会议", term=6, meeting=4, year=2024)
        response = self.client.post(
            reverse("documents:compilations"), {"session": empty.pk, "kind": "replies", "order": "number"}
        )
        self.assertContains(response, "本会次尚无已发出的答复，无可汇编的内容。")
        self.assertFalse(DocumentBuild.objects.exists())

    def test_a_build_and_its_file_are_the_askers_and_the_committees(self):
        self.post(self.leader)
        build = DocumentBuild.objects.get()
        other_leader = make_user("leader2", "孙副主席", "leader")
        pages = [reverse("documents:build", args=[build.pk]), reverse("documents:build_download", args=[build.pk])]
        for user, expected in (
            (self.leader, 200),
            (self.committee, 200),
            (other_leader, 404),
            (self.chencheng, 404),
            (self.handler, 404),
        ):
            self.client.force_login(user)
            for url in pages:
                with self.subTest(user=user.username, url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, expected)
                    if expected == 200 and url.endswith("download/"):
                        self.assertTrue(io.BytesIO(b"".join(response.streaming_content)).getvalue().startswith(b"PK"))
        self.client.logout()
        self.assertEqual(self.client.get(pages[0]).status_code, 302)

    def test_the_list_shows_a_leader_his_own_builds_and_the_committee_all(self):
        self.post(self.leader)
        self.post(self.committee, kind="replies")
        self.client.force_login(self.leader)
        leader_rows = (
            self.client.get(reverse("documents:compilations")).content.decode().count('data-testid="build-row"')
        )
        self.client.force_login(self.committee)
        committee_rows = (
            self.client.get(reverse("documents:compilations")).content.decode().count('data-testid="build-row"')
        )

        self.assertEqual((leader_rows, committee_rows), (1, 2))

    def test_the_compilations_page_asks_a_fixed_number_of_queries_whatever_the_number_of_builds(self):
        self.post(self.committee)
        self.client.force_login(self.committee)
        with CaptureQueriesContext(connection) as one:
            self.assertEqual(self.client.get(reverse("documents:compilations")).status_code, 200)
        self.post(self.leader)
        self.post(self.committee, kind="replies")
        self.client.force_login(self.committee)
        with CaptureQueriesContext(connection) as three:
            self.assertEqual(self.client.get(reverse("documents:compilations")).status_code, 200)

        self.assertEqual(len(three), len(one))
