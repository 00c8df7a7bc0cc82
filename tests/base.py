"""Shared test scaffolding: named personas built once per test class.

Every test class that needs people and places inherits ``PersonaTestCase``:
``self.chencheng`` and ``self.wangfang`` (members), ``self.lihua`` (a member
with no stake in the test proposals), ``self.committee``, ``self.handler`` and
``self.unitlead`` (unit ``self.unit``), ``self.other_handler`` (unit
``self.other_unit``), ``self.leader``; ``self.session`` with default rules and
``self.category``; ``self.reply_categories`` maps "A".."D" to ReplyCategory.
"""

from __future__ import annotations

import datetime as dt

from django.test import TestCase, override_settings
from django.utils import timezone

from accounts.choices import Role
from accounts.models import MemberProfile, Unit, User
from proposals.choices import ProposalKind, ProposalStatus, ProposerRole, ProposerStatus
from proposals.models import Category, Proposal, Proposer, Session
from responses.models import ReplyCategory

PASSWORD = "test-pass-123456"


def make_user(username: str, full_name: str, role: str = Role.MEMBER, unit: Unit | None = None, **extra) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        full_name=full_name,
        role=role,
        unit=unit,
        email=f"{username}@example.org",
        **extra,
    )
    if role == Role.MEMBER:
        MemberProfile.objects.create(user=user, member_number=f"M{user.pk:05d}", sector="经济界", party="无党派")
    return user


def make_session(**overrides) -> Session:
    fields = {
        "name": "六届三次会议",
        "full_name": "深圳市福田区政协第六届第三次会议",
        "term": 6,
        "meeting": 3,
        "year": 2023,
        "is_current": True,
    }
    fields.update(overrides)
    return Session.objects.create(**fields)


def make_reply_categories() -> dict[str, ReplyCategory]:
    rows = [
        ("A", "已解决或采纳", False),
        ("B", "正在解决或列入计划解决", True),
        ("C", "因条件限制暂不能解决", False),
        ("D", "留作参考", False),
    ]
    return {
        code: ReplyCategory.objects.create(code=code, name=name, requires_commitment=commit, order=i)
        for i, (code, name, commit) in enumerate(rows)
    }


def make_proposal(
    lead: User,
    session: Session,
    *,
    title: str = "关于福田区构建具有竞争力的现代化产业体系的建议",
    status: str = ProposalStatus.DRAFT,
    category: Category | None = None,
    cosigners: list[User] | tuple = (),
    cosigner_status: str = ProposerStatus.CONFIRMED,
    **extra,
) -> Proposal:
    """A proposal row in the given status, with its proposers; no events, no services.

    Past the draft, it has been submitted (``submitted_at`` set) unless told otherwise; a
    withdrawn proposal counts as withdrawn after submission.
    """
    if status != ProposalStatus.DRAFT:
        extra.setdefault("submitted_at", timezone.now())
    proposal = Proposal.objects.create(
        session=session,
        title=title,
        background="福田区时尚产业基础好，但产业体系竞争力仍需提升。",
        suggestions="一、加强规划引领；二、深化深港合作；三、强化政策扶持。",
        category=category,
        kind=ProposalKind.JOINT if cosigners else ProposalKind.INDIVIDUAL,
        status=status,
        created_by=lead,
        **extra,
    )
    Proposer.objects.create(
        proposal=proposal, user=lead, role=ProposerRole.LEAD, status=ProposerStatus.CONFIRMED, order=0
    )
    for i, user in enumerate(cosigners, start=1):
        Proposer.objects.create(
            proposal=proposal, user=user, role=ProposerRole.COSIGNER, status=cosigner_status, order=i
        )
    return proposal


# setUpTestData runs before pytest fixtures, so the fast hasher is set on the class itself.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class PersonaTestCase(TestCase):
    """A TestCase with the cast of DESIGN.md already in the database."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.unit = Unit.objects.create(name="深圳市福田区工业和信息化局", short_name="区工信局")
        cls.other_unit = Unit.objects.create(name="深圳市福田区教育局", short_name="区教育局")
        cls.third_unit = Unit.objects.create(name="深圳市福田区发展和改革局", short_name="区发改局")
        cls.chencheng = make_user("chencheng", "陈澄")
        cls.wangfang = make_user("wangfang", "王芳")
        cls.lihua = make_user("lihua", "李华")
        cls.committee = make_user("committee", "张委办", Role.COMMITTEE)
        cls.handler = make_user("handler", "刘经办", Role.UNIT_HANDLER, cls.unit)
        cls.unitlead = make_user("unitlead", "赵局长", Role.UNIT_LEADER, cls.unit)
        cls.other_handler = make_user("otherhandler", "孙经办", Role.UNIT_HANDLER, cls.other_unit)
        cls.leader = make_user("leader", "周主席", Role.LEADER)
        cls.session = make_session()
        cls.category = Category.objects.create(name="经济建设", order=1)
        cls.reply_categories = make_reply_categories()
        cls.today = dt.date(2025, 3, 3)
