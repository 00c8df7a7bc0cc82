# One index of ids per proposal status, instead of one (status, id) index (docs/performance.md).

from django.db import migrations, models

# The statuses as they were when this migration was written (proposals.choices.ProposalStatus).
STATUSES = ["draft", "submitted", "accepted", "assigned", "replied", "closed", "rejected", "merged", "withdrawn"]


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0004_search_vector_inline"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="proposal", name="proposal_status_id"),
        *[
            migrations.AddIndex(
                model_name="proposal",
                index=models.Index(condition=models.Q(status=status), fields=["id"], name=f"proposal_{status}_id"),
            )
            for status in STATUSES
        ],
    ]
