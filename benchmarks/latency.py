"""End-to-end latency over HTTP: N simulated users talk to a bot process that polls the fake
Bot API server; the time from a user's update to the bot's reply, p50/p95/max.

    .venv/bin/python benchmarks/latency.py [--users 50] [--rounds 3] [--database-url URL]
        [--warm-up 100] [--peer] [--cold]

Two bots, each in its own process, measured in the same run against the same server:
- a bare aiogram echo bot (the baseline: HTTP, polling and aiogram, nothing else);
- Наставник itself (`python -m bot`, an SQLite file or --database-url), each user going
  through consent and the registration form, then /help and /profile, all users at once.
Prints both distributions and the ratio of their medians and 95th percentiles.

Each bot is measured in its steady state: after its start, `--warm-up` /help messages (past
the first updates' tracking, bot.factory WATCH_FIRST), which are the echo bot's one step; for
Наставник, ten other people also go through its ten steps once, so a measured step is not the
first of its kind in the process (SQLAlchemy compiles each statement once per process, the
first edit builds its answer type…). `--cold` leaves that out: each round then measures the
first registrations after a start.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.emulator import BOT_TOKEN, BotMessage, FakeTelegram, FakeUser
from bot.factory import WATCH_FIRST

REPO = Path(__file__).resolve().parents[1]

ECHO_BOT = """
import asyncio, os
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message, CallbackQuery

dispatcher = Dispatcher()

@dispatcher.message()
async def echo(message: Message) -> None:
    await message.answer(message.text or "…")

@dispatcher.callback_query()
async def pressed(query: CallbackQuery) -> None:
    await query.answer()
    await query.message.answer(query.data or "…")

async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"]))
    bot = Bot(os.environ["BOT_TOKEN"], session=session)
    await dispatcher.start_polling(bot, polling_timeout=2, handle_signals=True)

asyncio.run(main())
"""


PEER_BOT = """
import asyncio, os, sys
sys.path.insert(0, os.environ["BENCHMARKS"])
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from throughput import peer_dispatcher  # the very peer throughput.py measures

async def main() -> None:
    folder = os.path.dirname(os.environ["DATABASE_URL"].split(":///", 1)[1])
    dispatcher, _engine = await peer_dispatcher(folder)
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"]))
    bot = Bot(os.environ["BOT_TOKEN"], session=session)
    await dispatcher.start_polling(bot, polling_timeout=2, handle_signals=True)

asyncio.run(main())
"""


STEPS: dict[str, list[float]] = {}  # Наставник's steps by kind, for the breakdown


class Timed:
    """A user who measures each of their steps: update pushed → the bot's next new message."""

    def __init__(
        self,
        server: FakeTelegram,
        user: FakeUser,
        samples: list[float],
        steps: dict[str, list[float]] | None = None,
    ) -> None:
        self.server, self.user, self.samples, self.steps = server, user, samples, steps
        self.known = 0

    def _count(self) -> int:
        return sum(1 for m in self.server.chat(self.user.user_id) if m.message_id > self.known)

    def _keyboard(self, label: str) -> BotMessage | None:
        """The latest message with a button labelled `label`."""
        for message in reversed(self.server.chat(self.user.user_id)):
            if any(label in button["text"] for button in message.buttons()):
                return message
        return None

    async def step(self, text: str | None = None, press: str | None = None) -> None:
        keyboard = None
        if press is not None:  # the keyboard may come a moment after the step's first reply
            try:
                keyboard = await self.server.wait_for(lambda: self._keyboard(press), timeout=60)
            except TimeoutError:
                texts = [m.text[:60] for m in self.server.chat(self.user.user_id)]
                raise SystemExit(f"user {self.user.user_id} never saw {press!r}: {texts}") from None
        messages = self.server.chat(self.user.user_id)
        self.known = max((m.message_id for m in messages), default=0)
        started = time.perf_counter()
        if keyboard is not None:
            await self.user.tap(keyboard, press)  # type: ignore[arg-type]
        else:
            await self.user.send(text or "")
        await self.server.wait_for(lambda: self._count() > 0, timeout=60)
        elapsed = time.perf_counter() - started
        self.samples.append(elapsed)
        if self.steps is not None:  # by kind of step, for the breakdown
            command = text.split()[0] if text and text.startswith("/") else None
            self.steps.setdefault(press or command or "form answer", []).append(elapsed)


async def echo_user(server: FakeTelegram, user: FakeUser, samples: list[float], n: int) -> None:
    timed = Timed(server, user, samples)
    for index in range(n):
        await timed.step(f"сообщение {index}")


