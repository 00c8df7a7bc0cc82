"""Keeping the dashboard's counters (``Stat``) current.

How it works:

1. Every workflow service writes an ``Event`` after its change, in the same
   transaction. A ``post_save`` handler on ``Event`` (``dashboard.signals``)
   marks the proposal in ``PendingRefresh`` in that transaction and asks for a
   refresh right after the commit.
2. ``refresh(proposal_ids)`` locks each proposal's ``ProposalFacts`` row, reads
   the proposal's facts from the live tables, turns old and new facts into
   counter shares with ``contributions()``, adds the difference to ``Stat`` in
   one upsert (rows in sorted order, so two refreshes never wait on each other
   in a circle) and stores the new facts. It is idempotent: running it twice, or
   late, gives the same counters.
3. ``rebuild()`` computes everything again from the live tables (the bench data
   and ``manage.py refresh_dashboard --rebuild`` use it).

The same refresh keeps what the dashboard's lists show of a proposal besides its
own columns (``list_summaries``: the lead proposer's name, the first handling unit
and the number of units) on its ``ProposalFacts`` row, so a list page reads them in
one join instead of three subqueries per row.

The dashboard reads only ``Stat``: a few hundred rows, whatever the data size.

Metrics (``Stat.metric``), per session; unit 0 is the whole committee:

======  =========================================  =========================================
metric  key                                        counts
======  =========================================  =========================================
pc      "<category id or 0>:<proposal status>"     proposals, for unit 0 and for each unit
                                                   that has an assignment of it (what unit
                                                   staff see, as ``visible_to`` has it)
pk      proposal status                            key proposals, same scopes as pc
kp      proposal id, zero-padded to 12 digits      1 for each key proposal (the dashboard's list)
as      "<role>:<assignment status>"               assignments of the unit
od      reply due date (ISO)                       open lead/separate assignments by due date
                                                   (overdue now = keys before today)
wd      Monday of the reply due date's week        lead/separate assignments due that week
                                                   (not returned), for unit 0 and the unit
wr      Monday of the reply's week                 replies sent that week, unit 0 and unit
wo      Monday of the reply's week                 of which on time, unit 0 and unit
ot      ""                                         replies on time (by the reply due date)
rn, rd  ""                                         replies with dates, and their days summed
                                                   from assignment to reply (average = rd/rn)
rc      reply category id or 0                     sent replies (not follow-ups) by category
fa, fr  satisfaction level                         feedback ratings of attitude and result
======  =========================================  =========================================
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import partial

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import TruncDate

from accounts.models import User
from dashboard.models import PendingRefresh, ProposalFacts, Stat
from proposals.choices import ProposerRole
from proposals.models import Proposal, Proposer
from responses.choices import (
    OPEN_ASSIGNMENT_STATUSES,
    REPLYING_ROLES,
    AssignmentRole,
    AssignmentStatus,
    ReplyStatus,
    Satisfaction,
)
from responses.models import Assignment, Feedback, Reply

logger = logging.getLogger(__name__)

LEVELS = [Satisfaction.SATISFIED.value, Satisfaction.BASICALLY.value, Satisfaction.DISSATISFIED.value]
OPEN = {str(s) for s in OPEN_ASSIGNMENT_STATUSES}
REPLYING = {str(r) for r in REPLYING_ROLES}
RETURNED = AssignmentStatus.RETURNED.value
REPLIED = AssignmentStatus.REPLIED.value

StatKey = tuple[int, str, int, str]  # session, metric, unit, key
ListSummary = tuple[str, int | None, int]  # lead proposer's name, first unit id, number of units
NO_SUMMARY: ListSummary = ("", None, 0)
# Which unit a list names first: the lead unit, else a separate one, else a co-handling one.
UNIT_ORDER = {AssignmentRole.LEAD.value: 0, AssignmentRole.SEPARATE.value: 1}


def week_of(day: dt.date) -> str:
    """The Monday of ``day``'s week, as the key of the weekly metrics."""
    return (day - dt.timedelta(days=day.weekday())).isoformat()


# Facts and their share of the counters ---------------------------------------------------


