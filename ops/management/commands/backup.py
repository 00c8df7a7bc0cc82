"""manage.py backup: one archive with the database, the attachments and a manifest of checksums."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ops.backup import BackupError, create_backup, prune


class Command(BaseCommand):
    help = "Write one backup archive (database, attachments, manifest with checksums)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(Path(settings.VAR_DIR) / "backups"),
            help="Folder for the archive (named tian-backup-<UTC time>.tar.gz), or the archive's own path.",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="Afterwards delete all but this many newest archives in the folder (0 keeps all).",
        )

    def handle(self, *args, output, keep, **options):
        try:
            archive = create_backup(Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("Backup written to %(path)s") % {"path": archive})
        if keep > 0:
            for path in prune(archive.parent, keep):
                self.stdout.write(_("Deleted old backup %(path)s") % {"path": path})
