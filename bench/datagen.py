"""Realistic data for `make bench`: N proposals over five sessions, about 3N assignments, replies and feedback.

Usage: .venv/bin/python bench/datagen.py --size 1000000 [--database postgres://postgres@127.0.0.1:5432/tian_bench]
(default database: tian_bench for 1,000,000 proposals, tian_bench_<size> otherwise)

PostgreSQL only. Proposals are loaded with COPY from the Chinese corpus of
bench/corpus.py (titles such as 关于福田区加快发展时尚产业的建议, with their
search words), everything else with INSERT … SELECT over generate_series, then
the proposals' list columns (lead proposer, first unit, unit count: what the
services keep) are filled by two set-based UPDATEs. Skipped when the database
already holds this data set (same size, complete).

The shape follows a district committee over one term (六届, 2022–2026): older
sessions mostly closed, the current one (2026) in full swing, so some replies are
overdue today, some on time, some late; one lead unit with co-handling units, or
several separate units; a few returned assignments; A/B/C/D replies; most
proposers rate their replies, mostly 满意.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/tian_bench"
BENCH_PASSWORD = "bench-password-2026"
UNITS = 60
MEMBERS = 600
SESSIONS = [  # name, term, meeting, year, share of proposals
    ("六届一次会议", 6, 1, 2022, 0.20),
    ("六届二次会议", 6, 2, 2023, 0.20),
    ("六届三次会议", 6, 3, 2024, 0.20),
    ("六届四次会议", 6, 4, 2025, 0.20),
    ("六届五次会议", 6, 5, 2026, 0.20),
]
CATEGORIES = ["经济建设", "城市建设", "社会事业", "文化教育", "科技创新", "生态环境", "法治建设", "其他"]
UNIT_NAMES = [
    "工业和信息化局",
    "发展和改革局",
    "科技创新局",
    "教育局",
    "卫生健康局",
    "住房和建设局",
    "城市管理和综合执法局",
    "文化广电旅游体育局",
    "人力资源局",
    "民政局",
    "财政局",
    "司法局",
    "审计局",
    "统计局",
    "退役军人事务局",
    "应急管理局",
    "水务局",
    "国有资产监督管理局",
    "企业服务中心",
    "政务服务数据管理局",
    "市场监督管理局",
    "生态环境局",
    "规划和自然资源局",
    "建筑工务署",
    "医疗保障局",
    "残疾人联合会",
    "妇女联合会",
    "总工会",
    "团区委",
    "科学技术协会",
    "投资推广署",
    "香蜜湖国际金融科技生态区管理局",
    "河套深港科技创新合作区服务中心",
    "园岭街道办事处",
    "南园街道办事处",
    "福田街道办事处",
    "沙头街道办事处",
    "香蜜湖街道办事处",
    "梅林街道办事处",
    "莲花街道办事处",
    "华富街道办事处",
    "福保街道办事处",
    "华强北街道办事处",
    "公安分局",
    "交通管理局",
    "税务局",
    "消防救援大队",
    "人民医院",
    "中医院",
    "妇幼保健院",
    "疾病预防控制中心",
    "图书馆",
    "文化馆",
    "体育中心",
    "环境卫生管理所",
    "物业管理服务中心",
    "城市更新和土地整备局",
    "机关事务管理局",
    "档案馆",
    "融媒体中心",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志明晓东海燕春雷文斌宏亮"


def database_for(size: int) -> str:
    """tian_bench for the full million, tian_bench_<size> for smaller sets: trying a small set
    never throws away the large one, which takes minutes to build."""
    return DEFAULT_DATABASE if size == 1_000_000 else f"{DEFAULT_DATABASE}_{size}"


def ensure_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def present(size: int) -> bool:
    """Whether the database already holds a complete data set of this size."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT to_regclass('bench_meta')")
        if c.fetchone()[0] is None:
            return False
        c.execute("SELECT size, complete FROM bench_meta")
        row = c.fetchone()
    return bool(row) and row[0] == size and row[1]


_STARTED = time.perf_counter()


def _say(message: str) -> None:
    sys.stdout.write(f"  [{time.perf_counter() - _STARTED:5.0f} s] {message}\n")
    sys.stdout.flush()


def _people(rng: random.Random, count: int) -> list[str]:
    return [rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))) for _ in range(count)]