def collect_facts(proposal_filter: dict) -> dict[int, dict]:
    """The facts of the proposals matching ``proposal_filter`` (lookups on Proposal), in four queries.

    Facts: ``i`` the proposal's id, ``s`` session, ``st`` status, ``c`` category id (0 for none), ``k`` key (0/1), and ``a``
    a list of assignments ``[unit, role, status, reply due, assigned on, replied on, [reply category
    ids], [attitude satisfied, basically, dissatisfied, result satisfied, basically, dissatisfied]]``
    with dates as ISO strings ("" for none).
    """
    facts: dict[int, dict] = {}
    for pk, session_id, status, category_id, is_key in (
        Proposal.objects.submitted()
        .filter(**proposal_filter)
        .order_by()
        .values_list("pk", "session_id", "status", "category_id", "is_key")
    ):
        facts[pk] = {"i": pk, "s": session_id, "st": status, "c": category_id or 0, "k": int(is_key), "a": []}
    if not facts:
        return facts
    prefixed = {f"proposal__{name}": value for name, value in proposal_filter.items()}
    rows: dict[int, list] = {}
    # Local dates (Asia/Shanghai) computed by the database: cheaper than converting in Python.
    for pk, proposal_id, unit_id, role, status, due, assigned_on, replied_on in (
        Assignment.objects.filter(**prefixed)
        .order_by("pk")
        .annotate(assigned_on=TruncDate("assigned_at"), replied_on=TruncDate("replied_at"))
        .values_list("pk", "proposal_id", "unit_id", "role", "status", "reply_due", "assigned_on", "replied_on")
    ):
        row = [
            unit_id,
            role,
            status,
            due.isoformat() if due else "",
            assigned_on.isoformat() if assigned_on else "",
            replied_on.isoformat() if replied_on else "",
            [],
            [0] * 6,
        ]
        rows[pk] = row
        if proposal_id in facts:
            facts[proposal_id]["a"].append(row)
    for assignment_id, category_id in (
        Reply.objects.filter(
            status=ReplyStatus.SENT, is_followup=False, **{f"assignment__{k}": v for k, v in prefixed.items()}
        )
        .order_by("pk")
        .values_list("assignment_id", "category_id")
    ):
        if assignment_id in rows:
            rows[assignment_id][6].append(category_id or 0)
    for assignment_id, attitude, result in (
        Feedback.objects.filter(**{f"reply__assignment__{k}": v for k, v in prefixed.items()})
        .order_by()
        .values_list("reply__assignment_id", "attitude", "result")
    ):
        if assignment_id in rows:
            counts = rows[assignment_id][7]
            if attitude in LEVELS:
                counts[LEVELS.index(attitude)] += 1
            if result in LEVELS:
                counts[3 + LEVELS.index(result)] += 1
    return facts


def list_summaries(proposal_filter: dict) -> dict[int, ListSummary]:
    """What the lists show of the proposals matching ``proposal_filter`` besides their own columns, in two queries.

    The lead proposer's name; the first unit of the current handling round (lead, then
    separate, then co-handling units, each in the order they were assigned; returned
    assignments left out) and how many units that round has. Proposals with neither are left out.
    """
    prefixed = {f"proposal__{name}": value for name, value in proposal_filter.items()}
    leads = (
        Proposer.objects.filter(role=ProposerRole.LEAD, **prefixed)
        .order_by("proposal_id", "pk")
        .values_list("proposal_id", "user__full_name", "user__first_name", "user__last_name", "user__username")
    )
    names: dict[int, str] = {}
    for proposal_id, *parts in leads:
        names.setdefault(proposal_id, User.name_from(*parts))
    first: dict[int, tuple[int, int]] = {}  # proposal: (place in UNIT_ORDER, unit)
    counts: Counter = Counter()
    for proposal_id, unit_id, role in (
        Assignment.objects.filter(round=F("proposal__handling_round"), **prefixed)
        .exclude(status=RETURNED)
        .order_by("proposal_id", "pk")
        .values_list("proposal_id", "unit_id", "role")
    ):
        counts[proposal_id] += 1
        place = UNIT_ORDER.get(role, 2)
        if proposal_id not in first or place < first[proposal_id][0]:  # rows come in assignment order
            first[proposal_id] = (place, unit_id)
    return {
        proposal_id: (
            names.get(proposal_id, ""),
            first[proposal_id][1] if proposal_id in first else None,
            counts[proposal_id],
        )
        for proposal_id in names.keys() | first.keys()
    }


