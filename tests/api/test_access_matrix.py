"""Every API route asked by each of the nine roles with their API tokens, reads and writes.

The reads are the API rows of the site-wide matrix (tests/api/access_table.py), asked here with
``Authorization: Bearer`` instead of the session. The writes take each workflow step as each role,
inside a savepoint rolled back after the request, so every role meets the same scene; a refused
step must change nothing (checked on the step's object).
"""

from __future__ import annotations

import json
import logging

from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from api.models import ApiToken
from api.services import issue_token
from proposals.models import Proposal
from responses.models import Assignment, Reply
from tests.api.access_table import API_READS, UNAUTHORIZED
from tests.responses.helpers_units import LEAD
from tests.security.helpers_access import (
    IN_MEMORY_STORAGE,
    ROLES,
    AccessScene,
    answer_text,
    case_url,
    expect,
    project_patterns,
)


def submission(test) -> dict:
    return {
        "session": test.session.pk,
        "title": "关于推进福田区智慧停车建设的建议",
        "suggestions": "一、统筹规划停车设施；二、推广智慧停车平台。",
        "category": test.category.pk,
    }


# (route, method, scene object or None, body, answers per role)
API_WRITES = [
    ("api:proposal-list", "post", None, submission, expect(anonymous=UNAUTHORIZED, members=201, staff=403)),
    (
        "api:proposal-accept",
        "post",
        "submitted",
        lambda test: {"note": "同意立案"},
        expect(anonymous=UNAUTHORIZED, proposers=403, other_member=404, unit_staff=404, committee=200, leader=403),
    ),
    (
        "api:proposal-assign",
        "post",
        "accepted",
        lambda test: {"units": [{"unit": test.other_unit.pk, "role": "lead"}], "instructions": "请按期办理"},
        expect(
            anonymous=UNAUTHORIZED, owner=403, cosigner=404, other_member=404, unit_staff=404, committee=200, leader=403
        ),
    ),
    (
        "api:assignment-accept",
        "post",
        "fresh_assignment",
        lambda test: {},
        expect(
            anonymous=UNAUTHORIZED,
            owner=403,
            cosigner=404,
            other_member=404,
            case_unit=200,
            other_handler=404,
            oversight=403,
        ),
    ),
    (
        "api:assignment-reply-draft",
        "put",
        "handling_assignment",
        lambda test: {"version": test.scene["draft_reply"].version, "body": "经研究，现答复如下。"},
        expect(
            anonymous=UNAUTHORIZED, proposers=403, other_member=404, case_unit=200, other_handler=404, oversight=403
        ),
    ),
    (
        "api:reply-submit",
        "post",
        "draft_reply",
        lambda test: {},
        expect(anonymous=UNAUTHORIZED, members=404, case_unit=200, other_handler=404, oversight=403),
    ),
    (
        "api:reply-sign",
        "post",
        "submitted_reply",
        lambda test: {},
        expect(anonymous=UNAUTHORIZED, members=404, handler=403, unit_leader=200, other_handler=404, oversight=403),
    ),
    (
        "api:reply-send",
        "post",
        "signed_reply",
        lambda test: {},
        expect(anonymous=UNAUTHORIZED, members=404, case_unit=200, other_handler=404, oversight=403),
    ),
    (
        "api:reply-feedback",
        "post",
        "reply",
        lambda test: {"attitude": "satisfied", "result": "satisfied"},
        # 王芳 has rated this reply already: her second rating is refused in the reply's state.
        expect(anonymous=UNAUTHORIZED, owner=201, cosigner=409, other_member=404, staff=403, other_handler=404),
    ),
]


@override_settings(STORAGES=IN_MEMORY_STORAGE)
class ApiAccessMatrixTests(AccessScene):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        case = cls()
        fresh = case.assigned([(cls.unit, LEAD)], lead=cls.chencheng, title="关于增设福田区公共充电桩的建议")[0]
        submitted_reply = case.submitted(case.handling([(cls.unit, LEAD)], title="关于改善福田区夜间照明的建议")[0])
        signed_reply = case.signed(case.handling([(cls.unit, LEAD)], title="关于加强福田河生态治理的建议")[0])
        cls.scene.update(fresh_assignment=fresh, submitted_reply=submitted_reply, signed_reply=signed_reply)
        cls.keys = {}
        for role, user in cls().users().items():
            if user is not None:
                cls.keys[role] = issue_token(ApiToken(user=user, name=f"{role} 测试"), actor=cls.committee)

    def setUp(self) -> None:
        super().setUp()
        for name in ("django.request", "django.security", "security"):
            logger = logging.getLogger(name)
            self.addCleanup(logger.setLevel, logger.level)
            logger.setLevel(logging.CRITICAL)

    def client_for(self, role: str) -> Client:
        key = self.keys.get(role)
        return Client(headers={"Authorization": f"Bearer {key}"} if key else {})

    def test_every_api_route_has_written_expectations(self):
        routes = {pattern.key for pattern in project_patterns() if pattern.key.startswith("api:")}
        self.assertEqual(routes - set(API_READS), set(), "API routes with no expected answers")
        written = {name for name, *_ in API_WRITES}
        steps = {
            name
            for name in routes
            if name.split("-")[-1] in ("accept", "assign", "draft", "submit", "sign", "send", "feedback")
        }
        self.assertEqual(steps - written, set(), "API workflow steps with no write expectations")

    def test_every_role_reads_what_the_table_says_with_its_token(self):
        clients = {role: self.client_for(role) for role in ROLES}
        pairs = set()
        for pattern in project_patterns():
            for request in API_READS.get(pattern.key, ()):
                url = case_url(pattern, request, self.scene)
                for role in ROLES:
                    with self.subTest(url=url, role=role):
                        self.assertEqual(
                            str(clients[role].get(url).status_code), answer_text(request.answers[role], self.scene)
                        )
                    pairs.add((pattern.key, role))
        self.assertEqual(len(pairs), len(API_READS) * len(ROLES))

    def test_every_role_may_take_exactly_the_steps_the_table_says(self):
        for name, method, obj, body, answers in API_WRITES:
            url = reverse(name, kwargs={"pk": self.scene[obj].pk} if obj else {})
            for role in ROLES:
                target = self.scene.get(obj)
                before = self.state(target)
                with self.subTest(url=url, role=role), transaction.atomic():
                    response = getattr(self.client_for(role), method)(
                        url, json.dumps(body(self)), content_type="application/json"
                    )
                    after = self.state(target)
                    transaction.set_rollback(True)
                    self.assertEqual(response.status_code, answers[role], response.content.decode())
                    if response.status_code >= 400:
                        self.assertEqual(response["Content-Type"], "application/problem+json")
                        self.assertEqual(after, before, "a refused step changed its object")

    @staticmethod
    def state(obj):
        if isinstance(obj, Proposal | Assignment | Reply):
            row = type(obj).objects.get(pk=obj.pk)
            return row.status, getattr(row, "version", None), row.feedback.count() if isinstance(row, Reply) else None
        return Proposal.objects.count()
