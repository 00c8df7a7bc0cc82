"""What was imported from a workbook of an earlier session, and which proposals came from it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """One import of a workbook: who, when, which file and how many rows of each kind were written."""

    file_name = models.CharField(_("file name"), max_length=200)
    file_sha256 = models.CharField(_("file digest"), max_length=64, db_index=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    counts = models.JSONField(_("rows written"), default=dict)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} {self.imported_at:%Y-%m-%d %H:%M}"


class ImportedProposal(models.Model):
    """The mark of an imported proposal: it came from ``batch``. Re-importing the same proposal is skipped."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("import"))
    proposal = models.OneToOneField(
        "proposals.Proposal", on_delete=models.CASCADE, related_name="import_record", verbose_name=_("proposal")
    )

    class Meta:
        verbose_name = _("imported proposal")
        verbose_name_plural = _("imported proposals")

    def __str__(self) -> str:
        return str(self.proposal_id)