def contributions(facts: dict | None) -> Counter:
    """One proposal's share of the counters, from its facts (see the table in the module docstring)."""
    share: Counter = Counter()
    if not facts:
        return share
    session = facts["s"]
    status = facts["st"]
    units = sorted({row[0] for row in facts["a"]})
    for scope in (0, *units):
        share[(session, "pc", scope, f"{facts['c']}:{status}")] += 1
        if facts["k"]:
            share[(session, "pk", scope, status)] += 1
            # The list of key proposals, newest first, read from the index without touching proposals.
            share[(session, "kp", scope, f"{facts['i']:012d}")] += 1
    for unit, role, a_status, due, assigned, replied, categories, ratings in facts["a"]:
        share[(session, "as", unit, f"{role}:{a_status}")] += 1
        if role not in REPLYING or a_status == RETURNED:
            continue
        if due:
            if a_status in OPEN:
                share[(session, "od", unit, due)] += 1
            week = week_of(dt.date.fromisoformat(due))
            share[(session, "wd", 0, week)] += 1
            share[(session, "wd", unit, week)] += 1
        if a_status == REPLIED and replied:
            replied_on = dt.date.fromisoformat(replied)
            week = week_of(replied_on)
            share[(session, "wr", 0, week)] += 1
            share[(session, "wr", unit, week)] += 1
            if assigned:
                share[(session, "rn", unit, "")] += 1
                share[(session, "rd", unit, "")] += (replied_on - dt.date.fromisoformat(assigned)).days
            if due and replied <= due:
                share[(session, "ot", unit, "")] += 1
                share[(session, "wo", 0, week)] += 1
                share[(session, "wo", unit, week)] += 1
        for category in categories:
            share[(session, "rc", unit, str(category))] += 1
        for i, level in enumerate(LEVELS):
            if ratings[i]:
                share[(session, "fa", unit, level)] += ratings[i]
            if ratings[3 + i]:
                share[(session, "fr", unit, level)] += ratings[3 + i]
    return share


# Writing the counters ----------------------------------------------------------------------


def add_to_stats(delta: dict[StatKey, int]) -> None:
    """Add ``delta`` to the counters in one upsert per thousand rows, in key order."""
    rows = sorted((key, value) for key, value in delta.items() if value)
    table = Stat._meta.db_table
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
        params: list = []
        for (session, metric, unit, key), value in chunk:
            params += [session, metric, unit, key, value]
        with connection.cursor() as cursor:
            # The table name is the model's own and the values are parameters.
            sql = (
                f'INSERT INTO {table} (session_id, metric, unit_key, "key", value) VALUES {placeholders} '  # nosec B608
                f'ON CONFLICT (session_id, metric, unit_key, "key") DO UPDATE SET value = {table}.value + excluded.value'
            )
            cursor.execute(sql, params)


def refresh(proposal_ids: Iterable[int]) -> None:
    """Bring the counters of these proposals up to date with the live tables (idempotent)."""
    for proposal_id in sorted(set(proposal_ids)):
        _refresh_one(proposal_id)


def _refresh_one(proposal_id: int) -> None:
    with transaction.atomic():
        changes = PendingRefresh.objects.filter(pk=proposal_id).values_list("changes", flat=True).first()
        # The facts row is the lock that serialises refreshes of one proposal; made first if missing.
        ProposalFacts.objects.bulk_create([ProposalFacts(proposal_id=proposal_id, facts={})], ignore_conflicts=True)
        stored = ProposalFacts.objects.select_for_update().filter(pk=proposal_id).first()
        if stored is None:  # the proposal is gone (the facts row went with it)
            PendingRefresh.objects.filter(pk=proposal_id).delete()
            return
        new = collect_facts({"pk": proposal_id}).get(proposal_id)
        delta = contributions(new)
        delta.subtract(contributions(stored.facts))
        add_to_stats(delta)
        stored.facts = new or {}
        stored.lead_name, stored.first_unit_id, stored.unit_count = list_summaries({"pk": proposal_id}).get(
            proposal_id, NO_SUMMARY
        )
        stored.save(update_fields=["facts", "lead_name", "first_unit_id", "unit_count"])
        if changes is not None:
            PendingRefresh.objects.filter(pk=proposal_id, changes=changes).delete()


