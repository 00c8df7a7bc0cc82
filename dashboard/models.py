"""The dashboard's summary tables: counters kept current from the workflow's events.

Reading a million proposals and three million assignments on every dashboard
view would take seconds, so the figures are kept as counters (``Stat``). Each
proposal's share of the counters is derived from a few of its facts, which are
stored next to it (``ProposalFacts``): when a proposal changes, its new facts
are read from the live tables, the difference between the old and the new
share is added to the counters, and the new facts replace the old. See
``dashboard.summary`` for how and when.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from proposals.models import Proposal, Session


class Stat(models.Model):
    """One counter of the dashboard: a metric for a session, a unit (0: the whole committee) and a key.

    The metrics and their keys are listed in ``dashboard.summary.METRICS``.
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+", verbose_name=_("session"))
    metric = models.CharField(_("metric"), max_length=4)
    unit_key = models.PositiveIntegerField(_("unit"), default=0, help_text=_("0 for the whole committee"))
    key = models.CharField(_("key"), max_length=40, blank=True)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("dashboard counter")
        verbose_name_plural = _("dashboard counters")
        constraints = [
            # Also the index every dashboard read uses: session, then metric, then unit.
            models.UniqueConstraint(fields=["session", "metric", "unit_key", "key"], name="dashboard_stat_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.metric}/{self.unit_key}/{self.key}={self.value}"


class ProposalFacts(models.Model):
    """The facts of one proposal that its share of the counters was last computed from, and what the
    dashboard's lists show of it besides its own columns (kept by the same refresh)."""

    proposal = models.OneToOneField(
        Proposal,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="dashboard_facts",
        verbose_name=_("proposal"),
    )
    facts = models.JSONField(_("facts"), default=dict)
    # The lists' columns: read with the page's proposals in one join, instead of three subqueries a row.
    lead_name = models.CharField(_("lead proposer"), max_length=150, blank=True)
    first_unit_id = models.PositiveIntegerField(
        _("first handling unit"),
        null=True,
        blank=True,
        help_text=_("Lead, else separate, else co-handling unit of the current handling; returned ones left out"),
    )
    unit_count = models.PositiveSmallIntegerField(_("handling units"), default=0)

    class Meta:
        verbose_name = _("proposal facts")
        verbose_name_plural = _("proposal facts")

    def __str__(self) -> str:
        return str(self.proposal_id)


class PendingRefresh(models.Model):
    """A proposal whose counters must be brought up to date (written in the same transaction as its event).

    The refresh runs right after the commit; a row left here (a crash in between)
    is picked up by ``manage.py refresh_dashboard`` or the periodic task.
    ``changes`` grows with every event, so a refresh that started before a newer
    change never deletes the row that asks for that change.
    """

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("proposal")
    )
    changes = models.PositiveIntegerField(_("changes"), default=1)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)

    class Meta:
        verbose_name = _("pending dashboard refresh")
        verbose_name_plural = _("pending dashboard refreshes")

    def __str__(self) -> str:
        return str(self.proposal_id)
