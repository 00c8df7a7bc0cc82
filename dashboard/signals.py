"""Keeps the dashboard's counters current: every workflow step writes an Event, and an Event marks its proposal.

Connected in ``DashboardConfig.ready``. The services are not touched: they
already write one ``Event`` per step, after the step's changes and in the same
transaction (DESIGN.md section 3), which is exactly when the proposal's facts
are worth reading again. Two changes write no event and are followed here too: a
proposal edited in the admin (its log entry marks it) and a renamed user (the
lists' lead proposer names).
"""

from __future__ import annotations

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from accounts.models import User
from dashboard import reference, summary  # noqa: F401 - reference connects its own receivers
from dashboard.models import ProposalFacts
from proposals.choices import ProposerRole
from proposals.models import Event, Proposal

NAME_FIELDS = {"full_name", "first_name", "last_name", "username"}


@receiver(post_save, sender=Event, dispatch_uid="dashboard_event_saved")
def event_saved(sender, instance: Event, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        summary.mark_changed(instance.proposal_id)


@receiver(post_save, sender=LogEntry, dispatch_uid="dashboard_admin_logged")
def admin_logged(sender, instance: LogEntry, created: bool, raw: bool = False, **kwargs) -> None:
    """A proposal added or changed in the admin (its category, its proposers…) writes no workflow event,
    only the admin's log entry, in the same transaction: its counters and list columns follow from that."""
    if not created or raw or instance.action_flag not in (ADDITION, CHANGE) or not instance.object_id:
        return
    if instance.content_type_id == ContentType.objects.get_for_model(Proposal).pk:
        summary.mark_changed(int(instance.object_id))


@receiver(pre_delete, sender=Proposal, dispatch_uid="dashboard_proposal_deleted")
def proposal_deleted(sender, instance: Proposal, **kwargs) -> None:
    summary.forget(instance.pk)


@receiver(post_save, sender=User, dispatch_uid="dashboard_user_saved")
def user_saved(sender, instance: User, created: bool, raw: bool = False, update_fields=None, **kwargs) -> None:
    """A renamed member's new name on the lists of the proposals they lead (kept on the facts rows).

    Renaming writes no event; signing in saves only ``last_login`` and is skipped.
    """
    if created or raw or (update_fields is not None and not NAME_FIELDS & set(update_fields)):
        return
    name = instance.display_name
    ProposalFacts.objects.filter(
        proposal__proposers__user=instance, proposal__proposers__role=ProposerRole.LEAD
    ).exclude(lead_name=name).update(lead_name=name)


# Installations that had proposals before the dashboard's tables existed start with
# empty counters; small ones are filled at once, large ones are told to run the command.
AUTO_REBUILD_LIMIT = 20_000


def fill_after_migrate(sender, using: str = "default", verbosity: int = 1, **kwargs) -> None:
    from dashboard.models import ProposalFacts

    if ProposalFacts.objects.using(using).exists() or not Proposal.objects.using(using).exists():
        return
    if Proposal.objects.using(using).count() > AUTO_REBUILD_LIMIT:
        if verbosity:
            print("Dashboard counters are empty: run `manage.py refresh_dashboard --rebuild`.")  # noqa: T201
        return
    summary.rebuild()
