"""Run as a script by the integration tests and bench/reminder_chaos.py: N replies due in seven days.

Usage: seed_due.py N [UNITS [HANDLERS]]: spread over UNITS units (3) with HANDLERS handlers each (1).
Prints JSON: {proposal number: expected recipient email}, or a list of emails with several handlers.
"""

import datetime as dt
import json
import os
import sys

import django

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.choices import Role  # noqa: E402
from accounts.models import Unit, User  # noqa: E402
from proposals.choices import ProposalStatus, ProposerRole, ProposerStatus  # noqa: E402
from proposals.models import Proposal, Proposer, Session  # noqa: E402
from responses.choices import AssignmentRole, AssignmentStatus  # noqa: E402
from responses.models import Assignment  # noqa: E402

count = int(sys.argv[1])
unit_count = int(sys.argv[2]) if len(sys.argv) > 2 else 3
handler_count = int(sys.argv[3]) if len(sys.argv) > 3 else 1
today = timezone.localdate()
names = ["深圳市福田区工业和信息化局", "深圳市福田区教育局", "深圳市福田区发展和改革局"]
with transaction.atomic():
    session = Session.objects.create(name="六届三次会议", term=6, meeting=3, year=2023, is_current=True)
    member = User.objects.create(username="chencheng", full_name="陈澄", email="chencheng@example.org")
    committee = User.objects.create(username="committee", full_name="张委办", role=Role.COMMITTEE)
    units, emails = [], []
    for i in range(unit_count):
        unit = Unit.objects.create(name=names[i] if i < len(names) else f"深圳市福田区承办单位{i}")
        unit_emails = []
        for h in range(handler_count):
            suffix = f"{i}" if handler_count == 1 else f"{i}-{h}"
            User.objects.create(
                username=f"handler{suffix}",
                full_name=f"经办{suffix}",
                role=Role.UNIT_HANDLER,
                unit=unit,
                email=f"handler{suffix}@example.org",
            )
            unit_emails.append(f"handler{suffix}@example.org")
        units.append(unit)
        emails.append(unit_emails[0] if handler_count == 1 else unit_emails)

    expected = {}
    for serial in range(1, count + 1):
        number = f"2023{serial:03d}"
        proposal = Proposal.objects.create(
            session=session,
            number=number,
            serial=serial,
            title=f"关于福田区时尚产业发展的建议（{serial}）",
            status=ProposalStatus.ASSIGNED,
            created_by=member,
        )
        Proposer.objects.create(proposal=proposal, user=member, role=ProposerRole.LEAD, status=ProposerStatus.CONFIRMED)
        Assignment.objects.create(
            proposal=proposal,
            unit=units[serial % unit_count],
            role=AssignmentRole.SEPARATE,
            status=AssignmentStatus.HANDLING,
            assigned_by=committee,
            assigned_at=timezone.now() - dt.timedelta(days=80),
            assigned_on=today - dt.timedelta(days=80),
            reply_due=today + dt.timedelta(days=7),
            reply_due_note="test",
        )
        expected[number] = emails[serial % unit_count]
sys.stdout.write(json.dumps(expected))
