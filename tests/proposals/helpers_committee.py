"""Shared pieces of the committee admin tests: URLs of the custom admin views and a few fixtures."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals.choices import ProposalStatus
from proposals.models import Proposal, Session
from proposals.services import accept_proposal
from responses.choices import AssignmentRole
from responses.services import assign_proposal
from tests.base import make_proposal

CARE_TITLE = "关于提升福田区社区养老服务供给能力的建议"
FASHION_TITLE = "关于推动福田时尚产业数字化转型的建议"


def url(name: str, *args) -> str:
    return reverse(f"admin:proposals_proposal_{name}", args=args)


def submitted(lead, session: Session, title: str = CARE_TITLE, **extra) -> Proposal:
    return make_proposal(lead, session, title=title, status=ProposalStatus.SUBMITTED, **extra)


def accepted(committee, lead, session: Session, title: str = FASHION_TITLE, **extra) -> Proposal:
    """A proposal accepted through the service, so it has a real number."""
    return accept_proposal(submitted(lead, session, title=title, **extra), actor=committee)


def assigned(committee, lead, session: Session, unit, title: str = FASHION_TITLE, role=AssignmentRole.LEAD):
    proposal = accepted(committee, lead, session, title=title)
    rows = assign_proposal(proposal, actor=committee, units_roles=[(unit, role)])
    proposal.refresh_from_db()
    return proposal, rows


def count_queries(client, path: str) -> int:
    client.get(path)  # warm per-session caches before counting
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    return len(queries)
