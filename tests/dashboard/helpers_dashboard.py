"""A small fixed data set for the dashboard tests, with every figure counted by hand in its docstring."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.test import override_settings

from proposals.choices import ProposalStatus
from proposals.list_columns import fill_lead_names
from proposals.models import Category
from responses.choices import AssignmentRole, AssignmentStatus, ReplyStatus, Satisfaction
from responses.list_columns import fill_units
from responses.models import Assignment, Feedback, Reply
from tests.base import PersonaTestCase, make_proposal, make_session

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 18, 10, 0, tzinfo=SH)  # a Wednesday
TODAY = NOW.date()
LEAD, COHANDLING, SEPARATE = AssignmentRole.LEAD, AssignmentRole.COHANDLING, AssignmentRole.SEPARATE


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), SH)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def assignment(proposal, unit, by, *, role, status, due, assigned=dt.date(2026, 1, 5), replied=None) -> Assignment:
    return Assignment.objects.create(
        proposal=proposal,
        unit=unit,
        role=role,
        status=status,
        assigned_by=by,
        assigned_at=at(assigned),
        assigned_on=assigned,
        reply_due=due,
        replied_at=at(replied, 15) if replied else None,
    )


def sent_reply(row: Assignment, category, drafter) -> Reply:
    return Reply.objects.create(
        assignment=row,
        status=ReplyStatus.SENT,
        category=category,
        letter_number=f"福函〔2026〕{row.pk}号",
        body="现答复如下：……",
        drafted_by=drafter,
        sent_at=row.replied_at,
    )


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
@time_machine.travel(NOW, tick=False)
class DashboardData(PersonaTestCase):
    """Today is Wednesday 2026-03-18. The current session (六届三次会议) holds:

    =====  =========  ========  ===========================================================
    p1     draft      经济建设  never submitted: in no figure, list or export of the committee's
    p2     submitted  经济建设
    p3     assigned   经济建设  key (周主席); unit lead handling, due 03-08 (overdue 10 days);
                                other_unit co-handling, opinion sent
    p4     replied    社会事业  unit lead replied 03-02, due 03-10 (on time, 56 days), reply A,
                                rated 满意 / 基本满意; third_unit co-handling, opinion sent
    p5     closed     社会事业  other_unit separate replied 02-20, due 02-10 (late, 46 days), reply B,
                                rated 不满意 / 不满意; third_unit separate replied 02-09, due 02-10
                                (on time, 35 days), reply C, rated 满意 / 满意
    p6     assigned   (none)    unit separate pending, due 03-23; other_unit separate returned, due
                                02-16 (never counted); third_unit separate handling, due 03-17
                                (overdue 1 day)
    =====  =========  ========  ===========================================================

    The older session (六届二次会议) holds p7, closed, 经济建设: unit lead replied 2025-03-31, due
    2025-04-07 (on time, assigned 2025-01-06: 84 days), reply D, rated 满意 / 满意.
    Every assignment was made on 2026-01-05 unless said otherwise.
    """

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.social = Category.objects.create(name="社会事业", order=2)
        s, by = cls.session, cls.committee
        cats = cls.reply_categories
        cls.p1 = make_proposal(cls.chencheng, s, category=cls.category)
        cls.p2 = make_proposal(cls.wangfang, s, status=ProposalStatus.SUBMITTED, category=cls.category)
        cls.p3 = make_proposal(
            cls.chencheng,
            s,
            title="关于推动福田时尚产业发展的建议",
            status=ProposalStatus.ASSIGNED,
            category=cls.category,
            number="2023001",
            is_key=True,
            supervisor=cls.leader,
        )
        cls.p4 = make_proposal(
            cls.chencheng,
            s,
            title="关于提升社区养老服务的建议",
            status=ProposalStatus.REPLIED,
            category=cls.social,
            number="2023002",
        )
        cls.p5 = make_proposal(
            cls.wangfang,
            s,
            title="关于增加中小学学位的建议",
            status=ProposalStatus.CLOSED,
            category=cls.social,
            number="2023003",
        )
        cls.p6 = make_proposal(
            cls.lihua, s, title="关于改善公共停车设施的建议", status=ProposalStatus.ASSIGNED, number="2023004"
        )
        cls.a3 = assignment(cls.p3, cls.unit, by, role=LEAD, status=AssignmentStatus.HANDLING, due=dt.date(2026, 3, 8))
        assignment(
            cls.p3, cls.other_unit, by, role=COHANDLING, status=AssignmentStatus.OPINION_SENT, due=dt.date(2026, 4, 5)
        )
        a4 = assignment(
            cls.p4,
            cls.unit,
            by,
            role=LEAD,
            status=AssignmentStatus.REPLIED,
            due=dt.date(2026, 3, 10),
            replied=dt.date(2026, 3, 2),
        )
        assignment(
            cls.p4, cls.third_unit, by, role=COHANDLING, status=AssignmentStatus.OPINION_SENT, due=dt.date(2026, 4, 5)
        )
        a5 = assignment(
            cls.p5,
            cls.other_unit,
            by,
            role=SEPARATE,
            status=AssignmentStatus.REPLIED,
            due=dt.date(2026, 2, 10),
            replied=dt.date(2026, 2, 20),
        )
        b5 = assignment(
            cls.p5,
            cls.third_unit,
            by,
            role=SEPARATE,
            status=AssignmentStatus.REPLIED,
            due=dt.date(2026, 2, 10),
            replied=dt.date(2026, 2, 9),
        )
        cls.a6 = assignment(
            cls.p6, cls.unit, by, role=SEPARATE, status=AssignmentStatus.PENDING, due=dt.date(2026, 3, 23)
        )
        assignment(
            cls.p6, cls.other_unit, by, role=SEPARATE, status=AssignmentStatus.RETURNED, due=dt.date(2026, 2, 16)
        )
        cls.b6 = assignment(
            cls.p6, cls.third_unit, by, role=SEPARATE, status=AssignmentStatus.HANDLING, due=dt.date(2026, 3, 17)
        )
        r4 = sent_reply(a4, cats["A"], cls.handler)
        r5 = sent_reply(a5, cats["B"], cls.other_handler)
        q5 = sent_reply(b5, cats["C"], cls.other_handler)
        Feedback.objects.create(
            reply=r4, user=cls.chencheng, attitude=Satisfaction.SATISFIED, result=Satisfaction.BASICALLY
        )
        Feedback.objects.create(
            reply=r5,
            user=cls.wangfang,
            attitude=Satisfaction.DISSATISFIED,
            result=Satisfaction.DISSATISFIED,
            comment="未解决",
        )
        Feedback.objects.create(
            reply=q5, user=cls.wangfang, attitude=Satisfaction.SATISFIED, result=Satisfaction.SATISFIED
        )

        cls.older = make_session(name="六届二次会议", term=6, meeting=2, year=2022, is_current=False)
        cls.p7 = make_proposal(
            cls.chencheng, cls.older, status=ProposalStatus.CLOSED, category=cls.category, number="2022001"
        )
        a7 = assignment(
            cls.p7,
            cls.unit,
            by,
            role=LEAD,
            status=AssignmentStatus.REPLIED,
            due=dt.date(2025, 4, 7),
            assigned=dt.date(2025, 1, 6),
            replied=dt.date(2025, 3, 31),
        )
        Feedback.objects.create(
            reply=sent_reply(a7, cats["D"], cls.handler),
            user=cls.chencheng,
            attitude=Satisfaction.SATISFIED,
            result=Satisfaction.SATISFIED,
        )
        # The rows above were written directly, not by the services: fill the list columns once.
        fill_list_columns()


def fill_list_columns() -> None:
    fill_lead_names()
    fill_units()
