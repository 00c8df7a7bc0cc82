"""Time the session's compilations (提案汇编 by number and by category, 答复汇编) over 1,000 accepted proposals.

Usage: .venv/bin/python bench/documents.py [--size 1000] [--database postgres://postgres@127.0.0.1:5432/NAME]

Without --database it runs on a fresh SQLite file in a temporary folder (the embedded set-up); with a
PostgreSQL URL it uses that database, which must hold no proposals but the ones this script made
(it fills an empty one, and reuses its own data on a second run).

The data: one session (深圳市福田区政协第六届第三次会议), SIZE accepted and replied proposals. The first is
the real case 第2023160号 (陈澄's proposal, its analysis and suggestions as the demo has them, and the
reference letter, reference/futian-2023160-reply.txt, as its reply from 区工信局 as 分办单位); the others
have the realistic texts of bench/corpus.py, one to three proposers with their sector and work unit, a
lead unit and up to two co-handling units (or separate units), and a sent reply as long as the reference
letter (its body, with the proposal's own title and number). Rows are written in bulk, not through the
services (as bench/datagen.py does).

Each compilation is built by ``documents.services.run_build``, the code the Celery task runs (claim,
contents, .docx with its progress written to the row, file stored under VAR_DIR), on a DocumentBuild
row, without a broker; the script prints each build's seconds, file size and item count, and the
seconds of the print views (the pages, through Django's test client).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SESSION_NAME = "六届三次会议"
MARKER = "bench_documents"  # the committee user this script makes: its data, when present
CATEGORIES = ["经济建设", "城市建设", "社会事业", "文化教育", "科技创新", "生态环境", "法治建设"]
UNITS = [
    ("深圳市福田区工业和信息化局", "区工信局"),
    ("深圳市福田区发展和改革局", "区发改局"),
    ("深圳市福田区科技创新局", "区科创局"),
    ("深圳市福田区教育局", "区教育局"),
    ("深圳市福田区卫生健康局", "区卫健局"),
    ("深圳市福田区住房和建设局", "区住建局"),
    ("深圳市福田区城市管理和综合执法局", "区城管局"),
    ("深圳市福田区文化广电旅游体育局", "区文广旅体局"),
    ("深圳市福田区民政局", "区民政局"),
    ("深圳市福田区生态环境局", "区生态环境局"),
    ("深圳市福田区司法局", "区司法局"),
    ("深圳市福田区人力资源局", "区人力资源局"),
]
SECTORS = ["经济界", "教育界", "科技界", "医卫界", "文化艺术界", "社会福利界", "中共", "民建"]
TITLES = [
    "某科技有限公司董事长",
    "某中学校长",
    "某医院副院长",
    "某律师事务所主任",
    "某研究院研究员",
    "某街道社区工作站站长",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志明晓东海燕春雷文斌宏亮"
REAL_TITLE = "关于福田区构建具有竞争力的现代化产业体系的建议"
REAL_NUMBER = "2023160"


def setup(database: str | None) -> Path | None:
    """Django on ``database``, or on a fresh SQLite file in a temporary folder (returned, to be removed)."""
    folder = None
    if database:
        os.environ["DATABASE_URL"] = database
    else:
        folder = Path(tempfile.mkdtemp(prefix="tian-bench-documents-"))
        os.environ["VAR_DIR"] = str(folder)
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.getLogger("security").setLevel(logging.WARNING)  # a sign-in line per print view otherwise
    return folder


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def generate(size: int) -> None:
    """SIZE accepted, replied proposals of one session, the real case first, written in bulk."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.choices import Role
    from accounts.models import MemberProfile, Unit, User
    from bench.corpus import Corpus
    from proposals.choices import ProposalKind, ProposalStatus, ProposerRole, ProposerStatus
    from proposals.models import Category, Proposal, Proposer, Session
    from responses.choices import AssignmentRole, AssignmentStatus, ReplyStatus
    from responses.demo.texts import BACKGROUND_2023160, SUGGESTIONS_2023160, letter_body
    from responses.models import Assignment, Reply, ReplyCategory

    rng = random.Random(2023160)
    real_letter = letter_body()
    zone = timezone.get_current_timezone()
    with transaction.atomic():
        session = Session.objects.create(
            name=SESSION_NAME,
            full_name="深圳市福田区政协第六届第三次会议",
            term=6,
            meeting=3,
            year=2023,
            is_current=True,
        )
        categories = [Category.objects.create(name=name, order=i) for i, name in enumerate(CATEGORIES, 1)]
        reply_categories = [
            ReplyCategory.objects.create(code=code, name=name, order=i)
            for i, (code, name) in enumerate(
                [
                    ("A", "已解决或采纳"),
                    ("B", "正在解决或列入计划解决"),
                    ("C", "因条件限制暂不能解决"),
                    ("D", "留作参考"),
                ]
            )
        ]
        units = [Unit.objects.create(name=name, short_name=short) for name, short in UNITS]
        committee = User.objects.create(username=MARKER, full_name="何静", role=Role.COMMITTEE)
        handlers = [
            User.objects.create(username=f"handler{i}", full_name=_name(rng), role=Role.UNIT_HANDLER, unit=unit)
            for i, unit in enumerate(units)
        ]
        leads = [
            User.objects.create(username=f"unitlead{i}", full_name=_name(rng), role=Role.UNIT_LEADER, unit=unit)
            for i, unit in enumerate(units)
        ]
        chencheng = User.objects.create(username="chencheng", full_name="陈澄", role=Role.MEMBER)
        members = [chencheng] + [
            User.objects.create(username=f"member{i:03d}", full_name=_name(rng), role=Role.MEMBER)
            for i in range(1, 300)
        ]
        MemberProfile.objects.bulk_create(
            MemberProfile(
                user=member,
                member_number=f"M{i:05d}",
                sector="经济界" if member is chencheng else rng.choice(SECTORS),
                title="深圳市某时尚科技有限公司董事长" if member is chencheng else f"深圳市{rng.choice(TITLES)}",
            )
            for i, member in enumerate(members)
        )

        texts = Corpus().rows(size, year=2023)
        proposals, proposers = [], []
        serial = 0
        for i in range(size):
            _number, title, background, suggestions, _words = next(texts)
            serial = 160 if i == 0 else serial + 1 + (serial == 159)
            if i == 0:
                title, background, suggestions = REAL_TITLE, BACKGROUND_2023160, SUGGESTIONS_2023160
            submitted = dt.datetime(2023, 1, 6, 9, tzinfo=zone) + dt.timedelta(minutes=i)
            proposals.append(
                Proposal(
                    session=session,
                    number=f"2023{serial:03d}",
                    serial=serial,
                    title=title,
                    background=background.replace("。", "。\n", 1),
                    suggestions=suggestions.replace("。", "。\n"),
                    category=categories[0] if i == 0 else rng.choice(categories),
                    kind=ProposalKind.INDIVIDUAL,
                    status=ProposalStatus.REPLIED,
                    created_by=chencheng if i == 0 else rng.choice(members),
                    submitted_at=submitted,
                    accepted_at=submitted + dt.timedelta(days=30),
                )
            )
        Proposal.objects.bulk_create(proposals, batch_size=500)
        proposals = list(Proposal.objects.filter(session=session).order_by("serial"))
        for proposal in proposals:
            lead = proposal.created_by
            proposers.append(
                Proposer(proposal=proposal, user=lead, role=ProposerRole.LEAD, status=ProposerStatus.CONFIRMED)
            )
            if proposal.number != REAL_NUMBER:
                for order, user in enumerate(rng.sample(members, rng.choice((0, 0, 1, 2))), start=1):
                    if user.pk != lead.pk:
                        proposers.append(
                            Proposer(
                                proposal=proposal,
                                user=user,
                                role=ProposerRole.COSIGNER,
                                status=ProposerStatus.CONFIRMED,
                                order=order,
                            )
                        )
        Proposer.objects.bulk_create(proposers, batch_size=1000)

        assignments = []
        for proposal in proposals:
            assigned_on = dt.date(2023, 3, 1)
            if proposal.number == REAL_NUMBER:
                roles = [(units[0], AssignmentRole.SEPARATE)]
            elif rng.random() < 0.2:
                roles = [(unit, AssignmentRole.SEPARATE) for unit in rng.sample(units, 2)]
            else:
                picked = rng.sample(units, rng.choice((1, 2, 3)))
                roles = [(picked[0], AssignmentRole.LEAD)] + [(unit, AssignmentRole.COHANDLING) for unit in picked[1:]]
            for unit, role in roles:
                replying = role != AssignmentRole.COHANDLING
                assignments.append(
                    Assignment(
                        proposal=proposal,
                        unit=unit,
                        role=role,
                        status=AssignmentStatus.REPLIED if replying else AssignmentStatus.OPINION_SENT,
                        assigned_by=committee,
                        assigned_on=assigned_on,
                        reply_due=assigned_on + dt.timedelta(days=92),
                    )
                )
        Assignment.objects.bulk_create(assignments, batch_size=1000)
        replies = []
        index = {unit.pk: i for i, unit in enumerate(units)}
        for assignment in (
            Assignment.objects.filter(proposal__session=session)
            .exclude(role=AssignmentRole.COHANDLING)
            .select_related("proposal", "unit")
        ):
            proposal = assignment.proposal
            body = real_letter
            if proposal.number != REAL_NUMBER:
                # The reference letter's length and shape, naming this proposal.
                body = real_letter.replace(REAL_TITLE, proposal.title).replace(REAL_NUMBER, proposal.number)
            sent = dt.datetime(2023, 5, 19, 10, tzinfo=zone) + dt.timedelta(minutes=proposal.serial)
            at = index[assignment.unit_id]
            replies.append(
                Reply(
                    assignment=assignment,
                    status=ReplyStatus.SENT,
                    category=reply_categories[1] if proposal.number == REAL_NUMBER else rng.choice(reply_categories),
                    letter_number=f"福{assignment.unit.short_name[1:-1]}函〔2023〕{proposal.serial}号",
                    body=body,
                    contact_person=handlers[at].full_name,
                    contact_phone=f"0755-8297{8000 + at}",
                    drafted_by=handlers[at],
                    signer=leads[at],
                    signed_at=sent - dt.timedelta(days=1),
                    sent_at=sent,
                )
            )
        Reply.objects.bulk_create(replies, batch_size=500)


