"""manage.py upgrade_check: the migrations still to apply, with a warning for each that locks a large table."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ops.upgrade import pending


class Command(BaseCommand):
    help = "List unapplied migrations; fail when one locks a large table, unless --accept-locks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--accept-locks", action="store_true", help="Go on although a migration locks a large table."
        )

    def handle(self, *args, accept_locks, **options):
        names, locks = pending()
        if not names:
            self.stdout.write(_("No migrations to apply."))
            return
        self.stdout.write(_("Migrations to apply: %(names)s") % {"names": ", ".join(names)})
        big = [lock for lock in locks if lock.big]
        for lock in big:
            if lock.seconds is None:
                estimate = _("time unknown")
            else:
                estimate = _("about %(seconds)d s") % {"seconds": max(1, round(lock.seconds))}
            self.stdout.write(
                self.style.WARNING(
                    _("WARNING: %(migration)s (%(operation)s) locks %(table)s, %(rows)s rows, %(estimate)s")
                    % {
                        "migration": lock.migration,
                        "operation": lock.operation,
                        "table": lock.table or _("the tables it touches"),
                        "rows": lock.rows if lock.rows is not None else "?",
                        "estimate": estimate,
                    }
                )
            )
        if big and not accept_locks:
            raise CommandError(
                _(
                    "Some migrations lock large tables. Run them in a quiet hour with --accept-locks (make upgrade ACCEPT_LOCKS=1)."
                )
            )
