# Stored search words in the form of proposals.search_text (normalised words, then two-character grams).

from django.db import migrations

BATCH = 2000


def resegment(apps, schema_editor):
    from proposals.search_text import document_words

    Proposal = apps.get_model("proposals", "Proposal")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        # Rewriting every row is much quicker without the index, built again once at the end.
        schema_editor.execute("DROP INDEX IF EXISTS proposal_search_gin")
    last = 0
    while True:
        rows = list(
            Proposal.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "number", "title", "background", "suggestions")[:BATCH]
        )
        if not rows:
            break
        for row in rows:
            row.search_text = document_words(row.number, row.title, row.background, row.suggestions)
        Proposal.objects.bulk_update(rows, ["search_text"])
        last = rows[-1].pk
    if postgres:
        schema_editor.execute("CREATE INDEX proposal_search_gin ON proposals_proposal USING gin (search_vector)")
        schema_editor.execute("ANALYZE proposals_proposal")


class Migration(migrations.Migration):
    # Each batch commits on its own: a million rows are not one transaction.
    atomic = False

    dependencies = [
        ("proposals", "0007_search_index_run"),
    ]

    operations = [
        migrations.RunPython(resegment, migrations.RunPython.noop),
    ]
