from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.choices import BuildState, CompilationOrder, DocumentKind


class DocumentBuildQuerySet(models.QuerySet):
    def visible_to(self, user) -> DocumentBuildQuerySet:
        """Committee staff see every build; anyone else the builds they asked for (a leader's own)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_committee:
            return self
        return self.filter(requested_by=user)


def build_path(instance: DocumentBuild, filename: str) -> str:
    # A random name under the private storage (MEDIA_ROOT, kept by the backups); the download is named
    # from ``file_name`` by the permission-checking view.
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.docx"


class DocumentBuild(models.Model):
    """One build of a session's long document (提案汇编 or 答复汇编) by the worker: who asked for what,
    how far it got, and the file when it is ready or the reason when it failed.

    The row is the work itself: the task claims it (queued → running) before building, so a message
    delivered twice builds once; ``heartbeat_at`` moves with the progress, so a build whose worker
    died shows as stopped rather than running for ever.
    """

    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    session = models.ForeignKey(
        "proposals.Session", on_delete=models.PROTECT, related_name="document_builds", verbose_name=_("session")
    )
    order = models.CharField(
        _("order"), max_length=10, choices=CompilationOrder.choices, default=CompilationOrder.NUMBER
    )
    state = models.CharField(_("state"), max_length=10, choices=BuildState.choices, default=BuildState.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked for by")
    )
    requested_at = models.DateTimeField(_("asked for at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    done = models.PositiveIntegerField(_("items written"), default=0)
    total = models.PositiveIntegerField(_("items in all"), default=0)
    file = models.FileField(_("file"), upload_to=build_path, max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_size = models.PositiveIntegerField(_("size in bytes"), default=0)
    error = models.TextField(_("why it failed"), blank=True)

    objects = DocumentBuildQuerySet.as_manager()

    class Meta:
        verbose_name = _("document build")
        verbose_name_plural = _("document builds")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            # The compilations page lists a user's own builds, newest first.
            models.Index(fields=["requested_by", "-requested_at"], name="document_build_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.get_kind_display()}"

    @property
    def is_finished(self) -> bool:
        return self.state in (BuildState.DONE, BuildState.FAILED)

    @property
    def percent(self) -> int:
        """How far the build got, 0 to 100 (100 only once the file is stored)."""
        if self.state == BuildState.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)
