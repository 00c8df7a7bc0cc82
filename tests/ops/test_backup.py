"""Backups that restore: the drill (build data through the services, back up, drop, restore into a new
database, compare every table's rows and every attachment's checksum) on whichever database the suite
runs on, PostgreSQL or SQLite, and the refusals of `manage.py restore`."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import uuid
from pathlib import Path

import dj_database_url
import psycopg2
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TransactionTestCase
from django.utils import translation

from ops.backup import prune, sha256_of
from proposals.models import Attachment, Proposal
from tests.base import make_user

ROOT = Path(settings.BASE_DIR)
IS_POSTGRES = connection.vendor == "postgresql"


def _manage(*args: str, database_url: str, var_dir: Path) -> subprocess.CompletedProcess:
    """`manage.py` in a process of its own, as an administrator would run it on the restored machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
    env.update(DATABASE_URL=database_url, VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def _pg_params(name: str) -> dict:
    db = connection.settings_dict
    params = {"dbname": name, "host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None}
    if db["PASSWORD"]:
        params["password"] = db["PASSWORD"]
    return params


class PostgresScratch:
    """A database named after the suite's own (``<name>_drill_<random>``), dropped afterwards."""

    def __init__(self) -> None:
        base = dj_database_url.parse(settings.DATABASE_URL)["NAME"]
        self.name = f"{base}_drill_{uuid.uuid4().hex[:8]}"
        db = connection.settings_dict
        self.url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{self.name}"

    def _admin(self, sql: str) -> None:
        admin = psycopg2.connect(**_pg_params("postgres"))
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute(sql)
        finally:
            admin.close()

    def create(self) -> None:
        self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _row_texts_sql(vendor: str, table: str, columns: list[str]) -> str:
    """Every row of a table as one text, the same way on both sides of the comparison."""
    if vendor == "postgresql":
        return f'SELECT t::text FROM "{table}" t ORDER BY 1'
    # quote() gives each value's SQL literal: no type converter on either side can change it.
    cells = " || '|' || ".join(f'quote("{column}")' for column in columns)
    return f'SELECT {cells} FROM "{table}" ORDER BY 1'


def _snapshot_source() -> dict[str, list[str]]:
    snapshot = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            cursor.execute(_row_texts_sql(connection.vendor, table, columns))
            snapshot[table] = [row[0] for row in cursor.fetchall()]
    return snapshot


def _snapshot_restored(target: str) -> dict[str, list[str]]:
    snapshot = {}
    if IS_POSTGRES:
        db = psycopg2.connect(**_pg_params(target))
        with db.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            tables = [row[0] for row in cursor.fetchall()]
            for table in tables:
                cursor.execute(_row_texts_sql("postgresql", table, []))
                snapshot[table] = [row[0] for row in cursor.fetchall()]
        db.close()
        return snapshot
    db = sqlite3.connect(target)
    tables = [
        row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    ]
    for table in tables:
        columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
        snapshot[table] = [row[0] for row in db.execute(_row_texts_sql("sqlite", table, columns))]
    db.close()
    return snapshot


class BackupDrillTests(TransactionTestCase):
    """The drill of issue 22, on the database the suite runs on."""

    def test_a_backup_restores_every_row_and_every_attachment_into_a_new_database(self):
        call_command("seed_demo", "--force", stdout=io.StringIO())
        proposal = Proposal.objects.order_by("pk").first()
        # A binary attachment next to the demo's text one: bytes must come back exactly.
        Attachment.objects.create(
            proposal=proposal,
            file=_store("attachments/drill/scan.bin", bytes(range(256)) * 40),
            original_name="扫描件.bin",
            content_type="application/octet-stream",
            size=10240,
            uploaded_by=proposal.proposers.first().user,
        )
        media = Path(settings.MEDIA_ROOT)
        checksums = {a.file.name: sha256_of(media / a.file.name) for a in Attachment.objects.all()}
        self.assertGreaterEqual(len(checksums), 2)
        before = _snapshot_source()
        self.assertGreater(len(before["proposals_proposal"]), 10)
        self.assertGreater(len(before["proposals_event"]), 10)
        archives = Path(self.enterContext(tempfile.TemporaryDirectory(prefix="tian-test-")))

        call_command("backup", output=str(archives), stdout=io.StringIO())

        # Drop: the data and the attachment files are gone from the original site.
        call_command("flush", interactive=False)
        for name in checksums:
            (media / name).unlink()
        self.assertFalse(Proposal.objects.exists())

        (archive,) = archives.glob("tian-backup-*.tar.gz")
        restored_var = Path(self.enterContext(tempfile.TemporaryDirectory(prefix="tian-test-")))
        if IS_POSTGRES:
            scratch = PostgresScratch()
            scratch.create()
            self.addCleanup(scratch.drop)
            target, url = scratch.name, scratch.url
        else:
            target = str(restored_var / "restored.sqlite3")
            url = f"sqlite:///{target}"
        result = _manage("restore", str(archive), database_url=url, var_dir=restored_var)
        self.assertEqual(result.returncode, 0, result.stderr)

        after = _snapshot_restored(target)
        self.assertEqual(sorted(after), sorted(before))
        for table, rows in before.items():
            self.assertEqual(after[table], rows, table)
        restored_media = restored_var / "private"
        self.assertEqual({name: sha256_of(restored_media / name) for name in checksums}, checksums)


def _store(name: str, content: bytes) -> str:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    return default_storage.save(name, ContentFile(content))


def _scratch_target(test: TransactionTestCase, var: Path) -> str:
    """The URL of a new, empty database for a restore: a scratch PostgreSQL database or an SQLite file."""
    if IS_POSTGRES:
        scratch = PostgresScratch()
        scratch.create()
        test.addCleanup(scratch.drop)
        return scratch.url
    return f"sqlite:///{var / 'restored.sqlite3'}"


class RestoreCommandTests(TransactionTestCase):
    def test_it_refuses_to_overwrite_a_restored_database_unless_forced(self):
        make_user("chencheng", "陈澄")
        archives = Path(self.enterContext(tempfile.TemporaryDirectory(prefix="tian-test-")))
        call_command("backup", output=str(archives), stdout=io.StringIO())
        (archive,) = archives.glob("tian-backup-*.tar.gz")
        var = Path(self.enterContext(tempfile.TemporaryDirectory(prefix="tian-test-")))
        url = _scratch_target(self, var)

        first = _manage("restore", str(archive), database_url=url, var_dir=var)
        again = _manage("restore", str(archive), database_url=url, var_dir=var)
        forced = _manage("restore", str(archive), "--force", database_url=url, var_dir=var)

        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("--force", again.stderr)
        self.assertEqual(forced.returncode, 0, forced.stderr)


class RestoreRefusalTests(TransactionTestCase):
    # Not TestCase: SQLite's backup API waits forever on an in-memory database inside the test's transaction.
    def setUp(self):
        # The messages are checked in English; the Chinese ones are in the catalogue (tests/test_i18n.py).
        self.enterContext(translation.override("en"))
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory(prefix="tian-test-")))
        self.archive = Path(self.folder / "tian-backup-20260101T000000Z.tar.gz")
        call_command("backup", output=str(self.archive), stdout=io.StringIO())

    def _rewrite(self, change) -> None:
        """Unpack the archive, let ``change`` alter the folder, pack it again under the same name."""
        unpacked = self.folder / "unpacked"
        with tarfile.open(self.archive, "r:gz") as tar:
            tar.extractall(unpacked, filter="data")
        change(unpacked)
        with tarfile.open(self.archive, "w:gz") as tar:
            for path in sorted(unpacked.rglob("*")):
                if path.is_file():
                    tar.add(path, arcname=path.relative_to(unpacked).as_posix())

    def test_it_refuses_a_database_that_holds_data_and_changes_nothing(self):
        member = make_user("wangfang", "王芳")

        with self.assertRaisesMessage(CommandError, "--force"):
            call_command("restore", str(self.archive), stdout=io.StringIO())

        self.assertTrue(type(member).objects.filter(pk=member.pk).exists())

    def test_it_refuses_an_archive_whose_database_does_not_match_its_checksum(self):
        def damage(folder: Path) -> None:
            dump = next(folder.glob("database.*"))
            data = bytearray(dump.read_bytes())
            data[len(data) // 2] ^= 0xFF
            dump.write_bytes(bytes(data))

        self._rewrite(damage)

        with self.assertRaisesMessage(CommandError, "checksum"):
            call_command("restore", str(self.archive), "--force", stdout=io.StringIO())

    def test_it_refuses_an_archive_with_a_file_its_manifest_does_not_list(self):
        self._rewrite(
            lambda folder: (folder / "files").mkdir(exist_ok=True) or (folder / "files" / "x.txt").write_text("x")
        )

        with self.assertRaisesMessage(CommandError, "manifest"):
            call_command("restore", str(self.archive), "--force", stdout=io.StringIO())

    def test_the_manifest_lists_the_database_and_every_attachment_with_checksums(self):
        with tarfile.open(self.archive, "r:gz") as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
            dump = tar.extractfile(manifest["database"]["member"]).read()

        self.assertEqual(manifest["database"]["vendor"], connection.vendor)
        self.assertEqual(manifest["database"]["sha256"], hashlib.sha256(dump).hexdigest())
        self.assertIn("proposals", manifest["migrations"])
        stored = {
            p.relative_to(settings.MEDIA_ROOT).as_posix() for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()
        }
        self.assertEqual({f["path"] for f in manifest["files"]}, stored)

    def test_keep_deletes_all_but_the_newest_archives(self):
        for stamp in ("20260102T000000Z", "20260103T000000Z"):
            (self.folder / f"tian-backup-{stamp}.tar.gz").write_bytes(b"")
        (self.folder / "notes.txt").write_text("kept")

        deleted = prune(self.folder, keep=2)

        self.assertEqual([p.name for p in deleted], ["tian-backup-20260101T000000Z.tar.gz"])
        self.assertEqual(
            sorted(p.name for p in self.folder.iterdir() if p.is_file()),
            ["notes.txt", "tian-backup-20260102T000000Z.tar.gz", "tian-backup-20260103T000000Z.tar.gz"],
        )
