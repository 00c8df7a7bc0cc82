"""Importing an earlier session from a workbook: checked first, written all or nothing, once."""

from __future__ import annotations

from io import BytesIO, StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from imports.models import ImportBatch
from imports.services import import_workbook
from imports.workbook import SHEETS, template
from proposals.choices import ProposalStatus
from proposals.filters import ProposalFilterSet
from proposals.models import Event, Proposal
from responses.choices import AssignmentStatus, ReplyStatus
from responses.models import Assignment, Feedback, Reply
from tests.base import PersonaTestCase
from tests.imports.helpers import reference_case, workbook


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Proposal, Assignment, Reply, Feedback, Event, ImportBatch))


class ImportTests(PersonaTestCase):
    def run_import(self, content: bytes, **kwargs):
        return import_workbook(content, actor=self.committee, file_name="六届三次会议.xlsx", **kwargs)

    def test_the_reference_case_is_imported_with_its_historical_dates_and_marked(self):
        plan, batch = self.run_import(workbook(**reference_case()))
        self.assertEqual(plan.problems, [])
        proposal = Proposal.objects.get(number="2023160")
        self.assertEqual(proposal.status, ProposalStatus.CLOSED)
        self.assertEqual(proposal.submitted_at.date().isoformat(), "2023-01-05")
        self.assertEqual(proposal.accepted_at.date().isoformat(), "2023-02-10")
        self.assertEqual(proposal.import_record.batch, batch)
        self.assertEqual(proposal.lead_display, "陈澄")
        self.assertEqual((proposal.first_unit, proposal.unit_count), (self.unit, 1))
        assignment = proposal.assignments.get()
        self.assertEqual(
            (assignment.status, assignment.reply_due.isoformat()), (AssignmentStatus.REPLIED, "2023-06-01")
        )
        reply = Reply.objects.get(assignment=assignment)
        self.assertEqual((reply.status, reply.sent_at.date().isoformat()), (ReplyStatus.SENT, "2023-05-20"))
        self.assertEqual(Feedback.objects.filter(reply=reply).count(), 2)
        timeline = list(proposal.events.order_by("created_at", "pk").values_list("verb", flat=True))
        self.assertEqual(
            timeline,
            [
                "created",
                "submitted",
                "accepted",
                "assigned",
                "reply_sent",
                "feedback_given",
                "feedback_given",
                "closed",
            ],
        )
        self.assertTrue(all(event.data.get("imported") == batch.pk for event in proposal.events.all()))

    def test_imported_proposals_appear_in_lists_and_search(self):
        self.run_import(workbook(**reference_case()))
        found = ProposalFilterSet(
            {"q": "现代化产业体系", "status": ["closed"]}, Proposal.objects.visible_to(self.committee)
        ).qs
        self.assertEqual([p.number for p in found], ["2023160"])
        self.assertEqual(Proposal.objects.visible_to(self.chencheng).count(), 1)
        self.assertEqual(Assignment.objects.visible_to(self.handler).count(), 1)

    def test_importing_the_same_file_twice_changes_nothing_the_second_time(self):
        content = workbook(**reference_case())
        self.run_import(content)
        before = counts()
        plan, batch = self.run_import(content)
        self.assertIsNone(batch)
        self.assertEqual((plan.counts["proposals"], plan.counts["skipped"]), (0, 1))
        self.assertEqual(counts(), before)

    def test_a_dry_run_reports_every_problem_by_sheet_row_and_column_and_writes_nothing(self):
        data = reference_case()
        data["proposals"].append({**data["proposals"][0]})  # the same number twice
        data["proposals"].append(
            {**data["proposals"][0], "number": "2023161", "lead": "nobody", "submitted": "2023-13-40"}
        )
        data["assignments"][0]["unit"] = "不存在的局"
        before = counts()
        plan, batch = self.run_import(workbook(**data), dry_run=True)
        self.assertIsNone(batch)
        found = {(p.sheet, p.row, p.column) for p in plan.problems}
        self.assertEqual(
            found,
            {
                ("提案", 3, "提案号"),
                ("提案", 4, "第一提案人"),
                ("提案", 4, "提交日期"),
                ("交办", 2, "承办单位"),
                ("答复", 2, "承办单位"),
                ("测评", 2, "承办单位"),
                ("测评", 3, "承办单位"),
            },
        )
        messages = {p.column: p.message for p in plan.problems}
        self.assertIn("nobody", messages["第一提案人"])
        self.assertEqual(counts(), before)

    def test_an_import_with_any_problem_writes_nothing(self):
        data = reference_case()
        data["feedback"][1]["attitude"] = "很好"
        before = counts()
        plan, batch = self.run_import(workbook(**data))
        self.assertIsNone(batch)
        self.assertEqual([(p.sheet, p.row, p.column) for p in plan.problems], [("测评", 3, "办理态度")])
        self.assertEqual(counts(), before)

    def test_a_number_that_exists_but_was_not_imported_is_a_problem(self):
        Proposal.objects.create(session=self.session, number="2023160", title="已有提案", created_by=self.chencheng)
        plan, batch = self.run_import(workbook(**reference_case()))
        self.assertIsNone(batch)
        self.assertEqual([(p.sheet, p.column) for p in plan.problems], [("提案", "提案号")])

    def test_a_file_that_is_no_workbook_is_a_problem_not_an_error(self):
        plan, batch = self.run_import(b"not a workbook")
        self.assertIsNone(batch)
        self.assertEqual(len(plan.problems), 1)

    def test_without_replies_the_proposal_stays_assigned(self):
        data = reference_case()
        data["replies"], data["feedback"] = [], []
        self.run_import(workbook(**data))
        proposal = Proposal.objects.get(number="2023160")
        self.assertEqual(proposal.status, ProposalStatus.ASSIGNED)
        self.assertEqual(proposal.assignments.get().status, AssignmentStatus.HANDLING)

    def test_the_template_explains_every_column_in_chinese(self):
        book = load_workbook(BytesIO(template()))
        self.assertEqual(book.sheetnames, ["说明", *[sheet.title for sheet in SHEETS]])
        guide = list(book["说明"].iter_rows(values_only=True))
        self.assertEqual(len(guide) - 1, sum(len(sheet.columns) for sheet in SHEETS))
        self.assertIn("届次名称", " ".join(str(row[3]) for row in guide))
        # The template itself imports cleanly: nothing in it, nothing written.
        plan, batch = self.run_import(template())
        self.assertEqual((plan.problems, batch), ([], None))