async def nastavnik_user(
    server: FakeTelegram,
    user: FakeUser,
    samples: list[float],
    steps: dict[str, list[float]] | None = None,
) -> None:
    timed = Timed(server, user, samples, steps)
    await timed.step("/start")
    await timed.step(press="Согласен")
    for answer in (
        "Иванова Мария Петровна",
        "преподаватель",
        "ПЦК информационных технологий",
        "Информатика",
        "5",
    ):
        await timed.step(answer)
    await timed.step(press="Первая категория")
    await timed.step("/help")
    await timed.step("/profile")


async def warm_up(server: FakeTelegram, first_id: int, updates: int) -> None:
    """`updates` /help from ten other users before the measure: the bot counts the tries of the
    first updates after a start in its database (a commit before and after each, bot.factory
    WATCH_FIRST), which every measured update would otherwise be among."""

    async def one(user: FakeUser, count: int) -> None:
        for _ in range(count):
            before = len(server.chat(user.user_id))
            await user.send("/help")

            def answered(seen: int = before) -> bool:
                return len(server.chat(user.user_id)) > seen

            await server.wait_for(answered, timeout=60)

    users = [server.user(first_id + n) for n in range(10)]
    await asyncio.gather(*(one(user, -(-updates // len(users))) for user in users))


def cpu_seconds(process: asyncio.subprocess.Process) -> float:
    """The CPU time (user + system, every thread) the process has used so far (Linux)."""
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


CPU: dict[str, list[float]] = {
    "echo": [],
    "peer": [],
    "nastavnik": [],
}  # CPU seconds per measured update


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run_bot(command: list[str], env: dict[str, str], cwd: Path, server: FakeTelegram):  # type: ignore[no-untyped-def]
    server.polling.clear()
    with (cwd / "bot.log").open("ab") as log:  # kept for a look when a run goes wrong
        process = await asyncio.create_subprocess_exec(
            *command, cwd=cwd, env=env, stdout=log, stderr=log
        )
    async with asyncio.timeout(60):
        await server.polling.wait()
    await asyncio.sleep(3)  # past the catch-up sweep at start: measure the steady state
    return process


async def stop(process: asyncio.subprocess.Process) -> None:
    process.terminate()
    await process.wait()


@asynccontextmanager
async def bot_running(
    server: FakeTelegram,
    command: list[str],
    database: str,
    cwd: Path,
    *,
    warm: int,
    first_id: int = 7_000_000,
    extra_env: dict[str, str] | None = None,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`server` started, the bot process (`command`) polling it past its start and `warm`
    warm-up updates from ten users from `first_id` on; both stopped at the end."""
    await server.start()
    try:
        env = {**environment(server, database), **(extra_env or {})}
        process = await run_bot(command, env, cwd, server)
        try:
            await warm_up(server, first_id, warm)
            yield process
        finally:
            await stop(process)
    finally:
        await server.stop()


def environment(server: FakeTelegram, database: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_", "REDIS_"))}
    env.update(
        BOT_TOKEN=BOT_TOKEN,
        TELEGRAM_API_URL=server.url,
        DATABASE_URL=database,
        CURATOR_IDS="1000",
        POLLING_TIMEOUT="2",
        LOG_LEVEL=os.environ.get("LATENCY_LOG_LEVEL", "WARNING"),
        QUIET_HOURS="",
        PYTHONPATH=str(REPO),
        BENCHMARKS=str(REPO / "benchmarks"),
    )
    return env


def summary(name: str, samples: list[float]) -> tuple[float, float]:
    p50, p95 = percentile(samples, 0.50), percentile(samples, 0.95)
    print(
        f"{name}: {len(samples)} replies; p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
        f"max {max(samples) * 1000:.1f} ms, mean {statistics.mean(samples) * 1000:.1f} ms"
    )
    return p50, p95


async def measure_script(
    name: str,
    source: str,
    database_file: str,
    workdir: Path,
    users: int,
    warm: int,
    samples: list[float],
) -> None:
    """One round of a baseline bot (`source`, run as a script) against a fresh server: the
    warm-up, then `users` users sending ten messages each, their latencies into `samples`."""
    server = FakeTelegram()
    script = workdir / f"{name}_bot.py"
    script.write_text(source)
    command = [sys.executable, str(script)]
    database = f"sqlite+aiosqlite:///{database_file}"
    async with bot_running(server, command, database, workdir, warm=warm) as process:
        people = [server.user(8_000_000 + n) for n in range(users)]
        before = cpu_seconds(process)
        await asyncio.gather(*(echo_user(server, u, samples, 10) for u in people))
        CPU[name].append((cpu_seconds(process) - before) / (10 * users))


async def main(
    users: int, rounds: int, database: str | None, warm: int, peer: bool, cold: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(os.environ.get("LATENCY_WORKDIR") or folder)
        results: dict[str, list[float]] = {"echo": [], "peer": [], "nastavnik": []}
        for round_number in range(rounds):
            # The baseline: a bare aiogram echo bot, same server, same number of updates.
            await measure_script(
                "echo", ECHO_BOT, f"{workdir}/unused.db", workdir, users, warm, results["echo"]
            )
            # The minimal database-backed peer (as in throughput.py: one user row read, updated
            # and committed per update, stock SQLAlchemy + aiosqlite), same server and steps.
            if peer:
                peer_folder = workdir / f"peer_{round_number}"  # peer_dispatcher's peer.db
                peer_folder.mkdir()
                database_file = f"{peer_folder}/peer.db"
                await measure_script(
                    "peer", PEER_BOT, database_file, workdir, users, warm, results["peer"]
                )

            # Наставник: the real process (its database keeps the update ids it has processed).
            server = FakeTelegram(first_update_id=1 + 1_000_000 * round_number)
            async with bot_running(
                server,
                [sys.executable, "-m", "bot"],
                database or f"sqlite+aiosqlite:///{workdir}/latency.db",
                workdir,
                warm=warm,
                first_id=7_000_000 + 10_000 * round_number,
            ) as process:
                if not cold:  # its steps once each, as the echo's warm-up is its one step
                    rehearsal = 7_500_000 + 10_000 * round_number
                    await asyncio.gather(
                        *(nastavnik_user(server, server.user(rehearsal + n), []) for n in range(10))
                    )
                people = [server.user(8_000_000 + 10_000 * round_number + n) for n in range(users)]
                before = cpu_seconds(process)
                await asyncio.gather(
                    *(nastavnik_user(server, u, results["nastavnik"], STEPS) for u in people)
                )
                CPU["nastavnik"].append((cpu_seconds(process) - before) / (10 * users))
    print(
        f"users at once: {users}; rounds: {rounds}; 10 updates per user per round;"
        f" measured after {warm} warm-up updates per bot and round"
        + ("" if cold else ", and Наставник's ten steps by ten other people")
    )
    echo = summary("bare aiogram echo bot", results["echo"])
    if peer:
        peer_p50, peer_p95 = summary("minimal database-backed peer (SQLite)", results["peer"])
    kind = "PostgreSQL" if database and "postgres" in database else "SQLite"
    real = summary(f"Наставник ({kind})", results["nastavnik"])
    for label, samples in STEPS.items():
        print(
            f"  {label}: p50 {percentile(samples, 0.5) * 1000:.1f} ms, "
            f"p95 {percentile(samples, 0.95) * 1000:.1f} ms"
        )
    cpu_echo, cpu_real = (statistics.median(CPU[name]) * 1000 for name in ("echo", "nastavnik"))
    print(
        f"CPU of the bot process per measured update (median of rounds): echo {cpu_echo:.2f} ms,"
        f" Наставник {cpu_real:.2f} ms ({cpu_real / cpu_echo:.1f}×)"
    )
    if peer:
        cpu_peer = statistics.median(CPU["peer"]) * 1000
        print(
            f"the peer: CPU {cpu_peer:.2f} ms per update ({cpu_peer / cpu_echo:.1f}× the echo);"
            f" p50 {peer_p50 / echo[0]:.2f}× and p95 {peer_p95 / echo[1]:.2f}× the echo;"
            f" Наставник ÷ peer: p50 {real[0] / peer_p50:.2f}, p95 {real[1] / peer_p95:.2f}"
        )
    # Each user sends the next update as soon as the reply comes (no think time): a closed
    # loop, where the mean latency is the users divided by the throughput (Little's law). When
    # the bot's CPU is the bottleneck, that is users × its CPU per update: the ratio of the
    # means then follows the ratio of the CPU per update whatever the scheduling, and the
    # medians with them.
    print("closed loop (mean latency ≈ users × CPU per update when the bot's CPU is the limit):")
    names = [("echo", results["echo"]), *([("peer", results["peer"])] if peer else [])]
    for name, samples in [*names, ("nastavnik", results["nastavnik"])]:
        cpu = statistics.median(CPU[name]) * 1000
        print(
            f"  {name}: mean {statistics.mean(samples) * 1000:.1f} ms;"
            f" {users} × {cpu:.2f} ms = {users * cpu:.1f} ms"
        )
    print(f"ratio p50 (Наставник / echo): {real[0] / echo[0]:.2f}")
    print(f"ratio p95 (Наставник / echo): {real[1] / echo[1]:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--database-url", help="e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument(
        "--warm-up",
        type=int,
        default=WATCH_FIRST,
        help="updates sent before the measure (0: measure the first updates after a start)",
    )
    parser.add_argument(
        "--peer",
        action="store_true",
        help="also measure the minimal database-backed peer of throughput.py over HTTP",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="measure Наставник's steps as the first of their kind since its start (by default"
        " ten other people go through them first, as the echo bot's warm-up is its one step)",
    )
    arguments = parser.parse_args()
    asyncio.run(
        main(
            arguments.users,
            arguments.rounds,
            arguments.database_url,
            arguments.warm_up,
            arguments.peer,
            arguments.cold,
        )
    )
