"""The demo's people and places: sessions, categories, reply categories, units and users.

Fetched or created by their natural keys, so a second run, or a database that already has some of
them (a persona of the tests, a unit typed in the admin), creates nothing twice and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from accounts.choices import Role
from accounts.models import MemberProfile, Unit, User
from proposals.models import Category, Session
from responses.models import ReplyCategory

CATEGORIES = ["经济建设", "城市建设", "社会事业", "文化教育", "科技创新", "生态环境", "法治建设", "其他"]

REPLY_CATEGORIES = [
    ("A", "已解决或采纳", "所提问题已经解决或建议已被采纳", False),
    ("B", "正在解决或列入计划解决", "所提问题正在解决或已列入计划逐步解决，需跟踪答复", True),
    ("C", "因条件限制暂不能解决", "受政策、财力等条件限制，目前暂不能解决", False),
    ("D", "留作参考", "所提建议留作工作参考", False),
]

# (name, short name, office phone)
UNITS = [
    ("深圳市福田区工业和信息化局", "区工信局", "0755-82978326"),
    ("深圳市福田区发展和改革局", "区发改局", "0755-82918210"),
    ("深圳市福田区科技创新局", "区科技创新局", "0755-82918735"),
    ("深圳市福田区教育局", "区教育局", "0755-82918452"),
    ("深圳市福田区卫生健康局", "区卫生健康局", "0755-82918580"),
    ("深圳市福田区住房和建设局", "区住建局", "0755-82918615"),
    ("深圳市福田区城市管理和综合执法局", "区城管局", "0755-82918760"),
    ("深圳市福田区文化广电旅游体育局", "区文广旅体局", "0755-82918390"),
    ("深圳市福田区人力资源局", "区人力资源局", "0755-82918122"),
    ("深圳市交通运输局福田管理局", "福田交通管理局", "0755-82918905"),
]
UNIT_PHONES = {name: phone for name, _short, phone in UNITS}
GONGXIN = "深圳市福田区工业和信息化局"
EDUCATION = "深圳市福田区教育局"
SCIENCE = "深圳市福田区科技创新局"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    unit: str | None = None
    phone: str = ""
    # Member profile: (member number, sector 界别, party 党派, work unit and position)
    profile: tuple[str, str, str, str] | None = None


USERS = [
    DemoUser(
        "chencheng", "陈澄", Role.MEMBER, profile=("FT6-0160", "经济界", "无党派人士", "深圳市某时尚科技有限公司董事长")
    ),
    DemoUser("wangfang", "王芳", Role.MEMBER, profile=("FT6-0211", "教育界", "中国民主促进会", "福田区某中学副校长")),
    DemoUser("liming", "李明", Role.MEMBER, profile=("FT6-0087", "科学技术界", "九三学社", "某人工智能研究院研究员")),
    DemoUser(
        "huangli", "黄丽", Role.MEMBER, profile=("FT6-0132", "医药卫生界", "中国农工民主党", "福田区某医院主任医师")
    ),
    DemoUser(
        "zhangwei",
        "张伟",
        Role.MEMBER,
        profile=("FT6-0045", "工商联界", "中国民主建国会", "深圳市某电子有限公司总经理"),
    ),
    DemoUser("committee", "何静", Role.COMMITTEE, phone="0755-82918001"),
    DemoUser("handler", "刘洋", Role.UNIT_HANDLER, GONGXIN, phone="0755-82978326"),
    DemoUser("unitlead", "赵建国", Role.UNIT_LEADER, GONGXIN, phone="0755-82978300"),
    DemoUser("eduhandler", "孙丽", Role.UNIT_HANDLER, EDUCATION, phone="0755-82918452"),
    DemoUser("edulead", "吴敏", Role.UNIT_LEADER, EDUCATION, phone="0755-82918400"),
    DemoUser("kjhandler", "林涛", Role.UNIT_HANDLER, SCIENCE, phone="0755-82918735"),
    DemoUser("leader", "周海明", Role.LEADER, phone="0755-82918000"),
]

# Who works each step for a unit: (handler, leader) usernames; 区科技创新局 has no leader in the demo.
UNIT_STAFF = {GONGXIN: ("handler", "unitlead"), EDUCATION: ("eduhandler", "edulead"), SCIENCE: ("kjhandler", None)}


class ReferenceData:
    """Mixin of the Seeder: ``self.log``, ``self.today``, ``self.day()``, ``self.at()`` come from it."""

    def sessions(self) -> None:
        self.old, created = Session.objects.get_or_create(
            term=6,
            meeting=3,
            defaults={
                "name": "六届三次会议",
                "full_name": "深圳市福田区政协第六届第三次会议",
                "year": 2023,
                "opens_on": dt.date(2023, 1, 3),
                "closes_on": dt.date(2023, 2, 28),
            },
        )
        if created:
            self.log.append(f"session {self.old.name}")
        # The previous meeting, whose committee asked for the two steps issue 21 brought online: co-handling
        # units countersign the lead unit's final draft (会签), and the committee reviews every signed reply
        # before the proposers see it (督办审核). The current session keeps both off, as its stories are told.
        self.previous, created = Session.objects.get_or_create(
            term=6,
            meeting=5,
            defaults={
                "name": "六届五次会议",
                "full_name": "深圳市福田区政协第六届第五次会议",
                "year": 2025,
                "opens_on": self.day(560),
                "countersign": True,
                "reply_review": True,
            },
        )
        if created:
            self.log.append(f"session {self.previous.name} (会签 and 督办审核)")
        self.current, created = Session.objects.get_or_create(
            term=6,
            meeting=6,
            defaults={
                "name": "六届六次会议",
                "full_name": "深圳市福田区政协第六届第六次会议",
                "year": 2026,
                "opens_on": self.day(200),
                "closes_on": self.today + dt.timedelta(days=60),
                "cosign_cutoff": self.at(self.today + dt.timedelta(days=20), 18),
            },
        )
        if created:
            # Only when first created: a later choice of current session in the admin is left alone.
            Session.objects.filter(is_current=True).exclude(pk=self.current.pk).update(is_current=False)
            self.current.is_current = True
            self.current.save(update_fields=["is_current"])
            self.log.append(f"session {self.current.name} (current)")

    def categories(self) -> None:
        self.category = {}
        for order, name in enumerate(CATEGORIES, start=1):
            self.category[name], created = Category.objects.get_or_create(name=name, defaults={"order": order})
            if created:
                self.log.append(f"category {name}")
        self.reply_category = {}
        for order, (code, name, description, commitment) in enumerate(REPLY_CATEGORIES):
            self.reply_category[code], created = ReplyCategory.objects.get_or_create(
                code=code,
                defaults={"name": name, "description": description, "requires_commitment": commitment, "order": order},
            )
            if created:
                self.log.append(f"reply category {code} {name}")

    def units(self) -> None:
        self.unit = {}
        for name, short_name, phone in UNITS:
            self.unit[name], created = Unit.objects.get_or_create(
                name=name, defaults={"short_name": short_name, "phone": phone}
            )
            if created:
                self.log.append(f"unit {name}")

    def users(self) -> None:
        self.user = {}
        for spec in USERS:
            user = User.objects.filter(username=spec.username).first()
            if user is None:
                user = User.objects.create_user(
                    username=spec.username,
                    email=f"{spec.username}@example.org",
                    password=settings.DEMO_PASSWORD,
                    full_name=spec.full_name,
                    role=spec.role,
                    unit=self.unit[spec.unit] if spec.unit else None,
                    phone=spec.phone,
                )
                self.log.append(f"user {spec.username} ({spec.full_name}, {user.get_role_display()})")
            elif self.reset_passwords:
                user.set_password(settings.DEMO_PASSWORD)
                user.save(update_fields=["password"])
                self.log.append(f"password reset for {spec.username}")
            if spec.profile and spec.role == Role.MEMBER and not MemberProfile.objects.filter(user=user).exists():
                number, sector, party, title = spec.profile
                if not MemberProfile.objects.filter(member_number=number).exists():
                    MemberProfile.objects.create(
                        user=user, member_number=number, sector=sector, party=party, title=title
                    )
                    self.log.append(f"member profile {number} for {spec.username}")
            self.user[spec.username] = user
