"""What each kind of update of latency.py's registration mix costs the bot, one update at a
time, over HTTP: the bot process's CPU (every thread, from /proc/<pid>/task/*/schedstat), the
Bot API calls it made besides getUpdates, and the SQL statements and COMMITs SQLite ran (its
trace callback, set on every connection the bot opens). The bare aiogram echo bot of
latency.py answers a text the same way, for the baseline.

    .venv/bin/python benchmarks/steps.py [--users 40] [--pin]

--pin runs the bot on the second core and this script (the fake Bot API server and its users)
on the first (Linux), which steadies the CPU figures; without it they move by ±30 % from run to
run on a busy 2-core machine. Under latency.py's load (everyone at once, no think time) a step
waits about `users × CPU per update` (latency.py prints that check): these per-step costs are
what sets the latency there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from latency import ECHO_BOT, Timed, bot_running

from bot.emulator import FakeTelegram
from bot.factory import WATCH_FIRST

# `python -m bot` with SQLite's trace callback on each connection; SIGUSR1 writes the counts
# since the last signal to COUNTS_FILE and starts again.
TRACED_BOT = """
import collections, json, os, runpy, signal, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine

counts = collections.Counter()

def count(statement):
    word = statement.lstrip()[:9].split(None, 1)[0].upper() if statement.strip() else ""
    counts[word] += 1

@event.listens_for(Engine, "connect")
def trace(dbapi_connection, _record):
    raw = getattr(getattr(dbapi_connection, "_connection", None), "_conn", None)
    if raw is not None:  # aiosqlite's sqlite3 connection
        raw.set_trace_callback(count)

def dump(*_):
    with open(os.environ["COUNTS_FILE"], "w") as out:
        json.dump(dict(counts), out)
    counts.clear()

signal.signal(signal.SIGUSR1, dump)
sys.argv = ["bot"]
runpy.run_module("bot", run_name="__main__", alter_sys=True)
"""

STEPS: list[tuple[str, str | None, str | None]] = [  # (label, text, button)
    ("/start", "/start", None),
    ("consent press", None, "Согласен"),
    ("form answer", "Иванова Мария Петровна", None),
    ("form answer", "преподаватель", None),
    ("form answer", "ПЦК информационных технологий", None),
    ("form answer", "Информатика", None),
    ("form answer", "5", None),
    ("category press", None, "Первая категория"),
    ("/help", "/help", None),
    ("/profile", "/profile", None),
]
NOT_STATEMENTS = {"PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


def cpu_ms(pid: int) -> float:
    """CPU time of every thread of the process so far, in ms (Linux schedstat: ns on CPU)."""
    total = 0
    for thread in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{thread}/schedstat") as stat:
            total += int(stat.read().split()[0])
    return total / 1e6


class CountingServer(FakeTelegram):
    """The fake Bot API server, counting the bot's calls by method."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.methods: Counter[str] = Counter()

    async def _dispatch(self, request: Any) -> Any:
        self.methods[request.match_info["method"].lower()] += 1
        return await super()._dispatch(request)

    def made(self) -> int:
        return sum(n for method, n in self.methods.items() if method != "getupdates")


def pinned(core: int | None) -> list[str]:
    return ["taskset", "-c", str(core)] if core is not None else []


async def measure_echo(workdir: Path, users: int, core: int | None) -> list[float]:
    server = CountingServer()
    script = workdir / "echo_bot.py"
    script.write_text(ECHO_BOT)
    command = [*pinned(core), sys.executable, str(script)]
    database = f"sqlite+aiosqlite:///{workdir}/unused.db"
    spent = []
    async with bot_running(server, command, database, workdir, warm=WATCH_FIRST) as process:
        for user in [Timed(server, server.user(8_000_000 + n), []) for n in range(users)]:
            before = cpu_ms(process.pid)
            await user.step("сообщение")
            await asyncio.sleep(0.01)  # the bot's last bookkeeping after its reply
            spent.append(cpu_ms(process.pid) - before)
    return spent


async def measure_bot(
    workdir: Path, users: int, core: int | None
) -> dict[str, dict[str, list[float]]]:
    server = CountingServer()
    script = workdir / "traced_bot.py"
    script.write_text(TRACED_BOT)
    counts_file = workdir / "counts.json"
    figures: dict[str, dict[str, list[float]]] = {}
    async with bot_running(
        server,
        [*pinned(core), sys.executable, str(script)],
        f"sqlite+aiosqlite:///{workdir}/steps.db",
        workdir,  # its log there too (PYTHONPATH finds the bot)
        warm=WATCH_FIRST,  # past the first updates after a start, whose tries are counted
        extra_env={"COUNTS_FILE": str(counts_file)},
    ) as process:

        async def counted() -> Counter[str]:
            counts_file.unlink(missing_ok=True)
            process.send_signal(signal.SIGUSR1)
            for _ in range(200):
                if counts_file.exists() and counts_file.stat().st_size:
                    return Counter(json.loads(counts_file.read_text()))
                await asyncio.sleep(0.01)
            raise SystemExit("the bot did not write its statement counts")

        people = [Timed(server, server.user(8_000_000 + n), []) for n in range(users)]
        for label, text, button in STEPS:
            for person in people:
                await counted()
                calls, before = server.made(), cpu_ms(process.pid)
                await person.step(text, button)
                await asyncio.sleep(0.01)  # the bot's last bookkeeping after its reply
                spent = cpu_ms(process.pid) - before
                statements = await counted()
                row = figures.setdefault(label, {"cpu": [], "calls": [], "sql": [], "commits": []})
                row["cpu"].append(spent)
                row["calls"].append(server.made() - calls)
                row["sql"].append(
                    sum(n for word, n in statements.items() if word not in NOT_STATEMENTS)
                )
                row["commits"].append(statements["COMMIT"])
    return figures


async def main(users: int, pin: bool) -> None:
    if pin:
        os.sched_setaffinity(0, {0})
    core = 1 if pin else None
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        echo = await measure_echo(workdir, users, core)
        figures = await measure_bot(workdir, users, core)
    echo_cpu = statistics.median(echo)
    print(
        f"{users} people, one update at a time{', the bot pinned to core 1' if pin else ''};"
        " medians per update (the scheduler's own work now and then shows in a mean)"
    )
    print(f"{'step':16} {'CPU ms':>7} {'÷ echo':>7} {'calls':>6} {'SQL':>5} {'COMMITs':>8}")
    print(f"{'echo (a text)':16} {echo_cpu:7.2f} {1:7.2f} {1:6.1f}")
    weighted = []
    for label, row in figures.items():
        median = statistics.median(row["cpu"])
        weighted += row["cpu"]
        print(
            f"{label:16} {median:7.2f} {median / echo_cpu:7.2f} "
            f"{statistics.median(row['calls']):6.1f} {statistics.median(row['sql']):5.1f} "
            f"{statistics.median(row['commits']):8.1f}"
        )
    mix = statistics.mean(weighted)
    print(f"{'the mix (mean)':16} {mix:7.2f} {mix / echo_cpu:7.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--pin", action="store_true", help="bot on core 1, this script on core 0")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.users, arguments.pin))
