"""The reference rows the dashboard pages show and filter by: sessions, categories, units, reply categories.

A few dozen rows that change a few times a year, read on every dashboard page: kept in
the shared cache under the reference version, which a save or delete of any of them bumps
(the receivers below), in every process at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.db.models.signals import post_delete, post_save

from accounts.models import Unit
from proposals import cache_versions
from proposals.models import Category, Session
from responses.models import ReplyCategory

TIMEOUT = 3600  # the version is what makes a change show; the timeout only frees the memory
MODELS = {"sessions": Session, "categories": Category, "units": Unit, "reply_categories": ReplyCategory}


@dataclass(frozen=True)
class Reference:
    sessions: list[Session]
    categories: list[Category]
    units: list[Unit]
    reply_categories: list[ReplyCategory]
    version: int  # the reference version they were read under: part of the keys of what is drawn from them

    def options(self, name: str) -> list[tuple[str, str]]:
        """A filter's options (value, label) when they are reference rows, else an empty list."""
        if name == "session":
            return [(str(row.pk), row.name) for row in self.sessions]
        if name == "category":
            return [(str(row.pk), row.name) for row in self.categories]
        if name == "unit":  # units are public inside the system (Unit.visible_to): any staff user may filter by any
            return [(str(row.pk), row.short_name or row.name) for row in self.units]
        if name == "reply_category":
            return [(str(row.pk), f"{row.code} {row.name}") for row in self.reply_categories]
        return []


def _read(version: int) -> Reference:
    return Reference(**{name: list(model.objects.all()) for name, model in MODELS.items()}, version=version)


def reference() -> Reference:
    """The reference rows, from the shared cache (four small queries when they are not there)."""
    version = cache_versions.version(cache_versions.REFERENCE)
    return cache_versions.get_or_compute(f"dashboard:reference:{version}", partial(_read, version), TIMEOUT)


def _changed(*_args, **_kwargs) -> None:
    cache_versions.changed(cache_versions.REFERENCE)


for _model in MODELS.values():
    post_save.connect(_changed, sender=_model, dispatch_uid=f"dashboard_reference_{_model.__name__}_saved")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"dashboard_reference_{_model.__name__}_deleted")