def reference_data(c, today: dt.date) -> None:
    """Sessions, categories, reply categories, units and people."""
    from django.contrib.auth.hashers import make_password

    from proposals.models import Session

    rng = random.Random(7)
    # Through the model (bulk_create, no services: nothing else exists yet), so that the settings a session
    # gains later (satisfaction rule, countersigning, …) take their defaults instead of stopping the load.
    Session.objects.bulk_create(
        Session(
            name=name,
            full_name=f"深圳市福田区政协第六届第{'一二三四五'[meeting - 1]}次会议",
            term=term,
            meeting=meeting,
            year=year,
            is_current=year == today.year,
            opens_on=dt.date(year, 1, 5),
            closes_on=dt.date(year, 1, 20),
            joint_rule="minimum",
            joint_min_confirmed=1,
            number_format="{year}{serial:06d}",
            reminder_days_before=[30, 7, 1],
            escalation=["unit_handler", "unit_leader", "committee", "leader"],
        )
        for name, term, meeting, year, _share in SESSIONS
    )
    for i, name in enumerate(CATEGORIES, 1):
        c.execute('INSERT INTO proposals_category (name, "order", is_active) VALUES (%s, %s, true)', [name, i])
    for i, (code, name, commit) in enumerate(
        [
            ("A", "已解决或采纳", False),
            ("B", "正在解决或列入计划解决", True),
            ("C", "因条件限制暂不能解决", False),
            ("D", "留作参考", False),
        ]
    ):
        c.execute(
            'INSERT INTO responses_replycategory (code, name, description, requires_commitment, "order", is_active) '
            "VALUES (%s, %s, '', %s, %s, true)",
            [code, name, commit, i],
        )
    for name in UNIT_NAMES[:UNITS]:
        full = name if name.startswith(("人民医院", "中医院")) else f"深圳市福田区{name}"
        c.execute(
            "INSERT INTO accounts_unit (name, short_name, email, phone, is_active) VALUES (%s, %s, '', '', true)",
            [full, f"区{name[:4]}" if len(name) > 4 else f"区{name}"],
        )
    password = make_password(BENCH_PASSWORD)
    users = []  # username, full name, role, unit, superuser
    users += [(f"member{i:04d}", n, "member", None, False) for i, n in enumerate(_people(rng, MEMBERS), 1)]
    users += [(f"committee{i}", n, "committee", None, False) for i, n in enumerate(_people(rng, 3), 1)]
    users += [(f"leader{i}", n, "leader", None, False) for i, n in enumerate(_people(rng, 5), 1)]
    users += [(f"handler{u}", n, "unit_handler", u, False) for u, n in enumerate(_people(rng, UNITS), 1)]
    users += [(f"unitlead{u}", n, "unit_leader", u, False) for u, n in enumerate(_people(rng, UNITS), 1)]
    users += [("bench", "基准测试", "committee", None, True), ("bench_unit", "基准经办", "unit_handler", 1, False)]
    for username, full_name, role, unit, superuser in users:
        c.execute(
            "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff, "
            "is_active, date_joined, full_name, role, unit_id, phone) "
            "VALUES (%s, %s, %s, '', '', %s, %s, true, now(), %s, %s, %s, '')",
            [password, superuser, username, f"{username}@example.org", role != "member", full_name, role, unit],
        )
    c.execute(
        "INSERT INTO accounts_memberprofile (user_id, member_number, sector, party, title) "
        "SELECT id, 'M' || lpad(id::text, 5, '0'), (ARRAY['经济界','教育界','科技界','医卫界','文化艺术界','社会福利界'])"
        "[1 + id %% 6], (ARRAY['无党派','民革','民盟','民建','民进','农工党','致公党','九三学社'])[1 + id %% 8], '' "
        "FROM accounts_user WHERE role = 'member'",
        [],
    )


def _status(rng: random.Random, current: bool) -> str:
    x = rng.random()
    if current:
        table = [
            (0.04, "draft"),
            (0.10, "submitted"),
            (0.17, "accepted"),
            (0.67, "assigned"),
            (0.87, "replied"),
            (0.92, "closed"),
            (0.95, "rejected"),
            (0.97, "merged"),
            (1.0, "withdrawn"),
        ]
    else:
        table = [
            (0.82, "closed"),
            (0.88, "replied"),
            (0.92, "assigned"),
            (0.96, "rejected"),
            (0.98, "merged"),
            (1.0, "withdrawn"),
        ]
    return next(status for limit, status in table if x < limit)