class CommandTests(PersonaTestCase):
    def test_the_command_dry_runs_imports_and_reports(self):
        with TemporaryDirectory() as folder:
            path = Path(folder) / "六届三次会议.xlsx"
            path.write_bytes(workbook(**reference_case()))
            out = StringIO()
            call_command("import_session", str(path), "--dry-run", stdout=out)
            self.assertIn("1", out.getvalue())
            self.assertFalse(Proposal.objects.exists())
            call_command("import_session", str(path), "--user", "committee", stdout=StringIO())
            self.assertTrue(Proposal.objects.filter(number="2023160").exists())

    def test_the_command_refuses_a_workbook_with_problems(self):
        data = reference_case()
        data["proposals"][0]["session"] = "九届九次会议"
        with TemporaryDirectory() as folder:
            path = Path(folder) / "bad.xlsx"
            path.write_bytes(workbook(**data))
            err = StringIO()
            with self.assertRaises(CommandError):
                call_command("import_session", str(path), stdout=StringIO(), stderr=err)
            self.assertIn("提案 row 2 届次", err.getvalue())
        self.assertFalse(Proposal.objects.exists())


class AdminTests(PersonaTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Uploads wait for their confirmation in a folder of this test's own.
        folder = TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        override = override_settings(IMPORT_UPLOAD_DIR=Path(folder.name))
        override.enable()
        self.addCleanup(override.disable)

    def upload(self, content: bytes, name: str = "六届三次会议.xlsx"):
        return self.client.post(
            reverse("admin:imports_importbatch_upload"), {"workbook": SimpleUploadedFile(name, content)}
        )

    def test_a_clerk_uploads_previews_and_confirms(self):
        self.client.force_login(self.committee)
        preview = self.upload(workbook(**reference_case()))
        self.assertEqual(preview.status_code, 200)
        self.assertTrue(preview.context["can_confirm"])
        self.assertFalse(Proposal.objects.exists())  # the preview writes nothing
        done = self.client.post(reverse("admin:imports_importbatch_confirm"))
        self.assertRedirects(done, reverse("admin:imports_importbatch_changelist"))
        self.assertEqual(Proposal.objects.get().import_record.batch.imported_by, self.committee)
        # The confirmation is spent: confirming again imports nothing more.
        self.client.post(reverse("admin:imports_importbatch_confirm"))
        self.assertEqual(ImportBatch.objects.count(), 1)

    def test_the_preview_lists_every_problem_and_offers_no_confirmation(self):
        data = reference_case()
        data["assignments"][0]["role"] = "牵头"
        self.client.force_login(self.committee)
        preview = self.upload(workbook(**data))
        self.assertFalse(preview.context["can_confirm"])
        self.assertContains(preview, "牵头")
        self.client.post(reverse("admin:imports_importbatch_confirm"))
        self.assertFalse(Proposal.objects.exists())

    def test_a_file_that_is_no_xlsx_is_refused_on_the_form(self):
        self.client.force_login(self.committee)
        response = self.upload(b"hello", name="notes.txt")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)

    def test_the_template_downloads_and_only_committee_staff_may_import(self):
        self.client.force_login(self.committee)
        response = self.client.get(reverse("admin:imports_importbatch_template"))
        self.assertEqual(load_workbook(BytesIO(response.content)).sheetnames[0], "说明")
        self.client.force_login(self.handler)
        self.assertEqual(self.client.get(reverse("admin:imports_importbatch_upload")).status_code, 403)
        self.assertEqual(self.upload(workbook(**reference_case())).status_code, 403)
        self.assertFalse(Proposal.objects.exists())


