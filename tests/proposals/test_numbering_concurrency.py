"""立案 numbering under real concurrency: only PostgreSQL has the row locks this relies on.

SQLite serialises every writer on one database lock, so the same test there
proves nothing; it runs where ``DATABASE_URL`` names PostgreSQL.
"""

from __future__ import annotations

import threading
import unittest

import pytest
from django.db import connection, connections
from django.test import TransactionTestCase

from accounts.choices import Role
from accounts.models import User
from proposals.choices import ProposalStatus
from proposals.models import Proposal
from proposals.services import accept_proposal
from tests.base import make_proposal, make_session

WORKERS = 10


@pytest.mark.postgres
@unittest.skipUnless(connection.vendor == "postgresql", "needs PostgreSQL (DATABASE_URL)")
class ConcurrentNumberingTests(TransactionTestCase):
    def test_concurrent_accepts_give_distinct_consecutive_numbers(self):
        session = make_session()
        # Created without a password: hashing would only slow the test down.
        committee = User.objects.create(username="committee", full_name="张委办", role=Role.COMMITTEE)
        member = User.objects.create(username="chencheng", full_name="陈澄", role=Role.MEMBER)
        ids = [
            make_proposal(member, session, status=ProposalStatus.SUBMITTED, title=f"关于第{i}项事项的建议").pk
            for i in range(WORKERS)
        ]
        start = threading.Barrier(WORKERS)
        errors: list[BaseException] = []

        def accept(pk: int) -> None:
            try:
                start.wait(timeout=10)  # all threads reach the database together
                accept_proposal(Proposal.objects.get(pk=pk), actor=committee)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
            finally:
                connections.close_all()  # each thread opened its own connection

        threads = [threading.Thread(target=accept, args=(pk,)) for pk in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        self.assertEqual(errors, [])
        numbers = sorted(Proposal.objects.filter(pk__in=ids).values_list("number", flat=True))
        self.assertEqual(numbers, [f"2023{serial:03d}" for serial in range(1, WORKERS + 1)])
        session.refresh_from_db()
        self.assertEqual(session.next_serial, WORKERS + 1)
