"""Backups that restore: one archive with the database, the attachments and a manifest of checksums.

An archive (``tian-backup-<UTC time>.tar.gz``) holds:

- ``manifest.json``: the format, when and from what it was made, the applied migrations, and the size
  and SHA-256 of every other member;
- ``database.pgdump`` (``pg_dump --format=custom``, one consistent snapshot) on PostgreSQL, or
  ``database.sqlite3`` on the embedded set-up, copied through SQLite's online backup API so that a
  write during the copy cannot tear it;
- ``files/<path>``: every file under the attachment storage (``MEDIA_ROOT``).

The archive is written under a temporary name and renamed when complete, so a crash or a full disk
never leaves a half archive that looks like a good one. ``restore_backup`` checks every checksum
before it touches anything, and refuses a database that already holds data unless forced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
FILES_PREFIX = "files/"
NAME_PREFIX = "tian-backup-"
NAME_SUFFIX = ".tar.gz"
# Rows in these tables come from `migrate` itself, so a freshly migrated database still counts as empty.
MIGRATE_MADE = {"contenttypes.contenttype", "auth.permission", "sessions.session"}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the administrator."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(_("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": vendor})
    return vendor


def _pg_env(db: dict) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password goes through the environment, never argv."""
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(_("%(tool)s is not installed on this machine.") % {"tool": command[0]})
    # pg_dump/pg_restore with arguments built here, no shell.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s") % {"tool": command[0], "error": result.stderr.strip()[-2000:]}
        )


def _dump_database(alias: str, target: Path) -> str:
    vendor = _vendor(alias)
    connection = connections[alias]
    if vendor == "postgresql":
        args, env = _pg_env(connection.settings_dict)
        # --no-owner/--no-acl: the restore may run as another role, into a database made for it.
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-acl", "--file", str(target)]
        _run([*command, *args, "--dbname", connection.settings_dict["NAME"]], env)
        return PG_DUMP
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        # The online backup API copies a consistent snapshot even while others write.
        connection.connection.backup(copy)
    return SQLITE_COPY


def _applied_migrations(alias: str) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


def archive_name(now: dt.datetime | None = None) -> str:
    moment = (now or timezone.now()).astimezone(dt.UTC)
    return f"{NAME_PREFIX}{moment:%Y%m%dT%H%M%SZ}{NAME_SUFFIX}"


def create_backup(output: Path, *, alias: str = "default", media_root: Path | None = None) -> Path:
    """Write one archive into the folder ``output`` (or to the file ``output``); returns its path."""
    output = Path(output)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if output.suffixes[-2:] == [".tar", ".gz"]:
        final = output
    else:
        output.mkdir(parents=True, exist_ok=True)
        final = output / archive_name()
    if final.exists():
        raise BackupError(_("%(path)s already exists.") % {"path": final})
    final.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tian-backup-", dir=final.parent) as work:
        work = Path(work)
        db_member = _dump_database(alias, work / "database")
        db_file = work / "database"
        files = _media_files(media_root)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": {
                "vendor": connections[alias].vendor,
                "member": db_member,
                "size": db_file.stat().st_size,
                "sha256": sha256_of(db_file),
            },
            "migrations": _applied_migrations(alias),
            "files": [
                {
                    "path": path.relative_to(media_root).as_posix(),
                    "size": path.stat().st_size,
                    "sha256": sha256_of(path),
                }
                for path in files
            ],
        }
        manifest_file = work / MANIFEST
        manifest_file.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        partial = final.with_name(final.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(manifest_file, arcname=MANIFEST)
            archive.add(db_file, arcname=db_member)
            for path, entry in zip(files, manifest["files"], strict=True):
                archive.add(path, arcname=FILES_PREFIX + entry["path"])
        partial.replace(final)
    return final


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest archives in ``folder`` (only files this module named)."""
    archives = sorted(Path(folder).glob(f"{NAME_PREFIX}*{NAME_SUFFIX}"))
    doomed = archives[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink()
    return doomed


def extract_verified(archive: Path, into: Path) -> dict:
    """Unpack ``archive`` into ``into`` and check it against its manifest; returns the manifest.

    Every member must be listed with the right size and checksum, and nothing unlisted may be there;
    the ``data`` filter refuses absolute paths, links out of the folder and device files.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("%(path)s is not a file.") % {"path": archive})
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(
            _("%(path)s is not a readable backup archive: %(error)s") % {"path": archive, "error": exc}
        ) from exc
    try:
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
        database = manifest["database"]
        expected = {database["member"]: database} | {FILES_PREFIX + f["path"]: f for f in manifest["files"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(_("The archive has no valid manifest.")) from exc
    if manifest.get("format") != FORMAT or database["member"] not in (PG_DUMP, SQLITE_COPY):
        raise BackupError(_("The archive was made by an unknown version of the backup command."))
    present = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    if present != set(expected):
        raise BackupError(_("The archive's contents do not match its manifest."))
    for member, entry in expected.items():
        path = into / member
        if path.stat().st_size != entry["size"] or sha256_of(path) != entry["sha256"]:
            raise BackupError(_("The checksum of %(member)s does not match the manifest.") % {"member": member})
    return manifest


def database_holds_data(alias: str = "default") -> bool:
    """True when any of the project's tables has a row (besides what `migrate` writes by itself)."""
    connection = connections[alias]
    tables = set(connection.introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label_lower in MIGRATE_MADE or model._meta.db_table not in tables:
            continue
        if model._base_manager.using(alias).exists():
            return True
    return False


def media_holds_files(media_root: Path | None = None) -> bool:
    return bool(_media_files(Path(media_root or settings.MEDIA_ROOT)))


def restore_backup(
    archive: Path, *, force: bool = False, alias: str = "default", media_root: Path | None = None
) -> dict:
    """Put the archive's database and attachments in place; returns its manifest.

    Refuses, before changing anything, when the archive fails its checksums, was made on another
    kind of database, or when the database or the attachment folder already holds data and
    ``force`` is not given.
    """
    media_root = Path(media_root or settings.MEDIA_ROOT)
    connection = connections[alias]
    vendor = _vendor(alias)
    with tempfile.TemporaryDirectory(prefix="tian-restore-") as work:
        work = Path(work)
        manifest = extract_verified(archive, work)
        if manifest["database"]["vendor"] != vendor:
            raise BackupError(
                _("The archive holds a %(archived)s database; this site uses %(current)s.")
                % {"archived": manifest["database"]["vendor"], "current": vendor}
            )
        if not force and (database_holds_data(alias) or media_holds_files(media_root)):
            raise BackupError(
                _(
                    "The database %(name)s or the attachment folder already holds data. "
                    "Restore into an empty database, or add --force to overwrite it."
                )
                % {"name": connection.settings_dict["NAME"]}
            )
        dump = work / manifest["database"]["member"]
        if vendor == "postgresql":
            if not connection.in_atomic_block:
                # Our own idle session would otherwise hold nothing, but a pooled one might hold locks.
                connection.close()
            args, env = _pg_env(connection.settings_dict)
            # One transaction: a failed restore leaves the database as it was.
            command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction"]
            _run([*command, "--exit-on-error", *args, "--dbname", connection.settings_dict["NAME"], str(dump)], env)
        else:
            connection.ensure_connection()
            with sqlite3.connect(dump) as source:
                # Replaces every page of the open database at once, in-memory test databases included.
                source.backup(connection.connection)
        for entry in manifest["files"]:
            target = media_root / entry["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / (FILES_PREFIX + entry["path"]), target)
    return manifest
