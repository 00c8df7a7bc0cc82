from django.core.management.base import BaseCommand

from responses.deadlines import recompute_provisional


class Command(BaseCommand):
    help = (
        "Recompute the due dates of open assignments against the holiday calendar as it stands (the same "
        "rules as the admin's Recompute due dates page, without its preview)."
    )

    def handle(self, *args, **options) -> None:
        changed = recompute_provisional()
        for assignment_id, diff in changed:
            self.stdout.write(
                f"assignment {assignment_id}: " + ", ".join(f"{k} {a} → {b}" for k, (a, b) in diff.items())
            )
        self.stdout.write(self.style.SUCCESS(f"{len(changed)} assignment(s) recomputed"))
