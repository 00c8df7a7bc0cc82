from django.core.management.base import BaseCommand

from proposals.search_index import reindex


class Command(BaseCommand):
    help = "Segment every proposal again for search (the background task does it after a dictionary change)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args, batch: int, **options) -> None:
        done = reindex(batch=batch)
        self.stdout.write(self.style.SUCCESS(f"{done} proposals segmented again"))
