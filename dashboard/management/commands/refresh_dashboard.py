"""manage.py refresh_dashboard: bring the dashboard's counters up to date.

Without options it refreshes the proposals left in the pending list (a refresh
that could not run after its commit). ``--rebuild`` computes every counter
again from the live tables; ``--check`` compares the stored counters with the
live tables and exits with status 1 when they differ.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dashboard import summary


class Command(BaseCommand):
    help = "Refresh the dashboard counters (pending ones, or all with --rebuild); --check compares them."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="compute every counter again")
        parser.add_argument("--check", action="store_true", help="compare stored counters with the live tables")

    def handle(self, *args, rebuild: bool = False, check: bool = False, **options):
        self.verbosity = options.get("verbosity", 1)
        if rebuild:
            count = summary.rebuild(progress=self._progress)
            self.stdout.write(f"rebuilt the counters of {count} proposals")
        else:
            count = summary.refresh_pending()
            self.stdout.write(f"refreshed {count} pending proposals")
        if check:
            stored, live = summary.stored_totals(), summary.live_totals()
            wrong = {key for key in stored.keys() | live.keys() if stored.get(key, 0) != live.get(key, 0)}
            if wrong:
                for key in sorted(wrong)[:20]:
                    self.stderr.write(f"{key}: stored {stored.get(key, 0)}, live {live.get(key, 0)}")
                raise CommandError(f"{len(wrong)} counters differ from the live tables")
            self.stdout.write(f"all {len(stored)} counters match the live tables")

    def _progress(self, count: int) -> None:
        if self.verbosity > 1 and count % 100_000 < 5000:
            self.stdout.write(f"  {count} proposals")
