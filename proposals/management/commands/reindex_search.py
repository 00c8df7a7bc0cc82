from django.core.management.base import BaseCommand

from proposals.models import Proposal
from proposals.search import document_words


class Command(BaseCommand):
    help = "Segment every proposal again for search (after changing the search dictionary)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args, batch: int, **options) -> None:
        done, rows = 0, []
        fields = ("pk", "number", "title", "background", "suggestions")
        for proposal in Proposal.objects.only(*fields).order_by("pk").iterator(chunk_size=batch):
            proposal.search_text = document_words(
                proposal.number, proposal.title, proposal.background, proposal.suggestions
            )
            rows.append(proposal)
            if len(rows) >= batch:
                done += Proposal.objects.bulk_update(rows, ["search_text"])
                rows = []
        if rows:
            done += Proposal.objects.bulk_update(rows, ["search_text"])
        self.stdout.write(self.style.SUCCESS(f"{done} proposals segmented again"))
