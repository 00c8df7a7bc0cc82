"""manage.py restore ARCHIVE: the database and attachments of a backup archive, after checking it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into the configured database and attachment folder."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="A tian-backup-*.tar.gz written by manage.py backup.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite a database or attachment folder that already holds data.",
        )

    def handle(self, *args, archive, force, **options):
        try:
            manifest = restore_backup(Path(archive), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Restored the backup made at %(when)s: the database and %(count)d files.")
            % {"when": manifest["created_at"], "count": len(manifest["files"])}
        )
        self.stdout.write(_("Run manage.py migrate if this version of the code is newer than the backup."))
