"""manage.py seed_demo: the 福田区 demo data, built around the real case 第2023160号 (see ``responses.demo``)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from responses.demo.clock import tasks_in_process
from responses.demo.people import USERS
from responses.demo.seeder import Seeder


class Command(BaseCommand):
    help = (
        "Create the 福田区 demo data (sessions, units, users, proposals in every state). Safe to run twice. "
        "Refuses to run with DEBUG off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Set every demo user's password to settings.DEMO_PASSWORD again.",
        )
        parser.add_argument(
            "--without-logins",
            action="store_true",
            help="Leave the demo logins out of the summary (make run prints them once the server answers).",
        )

    def handle(
        self, *args, force: bool = False, reset_passwords: bool = False, without_logins: bool = False, **options
    ):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off (a production database?). Use --force if you mean it."
            )
        seeder = Seeder(reset_passwords=reset_passwords)
        # One transaction: a failing step leaves nothing half-made. The emails the steps queue after
        # commit are cancelled inside it, and their tasks run here rather than through the broker.
        with tasks_in_process(), transaction.atomic():
            seeder.run()
        if options.get("verbosity", 1) >= 1:
            for line in seeder.log:
                self.stdout.write(f"  {line}")
            if seeder.log:
                self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(seeder.log)} things created or updated."))
            else:
                self.stdout.write(self.style.SUCCESS("Demo data already present: nothing to do."))
            if not without_logins:
                # The password itself: a user who just ran the command has nothing else to log in with.
                self.stdout.write(
                    f"Demo accounts: {', '.join(u.username for u in USERS)} (password: {settings.DEMO_PASSWORD})."
                )