def mark_changed(proposal_id: int) -> None:
    """Called in the transaction that changed the proposal: refresh its counters once it commits."""
    updated = PendingRefresh.objects.filter(pk=proposal_id).update(changes=F("changes") + 1)
    if not updated:
        PendingRefresh.objects.bulk_create([PendingRefresh(proposal_id=proposal_id)], ignore_conflicts=True)
    transaction.on_commit(partial(refresh_quietly, [proposal_id]))


def refresh_quietly(proposal_ids: Sequence[int]) -> None:
    """``refresh`` after a commit: a failure is logged and left in PendingRefresh for the next sweep,
    never turned into an error for the user whose change is already saved."""
    try:
        refresh(proposal_ids)
    except Exception:  # noqa: BLE001 - the change is committed; the sweep retries
        logger.exception("dashboard refresh failed for proposals %s; left for the sweep", list(proposal_ids))


def refresh_pending(limit: int = 10_000) -> int:
    """Refresh the proposals left in PendingRefresh (the sweep); returns how many were refreshed."""
    ids = list(PendingRefresh.objects.order_by("queued_at").values_list("proposal_id", flat=True)[:limit])
    refresh(ids)
    return len(ids)


def forget(proposal_id: int) -> None:
    """Take a proposal that is being deleted out of the counters (in the deleting transaction)."""
    stored = ProposalFacts.objects.select_for_update().filter(pk=proposal_id).first()
    if stored is not None:
        delta = Counter()
        delta.subtract(contributions(stored.facts))
        add_to_stats(delta)
        stored.delete()


# Rebuilding everything ---------------------------------------------------------------------


def rebuild(*, chunk: int = 5000, progress=None) -> int:
    """Compute every counter again from the live tables; returns the number of proposals.

    One transaction: the old counters and facts are dropped, the proposals are
    read in primary-key ranges (memory stays flat at any size), their facts are
    written as they come and the counters once at the end. Meant for quiet
    times (a deployment, the bench data): refreshes that arrive meanwhile wait.
    """
    totals: Counter = Counter()
    bounds = Proposal.objects.order_by().values_list("pk", flat=True)
    low, high = bounds.order_by("pk").first(), bounds.order_by("-pk").first()
    count = 0
    with transaction.atomic():
        PendingRefresh.objects.all().delete()
        Stat.objects.all().delete()
        ProposalFacts.objects.all().delete()
        if low is not None:
            for start in range(low, high + 1, chunk):
                bounds = {"pk__gte": start, "pk__lt": start + chunk}
                facts = collect_facts(bounds)
                for item in facts.values():
                    totals.update(contributions(item))
                _write_facts(facts, list_summaries(bounds))
                count += len(facts)
                if progress:
                    progress(count)
        add_to_stats(totals)
    return count


def _write_facts(facts: dict[int, dict], summaries: dict[int, ListSummary]) -> None:
    if connection.vendor == "postgresql":
        import io
        import json

        buffer = io.StringIO()
        for pk, item in facts.items():
            text = json.dumps(item, separators=(",", ":"), ensure_ascii=False)
            lead, unit, count = summaries.get(pk, NO_SUMMARY)
            unit_text = r"\N" if unit is None else str(unit)
            buffer.write(f"{pk}\t{_copy_escape(text)}\t{_copy_escape(lead)}\t{unit_text}\t{count}\n")
        buffer.seek(0)
        columns = "proposal_id, facts, lead_name, first_unit_id, unit_count"
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {ProposalFacts._meta.db_table} ({columns}) FROM STDIN", buffer)
        return
    rows = []
    for pk, item in facts.items():
        lead, unit, count = summaries.get(pk, NO_SUMMARY)
        rows.append(ProposalFacts(proposal_id=pk, facts=item, lead_name=lead, first_unit_id=unit, unit_count=count))
    ProposalFacts.objects.bulk_create(rows, batch_size=2000)


def _copy_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def stored_totals() -> dict[StatKey, int]:
    """Every non-zero counter, for tests and checks."""
    return {
        (session, metric, unit, key): value
        for session, metric, unit, key, value in Stat.objects.exclude(value=0).values_list(
            "session_id", "metric", "unit_key", "key", "value"
        )
    }


def live_totals() -> dict[StatKey, int]:
    """Every counter computed again from the live tables, without touching the stored ones."""
    totals: Counter = Counter()
    for item in collect_facts({}).values():
        totals.update(contributions(item))
    return {key: value for key, value in totals.items() if value}