def proposals(c, raw, size: int, today: dt.date) -> None:
    """Proposals by COPY, from the corpus of realistic Chinese texts (with their search words)."""
    from bench.corpus import Corpus

    c.execute("SELECT id FROM accounts_user WHERE role = 'member' ORDER BY id")
    members = [row[0] for row in c.fetchall()]
    c.execute("SELECT id FROM accounts_user WHERE role = 'leader' ORDER BY id")
    leaders = [row[0] for row in c.fetchall()]
    c.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'proposals_proposal' "
        "AND column_name = 'search_text'"
    )
    has_search_text = c.fetchone() is not None
    columns = (
        "session_id, number, serial, title, background, suggestions, category_id, kind, collective_author, status, "
        "created_by_id, publication_consent, publication_refusal_reason, is_key, supervisor_id, handling_round, "
        "rejection_ground, rejection_reason, converted_to_suggestion, is_published, submitted_at, accepted_at, "
        "closed_at, created_at, updated_at, merged_into_id, lead_display, unit_count"
        + (", search_text" if has_search_text else "")
    )
    rng = random.Random(2023160)
    corpus = Corpus()
    made = 0
    for session_id, (_name, _term, _meeting, year, share) in enumerate(SESSIONS, 1):
        count = size - made if session_id == len(SESSIONS) else int(size * share)
        current = year == today.year
        rows = corpus.rows(count, year=year)
        buffer = io.StringIO()
        start = dt.datetime(year, 1, 6, 9, 0)
        span = 14 * 86400
        for serial, (number, title, background, suggestions, words) in enumerate(rows, 1):
            status = _status(rng, current)
            row_id = made + serial  # ids restart at 1 and follow the COPY order
            if status == "merged" and serial == 1:
                status = "withdrawn"
            created = start + dt.timedelta(seconds=int(span * serial / count))
            submitted = created + dt.timedelta(hours=2) if status != "draft" else None
            accepted = (
                created + dt.timedelta(days=12) if status in ("accepted", "assigned", "replied", "closed") else None
            )
            closed = created + dt.timedelta(days=150) if status == "closed" else None
            key = accepted is not None and status != "closed" and rng.random() < 0.02
            fields = [
                session_id,
                number if accepted else "",
                serial if accepted else "\\N",
                title,
                background,
                suggestions,
                1 + serial % len(CATEGORIES) if serial % 97 else "\\N",
                "individual",
                "",
                status,
                members[rng.randrange(len(members))],
                "t",
                "",
                "t" if key else "f",
                rng.choice(leaders) if key else "\\N",
                1,
                "other" if status == "rejected" else "",
                "不属于政协提案受理范围。" if status == "rejected" else "",
                "f",
                "f",
                f"{submitted:%Y-%m-%d %H:%M:%S}+08" if submitted else "\\N",
                f"{accepted:%Y-%m-%d %H:%M:%S}+08" if accepted else "\\N",
                f"{closed:%Y-%m-%d %H:%M:%S}+08" if closed else "\\N",
                f"{created:%Y-%m-%d %H:%M:%S}+08",
                f"{(closed or accepted or created):%Y-%m-%d %H:%M:%S}+08",
                row_id - 1 if status == "merged" else "\\N",
                "",  # lead_display and unit_count: filled by list_columns() once the proposers and units are in
                0,
            ]
            if has_search_text:
                fields.append(words)
            buffer.write("\t".join(str(f) for f in fields) + "\n")
            if serial % 100_000 == 0 or serial == count:
                buffer.seek(0)
                with raw.cursor() as cursor:
                    cursor.copy_expert(f"COPY proposals_proposal ({columns}) FROM STDIN", buffer)
                buffer = io.StringIO()
        made += count
        _say(f"{made:,} proposals")
    c.execute(
        'INSERT INTO proposals_proposer (proposal_id, user_id, role, status, "order", invited_at, confirmed_at, confirmed_on_paper) '
        "SELECT id, created_by_id, 'lead', 'confirmed', 0, created_at, created_at, false FROM proposals_proposal"
    )


