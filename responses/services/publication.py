"""提案公开: the committee publishes a proposal whose proposer consented, once a reply is sent."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from proposals.choices import EventVerb
from proposals.models import Proposal
from proposals.workflow import WorkflowError, lock, record_event, require_committee
from responses.choices import ReplyStatus
from responses.models import Reply


def publish_proposal(proposal: Proposal, *, actor: User) -> Proposal:
    """提案公开: the committee publishes a proposal whose proposer consented and which has a sent reply."""
    with transaction.atomic():
        proposal = lock(Proposal, proposal.pk)
        require_committee(actor)
        if proposal.is_published:
            raise WorkflowError(_("This proposal is already published."))
        if not proposal.publication_consent:
            raise WorkflowError(_("The proposer did not agree to publication."))
        if not Reply.objects.filter(assignment__proposal=proposal, status=ReplyStatus.SENT).exists():
            raise WorkflowError(_("A proposal is published only after a reply has been sent."))
        proposal.is_published, proposal.published_at = True, timezone.now()
        proposal.save(update_fields=["is_published", "published_at", "updated_at"])
        record_event(proposal, actor, EventVerb.PUBLISHED, data={"published": True})
    return proposal
