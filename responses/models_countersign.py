"""The countersigning of a lead unit's final draft reply (会签), where the session asks for it.

Imported by ``responses.models`` (at its end), so the model belongs to the app like the others.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import UNIT_ROLES
from responses.choices import CountersignStatus
from responses.models import Assignment, Reply


class CountersignQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Oversight sees every row; unit staff the rows their unit is asked to answer (as co-handler)
        and those about their own unit's draft (as lead); members and other units none: a draft under
        countersigning is no business of theirs."""
        if not user.is_authenticated:
            return self.none()
        if user.is_oversight:
            return self
        if user.role in UNIT_ROLES:
            return self.filter(Q(assignment__unit_id=user.unit_id) | Q(reply__assignment__unit_id=user.unit_id))
        return self.none()

    def pending(self):
        """Requests still waiting for an answer, about a draft that is still a draft."""
        from responses.choices import ReplyStatus

        return self.filter(status=CountersignStatus.PENDING, reply__status=ReplyStatus.DRAFT)


class Countersign(models.Model):
    """One co-handling unit's countersignature (会签) of the lead unit's draft reply, for one version of it.

    The lead unit sends its draft to every co-handling unit of the round (``request_countersign``): each
    row then asks about ``version`` and keeps the letter as it was (``letter``), so the co-handler answers
    exactly what it was shown, even while the lead goes on editing. A new request resets every row to
    pending with the new version: earlier agreements do not carry over to a text their unit has not seen.
    The draft may go for sign-off once every row agrees to the draft's current version.
    """

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="countersigns", verbose_name=_("reply"))
    # The co-handling unit's assignment of the same round: the unit asked to countersign.
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="countersigns", verbose_name=_("co-handling assignment")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CountersignStatus.choices, default=CountersignStatus.PENDING
    )
    version = models.PositiveIntegerField(_("draft version asked about"))
    letter = models.JSONField(_("the draft as sent"), default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    comments = models.TextField(_("comments"), blank=True)

    objects = CountersignQuerySet.as_manager()

    class Meta:
        verbose_name = _("countersignature")
        verbose_name_plural = _("countersignatures")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["reply", "assignment"], name="one_countersign_per_reply_unit"),
        ]
        indexes = [
            # The reminder scan's: requests still waiting, by when they were made.
            models.Index(fields=["requested_at"], condition=Q(status="pending"), name="countersign_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.reply} · {self.assignment.unit} · {self.get_status_display()}"

    @property
    def is_current(self) -> bool:
        """Whether the row answers the draft as it is now (not an earlier version)."""
        return self.version == self.reply.version