def assignments(c, today: dt.date) -> None:
    """2 to 5 units per handled proposal: one lead unit with co-handlers, or (one in five) separate units.

    The current session was assigned in batches over the last months, so its replies fall due around
    today; older sessions were handled long ago. Statuses follow the proposal's status.
    """
    c.execute("SELECT id FROM accounts_user WHERE username = 'committee1'")
    committee = c.fetchone()[0]
    c.execute(
        """
        WITH handled AS (
            SELECT p.id, p.status, s.year,
                   CASE WHEN s.year = %(year)s
                        THEN %(today)s::date - 160 + (((p.id * 2654435761) %% 4294967296) %% 20)::int * 6
                        ELSE make_date(s.year, 2, 1) + (((p.id * 2654435761) %% 4294967296) %% 20)::int * 3 END AS assigned_on
            FROM proposals_proposal p JOIN proposals_session s ON s.id = p.session_id
            WHERE p.status IN ('assigned', 'replied', 'closed')
        ), rows AS (
            SELECT h.*, j, (h.id %% 5 = 0) AS separate,
                   1 + ((h.id * 7 + j * 13) %% %(units)s) AS unit_id,
                   (h.id * 31 + j * 17) %% 100 AS roll
            FROM handled h, generate_series(1, 2 + (h.id %% 4)::int) AS j
        ), shaped AS (
            SELECT r.*,
                   CASE WHEN separate THEN 'separate' WHEN j = 1 THEN 'lead' ELSE 'cohandling' END AS role,
                   (assigned_on + interval '3 months')::date AS due,
                   assigned_on + 20 + ((id * 13 + j * 7) %% 95)::int AS replied_on
            FROM rows r
        )
        INSERT INTO responses_assignment (
            proposal_id, unit_id, role, round, status, assigned_by_id, assigned_at, assigned_on, accepted_at, replied_at,
            reply_due, reply_due_note, reply_due_provisional, original_reply_due, reply_cap, reply_cap_note,
            opinion_due, opinion_due_note, return_window_ends, return_window_note, contact_due, contact_due_note,
            deadlines_provisional, instructions, opinion_waiver_reason)
        SELECT id, unit_id, role, 1, a_status, %(committee)s,
               (assigned_on + time '10:00') AT TIME ZONE 'Asia/Shanghai', assigned_on,
               CASE WHEN a_status <> 'pending' THEN (assigned_on + 2 + time '10:00') AT TIME ZONE 'Asia/Shanghai' END,
               -- replies of the current session are spread over the last weeks, never in the future
               CASE WHEN a_status = 'replied' THEN
                   (LEAST(replied_on, %(today)s::date - 1 - (id %% 30)::int) + time '15:30') AT TIME ZONE 'Asia/Shanghai'
               END,
               due, '交办之日起3个月', false, due, (assigned_on + interval '6 months')::date, '',
               CASE WHEN role = 'cohandling' THEN (assigned_on + interval '1 month')::date END, '',
               assigned_on + 7, '', assigned_on + 21, '', false, '', ''
        FROM (
            SELECT s.*,
                   CASE
                       WHEN role = 'cohandling' AND roll < 2 THEN 'returned'
                       WHEN status IN ('replied', 'closed') AND role = 'cohandling' THEN 'opinion_sent'
                       WHEN status IN ('replied', 'closed') THEN 'replied'
                       WHEN role = 'cohandling' THEN CASE WHEN roll < 50 THEN 'opinion_sent' ELSE 'handling' END
                       WHEN role = 'separate' AND roll >= 70 AND replied_on < %(today)s THEN 'replied'
                       WHEN roll < 12 THEN 'pending'
                       WHEN roll < 14 THEN 'return_requested'
                       ELSE 'handling' END AS a_status
            FROM shaped s
        ) final
        """,
        {"year": today.year, "today": today, "units": UNITS, "committee": committee},
    )


