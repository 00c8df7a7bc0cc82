"""manage.py fill_list_columns: compute the proposals' list columns again from their proposers and assignments.

The services keep them (``proposals.list_columns``, ``responses.list_columns``); this is for
rows written without the services: data loaded in bulk, demo data, an import.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from proposals.list_columns import fill_lead_names
from responses.list_columns import fill_units


class Command(BaseCommand):
    help = "Fill every proposal's lead proposer name, first handling unit and unit count from the live tables."

    def handle(self, *args, **options):
        with transaction.atomic():
            count = fill_lead_names()
            fill_units()
        self.stdout.write(f"{count} proposals filled.")
