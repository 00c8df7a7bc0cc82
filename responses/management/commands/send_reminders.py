from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from proposals.notifications import pending_emails, send_email
from responses import reminder_delivery, reminders


class Command(BaseCommand):
    help = "Scan for due reminders and deliver them in this process, without a broker (for cron and tests)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Scan and deliver once, then exit.")
        parser.add_argument("--dry-run", action="store_true", help="List what is due; write and send nothing.")

    def handle(self, *args, once: bool, dry_run: bool, **options) -> None:
        if not once and not dry_run:
            raise CommandError("Give --once (scan and deliver) or --dry-run (list only).")
        if dry_run:
            due = reminders.find_due()
            for item in due:
                self.stdout.write(
                    f"{item.kind}\t{item.stage}\t{item.target_type}:{item.target_id}\tproposal {item.proposal_id}"
                    f"\tdue {item.due_on or '-'}\trecipients {','.join(map(str, item.recipients))}"
                )
            self.stdout.write(f"{len(due)} due (dry run: nothing written or sent)")
            return
        created = reminders.scan()
        due = reminder_delivery.sweep(publish=None, now=timezone.now())
        sent = reminder_delivery.deliver_many(due)
        failed = len(due) - sent
        emails = 0
        for pk in pending_emails(older_than_seconds=0):
            try:
                emails += send_email(pk)
            except Exception as exc:  # noqa: BLE001 - stays pending for the next run
                self.stderr.write(f"notification {pk}: email failed: {exc}")
        self.stdout.write(
            self.style.SUCCESS(f"{created} new, {sent} sent, {failed} not sent; {emails} notification emails sent")
        )
