"""Time the import of one workbook with 10,000 proposals, their assignments, replies and feedback.

Usage: .venv/bin/python bench/import_bench.py [--database postgres://postgres@127.0.0.1:5432/tian_bench_import]
           [--proposals 10000]

Creates the database when missing and migrates it, adds the reference rows the workbook names
(a session, 60 units, 2,000 members, categories, reply categories, a committee user), removes what
an earlier run imported, writes the workbook in memory (each proposal: a lead unit, a co-handling
unit for every third, the lead unit's reply, a rating by the lead proposer for every second), then
times the dry run (reading and checking) and the import (reading, checking and writing) and prints
both. The target: the import within 5 minutes on this machine.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reminder_scan import ensure_database  # noqa: E402

SESSION = "五届五次会议"
TITLES = ["时尚产业", "智慧停车", "社区养老", "学位供给", "河道治理", "老旧小区改造", "公共充电桩", "夜间照明"]


def reference() -> None:
    from accounts.choices import Role
    from accounts.models import MemberProfile, Unit, User
    from proposals.models import Category, Session
    from responses.models import ReplyCategory

    Session.objects.get_or_create(name=SESSION, defaults={"term": 5, "meeting": 5, "year": 2022})
    for i in range(60):
        Unit.objects.get_or_create(name=f"深圳市福田区测试局{i:02d}", defaults={"short_name": f"测试局{i:02d}"})
    for name in ("经济建设", "社会事业", "城市管理"):
        Category.objects.get_or_create(name=name)
    for order, (code, name) in enumerate(
        [("A", "已解决或采纳"), ("B", "正在解决"), ("C", "暂不能解决"), ("D", "留作参考")]
    ):
        ReplyCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    if not User.objects.filter(username="bench_committee").exists():
        User.objects.create_user("bench_committee", password=None, role=Role.COMMITTEE, full_name="导入测试")
    existing = set(User.objects.filter(username__startswith="bench_m").values_list("username", flat=True))
    users = [
        User(username=f"bench_m{i:04d}", full_name=f"委员{i:04d}", role=Role.MEMBER)
        for i in range(2000)
        if f"bench_m{i:04d}" not in existing
    ]
    User.objects.bulk_create(users, batch_size=1000)
    new = User.objects.filter(username__startswith="bench_m", member_profile__isnull=True)
    MemberProfile.objects.bulk_create(
        [MemberProfile(user=user, member_number=f"B{user.username[-4:]}") for user in new], batch_size=1000
    )


def forget_earlier_runs() -> None:
    from imports.models import ImportBatch
    from proposals.models import Proposal

    Proposal.objects.filter(session__name=SESSION).delete()
    ImportBatch.objects.filter(proposals__isnull=True).delete()


def build_workbook(count: int) -> bytes:
    from openpyxl import Workbook

    from imports.workbook import SHEETS

    rng = random.Random(20)
    book = Workbook(write_only=True)
    sheets = {sheet.key: book.create_sheet(sheet.title) for sheet in SHEETS}
    for sheet in SHEETS:
        sheets[sheet.key].append([column.header for column in sheet.columns])
    columns = {sheet.key: [column.key for column in sheet.columns] for sheet in SHEETS}

    def add(key: str, **values) -> None:
        sheets[key].append([values.get(name) for name in columns[key]])

    for i in range(count):
        number = f"2022{i:05d}"
        lead = f"B{rng.randrange(2000):04d}"
        month, day = 1 + i % 3, 1 + i % 28
        topic = TITLES[i % len(TITLES)]
        add(
            "proposals",
            number=number,
            session=SESSION,
            title=f"关于推进福田区{topic}工作的建议（{i}）",
            lead=lead,
            category="经济建设",
            background=f"福田区{topic}工作仍有不足，群众反映较多。",
            suggestions=f"一、加强{topic}规划；二、完善{topic}政策；三、强化{topic}督导。",
            submitted=f"2022-{month:02d}-{day:02d}",
            accepted=f"2022-{month + 1:02d}-{day:02d}",
        )
        unit = f"测试局{rng.randrange(60):02d}"
        add(
            "assignments",
            number=number,
            session=SESSION,
            unit=unit,
            role="主办",
            assigned=f"2022-{month + 2:02d}-{day:02d}",
        )
        if i % 3 == 0:
            other = f"测试局{(int(unit[-2:]) + 1) % 60:02d}"
            add(
                "assignments",
                number=number,
                session=SESSION,
                unit=other,
                role="会办",
                assigned=f"2022-{month + 2:02d}-{day:02d}",
            )
        add(
            "replies",
            number=number,
            session=SESSION,
            unit=unit,
            category="ABCD"[i % 4],
            letter_number=f"福测函〔2022〕{i}号",
            sent=f"2022-{month + 4:02d}-{day:02d}",
            body=f"你提出的关于{topic}的提案收悉。经研究，现答复如下：……特此回复。",
            contact_person="经办人",
            contact_phone="0755-00000000",
        )
        if i % 2 == 0:
            add("feedback", number=number, session=SESSION, unit=unit, member=lead, attitude="满意", result="基本满意")
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/tian_bench_import")
    parser.add_argument("--proposals", type=int, default=10_000)
    args = parser.parse_args()
    ensure_database(args.database)
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    reference()
    forget_earlier_runs()
    from accounts.models import User
    from imports.services import import_workbook

    started = time.perf_counter()
    content = build_workbook(args.proposals)
    built = time.perf_counter() - started
    actor = User.objects.get(username="bench_committee")
    started = time.perf_counter()
    plan, _ = import_workbook(content, actor=actor, file_name="bench.xlsx", dry_run=True)
    checked = time.perf_counter() - started
    if plan.problems:
        raise SystemExit(f"{len(plan.problems)} problems, first: {plan.problems[0]}")
    started = time.perf_counter()
    plan, batch = import_workbook(content, actor=actor, file_name="bench.xlsx")
    imported = time.perf_counter() - started
    started = time.perf_counter()
    again, second = import_workbook(content, actor=actor, file_name="bench.xlsx")
    reimported = time.perf_counter() - started
    counts = plan.counts
    print(f"workbook: {len(content) / 1e6:.1f} MB, built in {built:.1f} s")  # noqa: T201
    print(  # noqa: T201
        f"rows: {counts['proposals']} proposals, {counts['assignments']} assignments, "
        f"{counts['replies']} replies, {counts['feedback']} ratings"
    )
    print(f"dry run (read + check): {checked:.1f} s")  # noqa: T201
    print(f"import (read + check + write, one transaction): {imported:.1f} s  (target: 300 s)")  # noqa: T201
    print(f"second import of the same file: {reimported:.1f} s, {again.counts['skipped']} skipped, batch {second}")  # noqa: T201


if __name__ == "__main__":
    main()