def present(size: int) -> bool:
    from accounts.models import User
    from proposals.models import Proposal

    mine = User.objects.filter(username=MARKER).exists()
    count = Proposal.objects.count()
    if count and not mine:
        raise SystemExit("The database holds proposals this script did not make: point --database at an empty one.")
    if mine and count != size:
        raise SystemExit(f"The database holds this script's data for {count} proposals, not {size}: use another one.")
    return mine


def build(kind: str, order: str) -> tuple[float, object]:
    from accounts.models import User
    from documents.models import DocumentBuild
    from documents.services import run_build
    from proposals.models import Session

    row = DocumentBuild.objects.create(
        kind=kind,
        order=order,
        session=Session.objects.get(name=SESSION_NAME),
        requested_by=User.objects.get(username=MARKER),
    )
    started = time.perf_counter()
    built = run_build(row.pk)
    seconds = time.perf_counter() - started
    row.refresh_from_db()
    if not built:
        raise SystemExit(f"the build failed: {row.error}")
    return seconds, row


def print_view(url: str) -> tuple[float, int]:
    from django.test import Client

    from accounts.models import User

    client = Client(SERVER_NAME="localhost")
    client.force_login(User.objects.get(username=MARKER))
    started = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return seconds, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--database", default="", help="a PostgreSQL URL; default: a fresh SQLite file")
    args = parser.parse_args()
    folder = setup(args.database or None)
    try:
        run(args)
    finally:
        if folder is not None:  # the fresh SQLite set-up and its files
            shutil.rmtree(folder, ignore_errors=True)


