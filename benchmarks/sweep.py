"""The reminder sweep at region scale: generate participants and activities, time the first
sweep (every row looked at once), sweeps with nothing new, a sweep after 1 % of the activities
changed, print the query plan and the peak memory of the process.

    .venv/bin/python benchmarks/sweep.py [--participants 100000] [--activities 1000000]

Deadlines spread over a year around today; past activities are 95 % confirmed (5 % overdue).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from bot.factory import settle_heap
from bot.i18n import create_i18n
from models.database import create_engine, create_session_pool, upgrade_database
from scheduler.clock import SystemClock
from scheduler.jobs import sweep
from tests.conftest import make_settings


def generate(path: Path, participants: int, activities: int, today: date) -> None:
    rng = random.Random(42)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    db = sqlite3.connect(path)
    mentors = participants // 5
    db.executemany(
        "INSERT INTO participants (id, telegram_id, status, full_name, position, department,"
        " subjects, experience_years, qualification, registered_at, created_at, updated_at)"
        " VALUES (?, ?, 'active', ?, 'преподаватель', ?, 'Информатика', 5, 'none', ?, ?, ?)",
        [
            (i, 10_000_000 + i, f"Участник {i}", f"ПЦК {i % 40}", now, now, now)
            for i in range(1, participants + 1)
        ],
    )
    db.executemany(
        "INSERT INTO mentor_profiles (participant_id, competences, mentor_subjects, mentor_forms,"
        " capacity, status, created_at, updated_at) VALUES (?, 'Методика', 'Информатика',"
        " '[\"traditional\"]', 10, 'accepted', ?, ?)",
        [(i, now, now) for i in range(1, mentors + 1)],
    )
    mentees = range(mentors + 1, participants + 1)
    db.executemany(
        "INSERT INTO mentee_profiles (participant_id, difficulties, learning_goals, mentee_forms,"
        " created_at, updated_at)"
        " VALUES (?, '[\"digital\"]', 'Научиться', '[\"traditional\"]', ?, ?)",
        [(i, now, now) for i in mentees],
    )
    pairs = len(mentees)
    db.executemany(
        "INSERT INTO pairs (id, mentor_id, forms, pair_type, status, proposed_by,"
        " mentor_accepted_at, approved_at, created_at, updated_at)"
        " VALUES (?, ?, '[\"traditional\"]', 'teacher_young', 'active', 1, ?, ?, ?, ?)",
        [(p, 1 + (p - 1) % mentors, now, now, now, now) for p in range(1, pairs + 1)],
    )
    db.executemany(
        "INSERT INTO pair_members (pair_id, mentee_id, accepted_at) VALUES (?, ?, ?)",
        [(p, mentors + p, now) for p in range(1, pairs + 1)],
    )
    start, end = today - timedelta(days=182), today + timedelta(days=182)
    db.executemany(
        "INSERT INTO programmes (id, pair_id, goal, difficulties, strengths, forms, start_date,"
        " end_date, status, agreed_by, completion_votes, approved_at, best_case, created_at,"
        " updated_at) VALUES (?, ?, 'Цель', 'Затруднения', 'Сильные стороны', '[\"traditional\"]',"
        " ?, ?, 'approved', '[]', '[]', ?, 0, ?, ?)",
        [(p, p, start.isoformat(), end.isoformat(), now, now, now) for p in range(1, pairs + 1)],
    )

    def activity_rows():  # streamed: a list of a million tuples would dominate peak memory
        for number in range(activities):
            deadline = start + timedelta(days=rng.randrange(365))
            done = deadline < today and rng.random() < 0.95
            yield (
                1 + number % pairs,
                f"Мероприятие {number}",
                deadline.isoformat(),
                "confirmed" if done else "planned",
                now if done else None,
                now if done else None,
            )

    db.executemany(
        "INSERT INTO activities (programme_id, title, deadline, responsible, status,"
        " reported_at, confirmed_at) VALUES (?, ?, ?, 'mentee', ?, ?, ?)",
        activity_rows(),
    )
    db.commit()
    print("query plan of the activities whose moment has come:")
    for row in db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM activities WHERE next_notice_on <= ? LIMIT 5000",
        (today.isoformat(),),
    ):
        print("  ", row[-1])
    db.close()


def one_percent_new(path: Path, activities: int, today: date) -> None:
    """1 % of the activities get a deadline a week from now, as if just planned or moved
    (the triggers clear their next look), and a new open activity each: 2 % of notices new."""
    db = sqlite3.connect(path)
    count = max(activities // 100, 1)
    soon = (today + timedelta(days=7)).isoformat()
    db.execute(
        "UPDATE activities SET deadline = ?, status = 'planned' WHERE id IN"
        " (SELECT id FROM activities ORDER BY random() LIMIT ?)",
        (soon, count),
    )
    db.commit()
    db.close()


async def timed_sweep(pool, settings, clock) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    started, cpu = time.perf_counter(), time.process_time()
    queued = await sweep(pool, settings, create_i18n("ru"), clock)
    elapsed = time.perf_counter() - started
    # On a shared machine the wall time depends on the others; the CPU time (every thread of
    # the process, SQLite's included) much less.
    print(f"  (CPU {time.process_time() - cpu:.2f} s; load average {os.getloadavg()[0]:.1f})")
    return elapsed, queued


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main(participants: int, activities: int) -> None:
    zone = ZoneInfo("Europe/Moscow")
    today = datetime.now(zone).date()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "region.db"
        url = f"sqlite+aiosqlite:///{path}"
        engine = create_engine(url)
        await upgrade_database(engine)
        await engine.dispose()
        started = time.perf_counter()
        # in a child process: the peak memory printed at the end is the sweeps' alone
        child = multiprocessing.Process(
            target=generate, args=(path, participants, activities, today)
        )
        child.start()
        child.join()
        print(
            f"generated {participants:,} participants, {activities:,} activities"
            f" in {time.perf_counter() - started:.1f} s"
        )
        engine = create_engine(url)
        pool = create_session_pool(engine)
        settings = make_settings(url)
        clock = SystemClock()
        settle_heap()  # as `python -m bot` does before its scheduler starts
        first, queued = await timed_sweep(pool, settings, clock)
        print(
            f"first sweep (everything due, every row looked at once): {first:.2f} s,"
            f" {queued:,} messages queued"
        )
        for attempt in range(3):
            again, more = await timed_sweep(pool, settings, clock)
            print(f"next sweep, nothing new (#{attempt + 1}):  {again:.3f} s, {more:,} queued")
        await engine.dispose()
        # in a child too: its ORDER BY random() sorts a million rows in the process running it
        child = multiprocessing.Process(target=one_percent_new, args=(path, activities, today))
        child.start()
        child.join()
        changed = max(activities // 100, 1)
        print(f"  (peak memory so far: {peak_mb():,.0f} MB)")
        engine = create_engine(url)
        pool = create_session_pool(engine)
        moved, queued = await timed_sweep(pool, settings, clock)
        print(
            f"sweep after 1 % of activities changed ({changed:,}): {moved:.2f} s,"
            f" {queued:,} messages queued"
        )
        again, more = await timed_sweep(pool, settings, clock)
        print(f"next sweep, nothing new:               {again:.3f} s, {more:,} queued")
        await engine.dispose()
    print(
        f"peak memory of the process (the sweeps; data generated in a child): {peak_mb():,.0f} MB"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.participants, arguments.activities))
