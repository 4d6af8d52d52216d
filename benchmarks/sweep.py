"""The reminder sweep at region scale: generate participants and activities, time one sweep
(each rule, then the whole sweep with queueing), print the query plan and peak memory.

    .venv/bin/python benchmarks/sweep.py [--participants 100000] [--activities 1000000]

Deadlines spread over a year around today; past activities are 95 % confirmed (5 % overdue).
"""

from __future__ import annotations

import argparse
import asyncio
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


from bot.i18n import create_i18n
from models.database import create_engine, create_session_pool, upgrade_database
from scheduler import rules
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
    rows = []
    for number in range(activities):
        deadline = start + timedelta(days=rng.randrange(365))
        done = deadline < today and rng.random() < 0.95
        rows.append(
            (
                1 + number % pairs,
                f"Мероприятие {number}",
                deadline.isoformat(),
                "confirmed" if done else "planned",
                now if done else None,
                now if done else None,
            )
        )
    db.executemany(
        "INSERT INTO activities (programme_id, title, deadline, responsible, status,"
        " reported_at, confirmed_at) VALUES (?, ?, ?, 'mentee', ?, ?, ?)",
        rows,
    )
    db.commit()
    print("query plan of the deadline rule:")
    for row in db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM activities JOIN programmes ON programmes.id ="
        " activities.programme_id JOIN pairs ON pairs.id = programmes.pair_id WHERE"
        " programmes.status = 'approved' AND activities.status IN ('planned', 'returned')"
        " AND activities.deadline >= ? AND activities.deadline <= ?",
        (today.isoformat(), (today + timedelta(days=7)).isoformat()),
    ):
        print("  ", row[-1])
    db.close()


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
        generate(path, participants, activities, today)
        print(
            f"generated {participants:,} participants, {activities:,} activities"
            f" in {time.perf_counter() - started:.1f} s"
        )
        engine = create_engine(url)
        pool = create_session_pool(engine)
        settings = make_settings(url)
        now = datetime.now(UTC)
        timings = {}
        async with pool() as session:
            for name, call in (
                (
                    "deadline reminders",
                    rules.deadline_reminders(session, today, settings.reminder_days),
                ),
                (
                    "overdue + escalations",
                    rules.overdue(session, today, settings.escalate_after_days),
                ),
                (
                    "programme end",
                    rules.programme_ending(session, today, settings.programme_end_days),
                ),
                ("inactivity", rules.inactivity(session, now, 30, 3)),
            ):
                started = time.perf_counter()
                found = await call
                timings[name] = (time.perf_counter() - started, len(found))
                session.expunge_all()
        for name, (seconds, count) in timings.items():
            print(f"rule {name:24} {seconds:7.2f} s, {count:,} due")
        started = time.perf_counter()
        queued = await sweep(pool, settings, create_i18n("ru"), SystemClock())
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = await sweep(pool, settings, create_i18n("ru"), SystemClock())
        second = time.perf_counter() - started
        print(f"first sweep (queues everything due): {first:.2f} s, {queued:,} messages queued")
        print(f"next sweep (nothing new):            {second:.2f} s, {again:,} queued")
        await engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process: {peak:,.0f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=1_000_000)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.participants, arguments.activities))