def replies(c) -> None:
    """A sent reply for each replied lead or separate assignment (A/B/C/D), and some drafts."""
    c.execute(
        """
        INSERT INTO responses_reply (
            assignment_id, round, is_followup, status, category_id, letter_number, body, contact_person,
            contact_phone, commitment_date, drafted_by_id, signer_id, signed_at, sent_at, sendback_comment,
            returned_by_committee, version, created_at, updated_at)
        SELECT a.id, 1, false, 'sent',
               CASE WHEN x < 42 THEN 1 WHEN x < 78 THEN 2 WHEN x < 92 THEN 3 ELSE 4 END,
               '福' || u.short_name || '函〔' || extract(year FROM a.replied_at)::int || '〕' || a.id || '号',
               '关于您提出的建议，我单位高度重视，经认真研究，现答复如下：一、加强统筹协调；二、完善政策措施；三、推动落实见效。特此回复。',
               '王科长', '0755-82918' || lpad((a.unit_id * 7 %% 1000)::text, 3, '0'),
               CASE WHEN x >= 42 AND x < 78 THEN (a.replied_at + interval '6 months')::date END,
               h.id, l.id, a.replied_at - interval '1 day', a.replied_at, '', false, 3,
               a.replied_at - interval '5 days', a.replied_at
        FROM (SELECT *, (id * 37) %% 100 AS x FROM responses_assignment
              WHERE status = 'replied' AND role IN ('lead', 'separate')) a
        JOIN accounts_unit u ON u.id = a.unit_id
        JOIN accounts_user h ON h.username = 'handler' || a.unit_id
        JOIN accounts_user l ON l.username = 'unitlead' || a.unit_id
        """,
        [],
    )
    c.execute(
        """
        INSERT INTO responses_reply (
            assignment_id, round, is_followup, status, category_id, letter_number, body, contact_person,
            contact_phone, drafted_by_id, sendback_comment, returned_by_committee, version, created_at, updated_at)
        SELECT a.id, 1, false, 'draft', NULL, '', '（答复函草稿）', '', '', h.id, '', false, 1, now(), now()
        FROM responses_assignment a JOIN accounts_user h ON h.username = 'handler' || a.unit_id
        WHERE a.status = 'handling' AND a.role IN ('lead', 'separate') AND a.id %% 4 = 0
        """,
        [],
    )


def feedback(c) -> None:
    """The lead proposer rates most sent replies: mostly 满意, a few 不满意 (with a comment)."""
    c.execute(
        """
        INSERT INTO responses_feedback (
            reply_id, user_id, attitude, result, comment, created_at, paper_form, paper_form_name, paper_form_type)
        SELECT r.id, p.created_by_id,
               CASE WHEN x < 86 THEN 'satisfied' WHEN x < 97 THEN 'basically' ELSE 'dissatisfied' END,
               CASE WHEN x < 74 THEN 'satisfied' WHEN x < 94 THEN 'basically' ELSE 'dissatisfied' END,
               CASE WHEN x >= 94 THEN '答复内容与实际情况不符，希望进一步落实。' ELSE '' END,
               r.sent_at + interval '5 days', '', '', ''
        FROM (SELECT r.*, (r.id * 53) %% 100 AS x FROM responses_reply r WHERE r.status = 'sent') r
        JOIN responses_assignment a ON a.id = r.assignment_id
        JOIN proposals_proposal p ON p.id = a.proposal_id
        WHERE p.status = 'closed' OR (p.status = 'replied' AND r.id %% 2 = 0)
        """,
        [],
    )


BIG_TABLES = [
    "proposals_proposal",
    "proposals_proposer",
    "responses_assignment",
    "responses_reply",
    "responses_feedback",
    "dashboard_proposalfacts",
]


def drop_indexes(c) -> None:
    """Drop the plain indexes of the big tables (kept in bench_index_defs): building them once after
    the load is several times faster than keeping them up to date row by row."""
    c.execute("CREATE TABLE IF NOT EXISTS bench_index_defs (name text PRIMARY KEY, definition text)")
    c.execute(
        "INSERT INTO bench_index_defs SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint) ON CONFLICT DO NOTHING",
        [BIG_TABLES],
    )
    c.execute("SELECT name FROM bench_index_defs")
    for (name,) in c.fetchall():
        c.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore_indexes(c) -> None:
    """Build the dropped indexes again (also after an interrupted run, from bench_index_defs)."""
    c.execute("SELECT to_regclass('bench_index_defs')")
    if c.fetchone()[0] is None:
        return
    c.execute("SELECT name, definition FROM bench_index_defs")
    for _name, definition in c.fetchall():
        c.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
    c.execute("DROP TABLE bench_index_defs")


