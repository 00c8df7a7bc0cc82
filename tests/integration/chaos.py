"""kill -9 of reminder workers while they deliver, and what reached the mail server: the core of
bench/reminder_chaos.py and of its short CI version (tests/integration/test_reminder_chaos.py).

Each worker slot talks to an SMTP port of its own (one aiosmtpd server per slot, one shared record),
so the run knows when *that* worker is delivering: a kill counts only when the worker it lands on
has connected since it started and the server heard from it in the second before the kill. Kills
that land before a worker has connected, or while it is idle, are made all the same but not counted.
Every message is identified by its Message-ID (one per reminder, responses.reminder_delivery).
"""

from __future__ import annotations

import multiprocessing
import random
import re
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from email import message_from_bytes
from pathlib import Path

from aiosmtpd.controller import Controller

from tests.integration.harness import Stack, _free_port

MESSAGE_ID = re.compile(r"<reminder-(\d+)\.")
# Settings of the processes under test: scans every 2 s; a killed delivery's lease runs out after
# 10 s and a lost batch is queued again after 20 s (production: 60 s and 300 s).
CHAOS_ENV = {
    "REMINDER_SCAN_INTERVAL": "2",
    "REMINDER_REQUEUE_SECONDS": "20",
    "REMINDER_LEASE_SECONDS": "10",
    "EMAIL_TIMEOUT": "5",
}


class _Port:
    """aiosmtpd handler of one worker slot's port: reports connections (EHLO) and accepted messages."""

    def __init__(self, events, slot: int) -> None:
        self.events, self.slot = events, slot

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 - aiosmtpd hook
        session.host_name = hostname
        self.events.put(("heard", self.slot, time.monotonic(), None, 0))
        return responses

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        message = message_from_bytes(envelope.content)
        match = MESSAGE_ID.search(message.get("Message-ID", ""))
        reminder_id = int(match.group(1)) if match else None
        self.events.put(("accepted", self.slot, time.monotonic(), reminder_id, len(envelope.rcpt_tos)))
        return "250 OK"


def _serve(ports: list[int], events, stop) -> None:
    """The SMTP servers' own process: the run's killing thread never holds them up (one GIL each)."""
    controllers = [Controller(_Port(events, slot), hostname="127.0.0.1", port=port) for slot, port in enumerate(ports)]
    for controller in controllers:
        controller.start()
    events.put(("ready", -1, time.monotonic(), None, 0))
    stop.wait()
    for controller in controllers:
        controller.stop()


