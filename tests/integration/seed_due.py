"""Run as a script by the integration tests: N replies due in seven days, spread over three units.

Prints JSON: {proposal number: expected recipient email}.
"""

import datetime as dt
import json
import os
import sys

import django

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.utils import timezone  # noqa: E402

from accounts.choices import Role  # noqa: E402
from accounts.models import Unit, User  # noqa: E402
from proposals.choices import ProposalStatus, ProposerRole, ProposerStatus  # noqa: E402
from proposals.models import Proposal, Proposer, Session  # noqa: E402
from responses.choices import AssignmentRole, AssignmentStatus  # noqa: E402
from responses.models import Assignment  # noqa: E402

count = int(sys.argv[1])
today = timezone.localdate()
session = Session.objects.create(name="六届三次会议", term=6, meeting=3, year=2023, is_current=True)
member = User.objects.create(username="chencheng", full_name="陈澄", email="chencheng@example.org")
committee = User.objects.create(username="committee", full_name="张委办", role=Role.COMMITTEE)
units = []
for i, name in enumerate(["深圳市福田区工业和信息化局", "深圳市福田区教育局", "深圳市福田区发展和改革局"]):
    unit = Unit.objects.create(name=name)
    User.objects.create(
        username=f"handler{i}", full_name=f"经办{i}", role=Role.UNIT_HANDLER, unit=unit, email=f"handler{i}@example.org"
    )
    units.append(unit)

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
    unit = units[serial % 3]
    Assignment.objects.create(
        proposal=proposal,
        unit=unit,
        role=AssignmentRole.SEPARATE,
        status=AssignmentStatus.HANDLING,
        assigned_by=committee,
        assigned_at=timezone.now() - dt.timedelta(days=80),
        assigned_on=today - dt.timedelta(days=80),
        reply_due=today + dt.timedelta(days=7),
        reply_due_note="test",
    )
    expected[number] = f"handler{serial % 3}@example.org"
sys.stdout.write(json.dumps(expected))