# The list columns the services keep on each proposal (proposals.list_columns, responses.list_columns),
# for every row at once: while the indexes are dropped, as one pass over each table.
LEAD_DISPLAY = """
UPDATE proposals_proposal p SET lead_display = l.name FROM (
  SELECT DISTINCT ON (pr.proposal_id) pr.proposal_id,
    COALESCE(NULLIF(u.full_name, ''), NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''), u.username) AS name
  FROM proposals_proposer pr JOIN accounts_user u ON u.id = pr.user_id
  WHERE pr.role = 'lead' ORDER BY pr.proposal_id, pr.id) l
WHERE l.proposal_id = p.id
"""
FIRST_UNIT_AND_COUNT = """
UPDATE proposals_proposal p SET first_unit_id = u.unit_id, unit_count = u.n FROM (
  SELECT a.proposal_id,
    (array_agg(a.unit_id ORDER BY CASE a.role WHEN 'lead' THEN 0 WHEN 'separate' THEN 1 ELSE 2 END, a.id))[1] AS unit_id,
    COUNT(*) AS n
  FROM responses_assignment a JOIN proposals_proposal pp ON pp.id = a.proposal_id AND a.round = pp.handling_round
  WHERE a.status <> 'returned' GROUP BY a.proposal_id) u
WHERE u.proposal_id = p.id
"""


def list_columns(c) -> None:
    c.execute(LEAD_DISPLAY)
    c.execute(FIRST_UNIT_AND_COUNT)


def generate(size: int) -> float:
    """Replace the data with a set of ``size`` proposals; returns the seconds it took."""
    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    today = timezone.localdate()
    connection.ensure_connection()
    raw = connection.connection
    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS bench_meta")
        c.execute(
            "TRUNCATE accounts_unit, accounts_user, proposals_session, proposals_category, responses_replycategory "
            "RESTART IDENTITY CASCADE"
        )
        restore_indexes(c)  # left over from an interrupted run (on empty tables now: instant)
        # The data is generated consistent; checking every foreign key row by row would only slow the load.
        c.execute("SET session_replication_role = replica")
        c.execute("SET maintenance_work_mem = '1GB'")
        c.execute("SET synchronous_commit = off")
        drop_indexes(c)
        reference_data(c, today)
        c.execute("ANALYZE")
    with connection.cursor() as c:
        proposals(c, raw, size, today)
        # Fresh statistics after each load, or the planner takes the new tables for empty ones
        # and joins them row by row.
        c.execute("ANALYZE proposals_proposal")
        _say("assignments …")
        assignments(c, today)
        c.execute("ANALYZE responses_assignment")
        _say("replies …")
        replies(c)
        c.execute("ANALYZE responses_reply")
        _say("feedback …")
        feedback(c)
        _say("list columns …")
        list_columns(c)
        _say("indexes …")
        restore_indexes(c)
        c.execute("SET session_replication_role = DEFAULT")
        c.execute("ANALYZE")
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE proposals_proposal")  # the UPDATEs left a dead copy of every row
        c.execute("CREATE TABLE bench_meta (size integer, complete boolean, built_at timestamptz)")
        c.execute("INSERT INTO bench_meta VALUES (%s, true, now())", [size])
        c.execute("ANALYZE")
    return time.perf_counter() - started


def counts() -> dict[str, int]:
    from django.db import connection

    tables = {
        "proposals": "proposals_proposal",
        "assignments": "responses_assignment",
        "replies": "responses_reply",
        "feedback": "responses_feedback",
    }
    found = {}
    with connection.cursor() as c:
        for name, table in tables.items():
            c.execute(f"SELECT count(*) FROM {table}")
            found[name] = c.fetchone()[0]
    return found


def ensure(url: str, size: int, *, force: bool = False) -> float | None:
    """Make sure ``url`` holds the data set of ``size``; returns the seconds spent generating, or None."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if present(size) and not force:
        return None
    return generate(size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument(
        "--database", default=os.environ.get("BENCH_DATABASE_URL", ""), help="default: see database_for"
    )
    parser.add_argument("--force", action="store_true", help="generate again even when present")
    args = parser.parse_args()
    args.database = args.database or database_for(args.size)
    ensure_database(args.database)
    setup_django(args.database)
    seconds = ensure(args.database, args.size, force=args.force)
    sys.stdout.write(f"data generated in {seconds:.0f} s\n" if seconds is not None else "data already present\n")
    sys.stdout.write("  ".join(f"{name}={n:,}" for name, n in counts().items()) + "\n")


if __name__ == "__main__":
    main()
