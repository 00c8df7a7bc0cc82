"""``manage.py import_session FILE.xlsx [--dry-run] [--user NAME]``: import an earlier session's workbook."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from imports.services import import_workbook
from imports.workbook import template as template_workbook


class Command(BaseCommand):
    help = "Import proposals, assignments, replies and feedback of an earlier session from a workbook."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the .xlsx workbook (see --template)")
        parser.add_argument("--dry-run", action="store_true", help="check and report problems; write nothing")
        parser.add_argument("--user", default="", help="committee staff user recorded as the importer")
        parser.add_argument("--template", action="store_true", help="write the empty template workbook to FILE")
        parser.add_argument(
            "--letters", default="", help="folder of the .docx letters the replies sheet names (default: FILE's folder)"
        )

    def handle(self, *args, file: str, dry_run: bool, user: str, template: bool, letters: str, **options) -> None:
        path = Path(file)
        if template:
            path.write_bytes(template_workbook())
            self.stdout.write(_("Template written to %(path)s") % {"path": path})
            return
        if not path.is_file():
            raise CommandError(_("No file %(path)s") % {"path": path})
        actor = self._actor(user)
        folder = Path(letters) if letters else path.parent
        files = {item.name: item.read_bytes() for item in folder.glob("*.docx")} if folder.is_dir() else {}
        plan, batch = import_workbook(
            path.read_bytes(), actor=actor, file_name=path.name, dry_run=dry_run, letters=files
        )
        for problem in plan.problems:
            where = " ".join(
                str(part) for part in (problem.sheet, problem.row and f"row {problem.row}", problem.column) if part
            )
            self.stderr.write(f"{where}: {problem.message}")
        counts = plan.counts
        summary = (
            _(
                "%(proposals)d proposals, %(assignments)d assignments, %(replies)d replies, %(feedback)d ratings; "
                "%(skipped)d proposals already imported"
            )
            % counts
        )
        if plan.problems:
            raise CommandError(_("%(count)d problems; nothing was imported.") % {"count": len(plan.problems)})
        if dry_run:
            self.stdout.write(_("Dry run, nothing written: %(summary)s") % {"summary": summary})
        elif batch is None:
            self.stdout.write(_("Nothing new to import: %(summary)s") % {"summary": summary})
        else:
            self.stdout.write(_("Imported: %(summary)s") % {"summary": summary})

    def _actor(self, username: str) -> User:
        users = User.objects.committee()
        actor = users.filter(username=username).first() if username else users.order_by("pk").first()
        if actor is None:
            raise CommandError(_("Name a committee staff user with --user."))
        return actor
