"""Migration responses.0004_assignment_date fills 交办日期 for the assignments that exist: the day the
assignment event recorded, else the local day the row was recorded."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase, override_settings

from accounts.choices import Role
from accounts.models import Unit
from proposals.choices import ProposalStatus
from responses.choices import AssignmentRole, AssignmentStatus
from responses.models import Assignment
from responses.services import assign_proposal
from tests.base import make_proposal, make_session, make_user

BEFORE = ("responses", "0003_unit_list_index")
MEETING = dt.date(2023, 2, 20)
SH = ZoneInfo("Asia/Shanghai")


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class AssignmentDateBackfillTests(TransactionTestCase):
    def setUp(self):
        session = make_session()
        self.unit = Unit.objects.create(name="深圳市福田区工业和信息化局", short_name="区工信局")
        self.committee = make_user("committee", "何静", Role.COMMITTEE)
        member = make_user("chencheng", "陈澄")
        accepted = dict(status=ProposalStatus.ACCEPTED, accepted_at=dt.datetime(2023, 2, 10, 10, tzinfo=SH))
        self.given = make_proposal(member, session, number="2023001", serial=1, **accepted)
        self.unrecorded = make_proposal(
            member, session, title="关于第二项的建议", number="2023002", serial=2, **accepted
        )

    def test_existing_assignments_get_the_event_s_day_else_the_local_day_they_were_recorded(self):
        (with_event,) = assign_proposal(
            self.given, actor=self.committee, units_roles=[(self.unit, AssignmentRole.LEAD)], assigned_on=MEETING
        )
        # Recorded at 04:30 on 3 March in Shenzhen, 20:30 on 2 March in UTC, with no assignment event.
        without_event = Assignment.objects.create(
            proposal=self.unrecorded,
            unit=self.unit,
            role=AssignmentRole.LEAD,
            status=AssignmentStatus.HANDLING,
            assigned_by=self.committee,
            assigned_at=dt.datetime(2023, 3, 2, 20, 30, tzinfo=dt.UTC),
            reply_due=dt.date(2023, 6, 2),
        )

        try:
            MigrationExecutor(connection).migrate([BEFORE])
        finally:  # forwards again, with the backfill, and every later migration: as the suite expects
            executor = MigrationExecutor(connection)
            executor.migrate(executor.loader.graph.leaf_nodes())

        with_event.refresh_from_db()
        without_event.refresh_from_db()
        self.assertEqual(with_event.assigned_on, MEETING)
        self.assertEqual(without_event.assigned_on, dt.date(2023, 3, 3))
