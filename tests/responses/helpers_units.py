"""Shared scaffolding for the unit's admin pages and the letters: a handling scene built through the services.

``UnitPagesTestCase`` freezes time at NOW (a Wednesday of the 2023 session) and walks
assignments through the real services, so due dates, events and revisions are what
the pages will meet in use.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from accounts.choices import Role
from proposals.choices import ProposalStatus
from proposals.models import Proposal
from responses.choices import AssignmentRole, ContactMethod
from responses.models import Assignment, Reply
from responses.services import (
    accept_assignment,
    assign_proposal,
    log_contact,
    save_reply_draft,
    send_reply,
    sign_reply,
    submit_reply,
)
from tests.base import PersonaTestCase, make_proposal, make_user

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2023, 3, 1, 10, 0, tzinfo=SH)  # a Wednesday, soon after the 2023 session
TODAY = NOW.date()
LEAD, COHANDLING, SEPARATE = AssignmentRole.LEAD, AssignmentRole.COHANDLING, AssignmentRole.SEPARATE
SERIALS = itertools.count(200)

REFERENCE_TITLE = "关于福田区构建具有竞争力的现代化产业体系的建议"
REFERENCE_LETTER = Path(settings.BASE_DIR) / "proposals" / "fixtures" / "futian-2023160-reply.txt"


def reference_body() -> str:
    """The reference letter's body: the lines between the salutation and 特此回复。"""
    lines = [line.strip() for line in REFERENCE_LETTER.read_text(encoding="utf-8").splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("尊敬的"))
    end = next(i for i, line in enumerate(lines) if line == "特此回复。")
    return "\n".join(line for line in lines[start + 1 : end] if line)


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:responses_{name}", args=args)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
@time_machine.travel(NOW, tick=False)
class UnitPagesTestCase(PersonaTestCase):
    """Personas, a leader for the other unit, and shortcuts through the services."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.otherlead = make_user("otherlead", "钱局长", Role.UNIT_LEADER, cls.other_unit)
        cls.third_handler = make_user("thirdhandler", "吴经办", Role.UNIT_HANDLER, cls.third_unit)
        cls.third_lead = make_user("thirdlead", "郑局长", Role.UNIT_LEADER, cls.third_unit)
        cls.unit.phone = "0755-82978326"
        cls.unit.save(update_fields=["phone"])

    def staff(self, assignment: Assignment):
        """(handler, leader) of the assignment's unit."""
        return {
            self.unit.pk: (self.handler, self.unitlead),
            self.other_unit.pk: (self.other_handler, self.otherlead),
            self.third_unit.pk: (self.third_handler, self.third_lead),
        }[assignment.unit_id]

    def accepted(self, lead=None, **extra) -> Proposal:
        serial = extra.pop("serial", None) or next(SERIALS)
        extra.setdefault("number", f"2023{serial:03d}")
        return make_proposal(
            lead or self.chencheng,
            self.session,
            status=ProposalStatus.ACCEPTED,
            serial=serial,
            category=self.category,
            **extra,
        )

    def assigned(self, units_roles=None, proposal: Proposal | None = None, **extra) -> list[Assignment]:
        return assign_proposal(
            proposal or self.accepted(**extra), actor=self.committee, units_roles=units_roles or [(self.unit, LEAD)]
        )

    def handling(self, units_roles=None, proposal: Proposal | None = None, **extra) -> list[Assignment]:
        return [
            accept_assignment(row, actor=self.staff(row)[0]) for row in self.assigned(units_roles, proposal, **extra)
        ]

    def contact(self, assignment: Assignment) -> None:
        log_contact(
            assignment,
            actor=self.staff(assignment)[0],
            contacted_on=TODAY,
            method=ContactMethod.MEETING,
            participants="陈澄委员；刘经办",
        )

    def draft(self, assignment: Assignment, *, followup: bool = False, **data) -> Reply:
        fields = {
            "category": self.reply_categories["A"],
            "letter_number": "福工信函〔2023〕160号",
            "body": "你在深圳市福田区政协六届三次会议中的提案已收悉。\n一、关于产业规划\n已编制时尚产业规划。",
            "contact_person": "刘经办",
            "contact_phone": "0755-82978326",
        }
        fields.update(data)
        return save_reply_draft(
            assignment, actor=self.staff(assignment)[0], data=fields, base_version=None, followup=followup
        )

    def submitted(self, assignment: Assignment, **data) -> Reply:
        reply = self.draft(assignment, **data)
        return submit_reply(reply, actor=self.staff(assignment)[0]).reply

    def signed(self, assignment: Assignment, **data) -> Reply:
        reply = self.submitted(assignment, **data)
        return sign_reply(reply, actor=self.staff(assignment)[1])

    def sent(self, assignment: Assignment, **data) -> Reply:
        return send_reply(self.signed(assignment, **data), actor=self.staff(assignment)[0])