def letter(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


class LetterFileTests(PersonaTestCase):
    def with_letter_file(self, name: str = "2023160答复函.docx") -> dict:
        data = reference_case()
        data["replies"][0].update(body=None, letter_file=name)
        return data

    def test_a_reply_takes_its_text_from_the_docx_the_sheet_names(self):
        content = letter("陈澄委员：", "你提出的关于现代化产业体系的提案收悉。", "特此回复。")
        plan, batch = import_workbook(
            workbook(**self.with_letter_file()),
            actor=self.committee,
            file_name="x.xlsx",
            letters={"2023160答复函.docx": content},
        )
        self.assertEqual(plan.problems, [])
        self.assertEqual(Reply.objects.get().body, "陈澄委员：\n你提出的关于现代化产业体系的提案收悉。\n特此回复。")

    def test_a_missing_or_unreadable_letter_file_is_a_problem(self):
        for letters in ({}, {"2023160答复函.docx": b"not a docx"}):
            with self.subTest(letters=list(letters)):
                plan, batch = import_workbook(
                    workbook(**self.with_letter_file()), actor=self.committee, file_name="x.xlsx", letters=letters
                )
                self.assertIsNone(batch)
                self.assertEqual([(p.sheet, p.row, p.column) for p in plan.problems], [("答复", 2, "答复函文件")])

    def test_the_command_reads_letters_from_the_workbooks_folder(self):
        with TemporaryDirectory() as folder:
            path = Path(folder) / "六届三次会议.xlsx"
            path.write_bytes(workbook(**self.with_letter_file()))
            (Path(folder) / "2023160答复函.docx").write_bytes(letter("特此回复。"))
            call_command("import_session", str(path), stdout=StringIO())
        self.assertEqual(Reply.objects.get().body, "特此回复。")

    def test_the_admin_takes_letters_with_the_workbook(self):
        folder = TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        with override_settings(IMPORT_UPLOAD_DIR=Path(folder.name)):
            self.client.force_login(self.committee)
            preview = self.client.post(
                reverse("admin:imports_importbatch_upload"),
                {
                    "workbook": SimpleUploadedFile("x.xlsx", workbook(**self.with_letter_file())),
                    "letters": [SimpleUploadedFile("2023160答复函.docx", letter("特此回复。"))],
                },
            )
            self.assertTrue(preview.context["can_confirm"], preview.context["plan"].problems)
            self.client.post(reverse("admin:imports_importbatch_confirm"))
        self.assertEqual(Reply.objects.get().body, "特此回复。")
