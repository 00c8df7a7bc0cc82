# The search vector kept in the row itself (PostgreSQL only).

from django.db import migrations

# A list filtered by a common word walks the proposals newest first and checks each row's vector.
# Stored out of line (PostgreSQL's default for a value of about 1 KB in a row of long texts), each
# check costs three more page reads in the TOAST table: 1,078 buffers and 0.96 ms to find 51 rows
# with 时尚, against 69 buffers and 0.39 ms with the vector in the row (EXPLAIN ANALYZE on copies of
# the newest 200,000 of the million proposals of `make bench`, docs/performance.md). STORAGE MAIN moves the long texts out of
# line first and keeps the vector in. It applies to rows written from now on; VACUUM FULL
# rewrites the rows already there.
INLINE = "ALTER TABLE proposals_proposal ALTER COLUMN search_vector SET STORAGE MAIN"
DEFAULT = "ALTER TABLE proposals_proposal ALTER COLUMN search_vector SET STORAGE EXTENDED"


def keep_inline(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INLINE)


def store_by_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DEFAULT)


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0003_list_status_index"),
    ]

    operations = [
        migrations.RunPython(keep_inline, store_by_default),
    ]