class Record:
    """What the mail servers of all slots received, with the time each slot was last heard from."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[tuple[int | None, int, int, float]] = []  # (reminder id, recipients, slot, time)
        self.last_heard: dict[int, float] = {}

    def add(self, kind: str, slot: int, moment: float, reminder_id: int | None, recipients: int) -> None:
        with self.lock:
            self.last_heard[slot] = max(moment, self.last_heard.get(slot, moment))
            if kind == "accepted":
                self.messages.append((reminder_id, recipients, slot, moment))

    def snapshot(self) -> list[tuple[int | None, int, int, float]]:
        with self.lock:
            return list(self.messages)

    def heard_since(self, slot: int, moment: float) -> float | None:
        with self.lock:
            heard = self.last_heard.get(slot)
        return heard if heard is not None and heard >= moment else None


class MailServers:
    """One loopback SMTP server per worker slot, in a process of their own, reporting into one ``Record``.

    Time stamps are CLOCK_MONOTONIC, which every process on the machine shares.
    """

    def __init__(self, slots: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.record = Record()
        self.ports = [_free_port() for _ in range(slots)]
        self.events = context.Queue()
        self.stop_event = context.Event()
        self.process = context.Process(target=_serve, args=(self.ports, self.events, self.stop_event), daemon=True)
        self.process.start()
        kind = self.events.get(timeout=60)[0]
        assert kind == "ready", kind
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            event = self.events.get()
            if event is None:
                return
            self.record.add(*event)

    def drain(self) -> None:
        """Wait until every event the servers reported so far is in the record."""
        marker = ("heard", -2, 0.0, None, 0)
        self.events.put(marker)
        while self.record.heard_since(-2, 0.0) is None:
            time.sleep(0.05)
        with self.record.lock:
            del self.record.last_heard[-2]

    def port(self, slot: int) -> int:
        return self.ports[slot]

    def stop(self) -> None:
        self.stop_event.set()
        self.process.join(timeout=30)
        self.events.put(None)


@dataclass
class Figures:
    database: str
    broker: str
    workers: int
    expected: int
    delivered: int = 0
    messages: int = 0
    duplicates: int = 0
    lost: int = 0
    kills_counted: int = 0
    kills_uncounted: int = 0
    seconds_to_deliver_all: float | None = None
    db_sent: int = 0
    db_agrees: bool = False
    in_app_once: bool = False
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Slot:
    index: int
    process: subprocess.Popen
    started: float


def run(
    tmp: Path,
    *,
    reminders: int,
    workers: int = 1,
    kills: int = 100,
    postgres: bool | None = None,
    redis_url: str | None = None,
    embedded: bool = False,
    units: int = 3,
    handlers: int = 1,
    seed: int = 20231600,
    max_seconds: float = 3600,
    production_timing: bool = False,
    log=lambda line: None,
) -> Figures:
    """Seed ``reminders`` due reminders, run beat and ``workers`` workers, kill workers ``kills`` times
    while they deliver, wait until the database says every reminder is sent, and compare.

    ``production_timing`` keeps the shipped defaults (a scan at the start of every minute, 60 s
    leases, 300 s re-queue) instead of the short ones of ``CHAOS_ENV``.
    """
    servers = MailServers(workers)
    timing = {"REMINDER_SCAN_INTERVAL": "0", "REMINDER_REQUEUE_SECONDS": "300"} if production_timing else CHAOS_ENV
    stack = Stack(tmp, servers.port(0), redis_url=redis_url, postgres=postgres, extra_env=timing)
    rng = random.Random(seed)
    figures = Figures(
        database="postgresql" if stack.db_name else "sqlite",
        broker="redis" if "REDIS_URL" in stack.env else "filesystem",
        workers=workers,
        expected=reminders,
    )
    try:
        stack.seed(reminders, units=units, handlers=handlers)
        log(f"seeded {reminders} due reminders ({units} units x {handlers} handlers)")

        def start(index: int) -> Slot:
            env = {"EMAIL_PORT": str(servers.port(index))}
            name = f"worker{index}"
            if embedded:
                # make run's worker: beat inside, so a kill takes the beat with it until the restart.
                process = stack.start_embedded_worker(name, env=env)
            else:
                process = stack.start_worker(name, env=env)
            return Slot(index, process, time.monotonic())

        begun = time.monotonic()
        if not embedded:
            stack.start_beat()
        slots = [start(i) for i in range(workers)]

        def sent() -> int:
            return stack.sql("SELECT count(*) FROM responses_reminder WHERE sent_at IS NOT NULL")[0][0]

        def all_sent() -> bool:
            return sent() >= reminders

        while figures.kills_counted < kills and time.monotonic() - begun < max_seconds:
            slot = slots[rng.randrange(workers)]
            # Wait until this worker is delivering: it connected to its SMTP port since it started.
            connected = None
            waited = time.monotonic()
            while connected is None and time.monotonic() - waited < 60:
                connected = servers.record.heard_since(slot.index, slot.started)
                if connected is None:
                    time.sleep(0.02)
            if connected is None:
                if all_sent():
                    figures.notes.append("every reminder was delivered before all the kills were made")
                    break
                continue
            time.sleep(rng.uniform(0.0, 0.4))
            busy = servers.record.heard_since(slot.index, time.monotonic() - 1.0) is not None
            Stack.kill(slot.process)
            if busy:
                figures.kills_counted += 1
            else:
                figures.kills_uncounted += 1
            if figures.kills_counted % 10 == 0 and busy:
                log(f"kills: {figures.kills_counted} counted, {len(servers.record.snapshot())} messages so far")
            slots[slot.index] = start(slot.index)

        stack.wait_until(all_sent, timeout=max(60.0, max_seconds - (time.monotonic() - begun)), interval=1)
        if all_sent():
            figures.seconds_to_deliver_all = round(time.monotonic() - begun, 1)
        # A few more scans and sweeps: a late second copy would show up now.
        time.sleep(6)
        for slot in slots:
            Stack.kill(slot.process)

        servers.drain()
        messages = servers.record.snapshot()
        received: dict[int, int] = {}
        copies: dict[int, list[tuple[int, float]]] = {}
        for reminder_id, _recipients, slot, moment in messages:
            if reminder_id is not None:
                received[reminder_id] = received.get(reminder_id, 0) + 1
                copies.setdefault(reminder_id, []).append((slot, moment))
        for reminder_id, seen in sorted(copies.items()):
            if len(seen) > 1:
                # Which workers sent the copies and how far apart: a kill's resend comes after a lease.
                gaps = ", ".join(f"worker{slot} +{moment - seen[0][1]:.2f}s" for slot, moment in seen)
                figures.notes.append(f"reminder {reminder_id} received {len(seen)} times: {gaps}")
        db_sent = {row[0] for row in stack.sql("SELECT id FROM responses_reminder WHERE sent_at IS NOT NULL")}
        all_ids = {row[0] for row in stack.sql("SELECT id FROM responses_reminder")}
        figures.messages = len(messages)
        figures.delivered = len(received)
        figures.duplicates = sum(count - 1 for count in received.values())
        figures.lost = reminders - len(set(received) & all_ids)
        figures.db_sent = len(db_sent)
        # The database agrees when it marks sent exactly the reminders the mail server received.
        figures.db_agrees = db_sent == set(received) and len(all_ids) == reminders
        recipients = stack.sql(
            "SELECT count(*) FROM proposals_notification n JOIN responses_reminder r ON n.proposal_id = r.proposal_id"
        )[0][0]
        events = stack.sql("SELECT count(*) FROM proposals_event WHERE verb = 'reminder_sent'")[0][0]
        figures.in_app_once = recipients == reminders * handlers and events == reminders
        if not figures.in_app_once:
            figures.notes.append(f"in-app: {recipients} notifications, {events} events")
        return figures
    except BaseException:
        log(stack.logs())
        raise
    finally:
        stack.close()
        servers.stop()