def run(args) -> None:
    from django.db import connection
    from django.urls import reverse

    from documents.choices import CompilationOrder, DocumentKind
    from proposals.models import Session
    from responses.models import Reply

    out = sys.stdout
    started = time.perf_counter()
    if present(args.size):
        out.write("data already present\n")
    else:
        generate(args.size)
        out.write(f"data generated in {time.perf_counter() - started:.1f} s\n")
    session = Session.objects.get(name=SESSION_NAME)
    replies = Reply.objects.sent().filter(assignment__proposal__session=session).count()
    out.write(f"database: {connection.vendor}; {args.size:,} accepted proposals, {replies:,} sent replies\n\n")
    out.write("Celery task's work (documents.services.run_build: contents, .docx, progress, file stored)\n")
    for label, kind, order in (
        ("提案汇编, by number", DocumentKind.COMPILATION, CompilationOrder.NUMBER),
        ("提案汇编, by category", DocumentKind.COMPILATION, CompilationOrder.CATEGORY),
        ("答复汇编", DocumentKind.REPLIES, CompilationOrder.NUMBER),
    ):
        seconds, row = build(kind, order)
        out.write(
            f"  {label:24} {row.total:>6,} items  {seconds:7.1f} s  {row.file_size / 1e6:6.1f} MB  {row.file_name}\n"
        )
        out.flush()
    out.write("\nprint views (one request each, Django's test client)\n")
    for label, url in (
        ("提案汇编, by number", reverse("documents:compilation", args=[session.pk]) + "?order=number"),
        ("提案汇编, by category", reverse("documents:compilation", args=[session.pk]) + "?order=category"),
        ("答复汇编", reverse("documents:reply_compilation", args=[session.pk])),
    ):
        seconds, size = print_view(url)
        out.write(f"  {label:22} {seconds:7.1f} s  {size / 1e6:6.2f} MB of HTML\n")
        out.flush()


if __name__ == "__main__":
    main()
