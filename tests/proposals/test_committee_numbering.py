"""立案 through the admin while other staff accept at the same moment: PostgreSQL only (row locks).

The service test (test_numbering_concurrency.py) calls accept_proposal directly; this one goes
through the committee's accept view, with a number already taken by hand, so no accept may give a
number twice or reuse the one typed in.
"""

from __future__ import annotations

import threading
import unittest

import pytest
from django.db import connection, connections
from django.test import Client, TransactionTestCase, override_settings

from accounts.choices import Role
from accounts.models import User
from proposals.choices import ProposalStatus
from proposals.models import Proposal
from tests.base import make_proposal, make_session
from tests.proposals.helpers_committee import url

WORKERS = 8


@pytest.mark.postgres
@unittest.skipUnless(connection.vendor == "postgresql", "needs PostgreSQL (DATABASE_URL)")
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class ConcurrentAcceptViewTests(TransactionTestCase):
    def test_simultaneous_accepts_in_the_admin_never_give_or_reuse_a_number_twice(self):
        session = make_session()
        member = User.objects.create(username="chencheng", full_name="陈澄", role=Role.MEMBER)
        staff = [
            User.objects.create(username=f"committee{i}", full_name=f"委办{i}", role=Role.COMMITTEE)
            for i in range(WORKERS)
        ]
        # Typed in by hand before the rush: serial 3 is taken, so the accepts must skip it.
        make_proposal(member, session, title="关于手工编号的建议", status=ProposalStatus.ACCEPTED, number="2023003")
        ids = [
            make_proposal(member, session, status=ProposalStatus.SUBMITTED, title=f"关于第{i}项事项的建议").pk
            for i in range(WORKERS)
        ]
        start = threading.Barrier(WORKERS)
        results: list[int] = []
        errors: list[BaseException] = []

        def accept(user: User, pk: int) -> None:
            try:
                client = Client()
                client.force_login(user)
                start.wait(timeout=10)
                results.append(client.post(url("accept", pk)).status_code)
            except BaseException as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=accept, args=pair) for pair in zip(staff, ids, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        self.assertEqual(errors, [])
        self.assertEqual(results, [302] * WORKERS)
        numbers = sorted(Proposal.objects.filter(pk__in=ids).values_list("number", flat=True))
        expected = [f"2023{serial:03d}" for serial in range(1, WORKERS + 2) if serial != 3]
        self.assertEqual(numbers, expected)
        self.assertEqual(Proposal.objects.filter(session=session, number="2023003").count(), 1)
