"""Refresh the zh-hans catalogue from the code and fill new entries from locale/pending/*.po.

Features are written with English msgids and their Chinese in a pending .po file of their own;
this merges them into locale/zh_Hans/LC_MESSAGES/django.po, drops gettext's fuzzy guesses,
compiles the catalogue and prints what is still untranslated. Run by `make messages`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"


def main() -> int:
    python = sys.executable
    subprocess.run(  # noqa: S603 - our own manage.py
        [
            python,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--no-obsolete",
            "--ignore=.venv",
            "--ignore=tests",
            "--ignore=var",
            "--ignore=bench",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    known: dict[tuple[str, str], polib.POEntry] = {}
    for path in sorted((ROOT / "locale/pending").glob("*.po")):
        for entry in polib.pofile(str(path)):
            if entry.translated():
                known.setdefault((entry.msgctxt or "", entry.msgid), entry)
    catalogue = polib.pofile(str(PO))
    filled = 0
    for entry in catalogue:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            entry.msgstr = ""
            entry.msgstr_plural = {k: "" for k in entry.msgstr_plural}
        if entry.translated():
            continue
        source = known.get((entry.msgctxt or "", entry.msgid))
        if source is None:
            continue
        if entry.msgid_plural:
            value = source.msgstr_plural.get(0) or source.msgstr
            entry.msgstr_plural = {0: value}
        else:
            entry.msgstr = source.msgstr
        filled += 1
    catalogue.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    catalogue.save(str(PO))
    catalogue.save_as_mofile(str(PO.with_suffix(".mo")))
    missing = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    sys.stdout.write(f"{filled} filled from pending files; {len(missing)} untranslated\n")
    for msgid in missing:
        sys.stdout.write(f"  {msgid}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
