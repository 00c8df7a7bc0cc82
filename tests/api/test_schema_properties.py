"""Property-based tests generated from the OpenAPI schema (schemathesis) against a live server.

Each operation of ``/api/schema/`` is called with a few generated requests, valid and invalid, as
committee staff through an API token, over real HTTP to pytest-django's live server, on a database
holding the reference case. Every answer must be no server error, have a documented status and
content type, and match the schema of that status. The run is bounded (``EXAMPLES`` per operation)
so that it fits in the normal suite.
"""

from __future__ import annotations

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.choices import Role
from accounts.models import Unit
from api.models import ApiToken
from api.services import issue_token
from proposals.choices import ProposalStatus
from proposals.models import Category
from responses.choices import AssignmentRole
from responses.services import accept_assignment, assign_proposal
from tests.base import make_proposal, make_reply_categories, make_session, make_user

EXAMPLES = 5
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Generated examples only: the coverage phase's exhaustive probes of every operation would take minutes.
CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"max-examples": EXAMPLES},
    }
)
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True), config=CONFIG)


@pytest.fixture
def committee_key(live_server, settings):
    """Reference rows and the case 2023160, assigned and being handled; a committee token."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    unit = Unit.objects.create(name="深圳市福田区工业和信息化局", short_name="区工信局")
    member = make_user("chencheng", "陈澄")
    committee = make_user("committee", "张委办", Role.COMMITTEE)
    handler = make_user("handler", "刘经办", Role.UNIT_HANDLER, unit)
    session = make_session()
    category = Category.objects.create(name="经济建设", order=1)
    make_reply_categories()
    proposal = make_proposal(member, session, category=category, status=ProposalStatus.ACCEPTED, number="2023160")
    for assignment in assign_proposal(proposal, actor=committee, units_roles=[(unit, AssignmentRole.LEAD)]):
        accept_assignment(assignment, actor=handler)
    return issue_token(ApiToken(user=committee, name="schemathesis"), actor=committee)


@pytest.mark.django_db(transaction=True)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)
def test_every_generated_request_gets_a_documented_answer(case, live_server, committee_key):
    case.call_and_validate(
        base_url=live_server.url, headers={"Authorization": f"Bearer {committee_key}"}, checks=CHECKS
    )
