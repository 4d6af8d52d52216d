"""Dates of the scripted journeys, moved with the calendar.

The journeys were written on 25.11.2026 with dates around that day: a programme from
01.09.2026 to 31.12.2026, an order of 15.09.2026, deadlines in October. Rules are relative to
today (a programme may start at most three months back without a question, a deadline must lie
inside the programme), so a fixed date turns into a different story once the calendar moves on.
`on("01.09.2026")` gives the written date moved by as many days as have passed since
25.11.2026 in the college's time zone: every distance to today, and between the dates, stays as
written, whatever day the suite runs.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tests.factories import college_today

WRITTEN_ON = date(2026, 11, 25)


def _shift() -> timedelta:
    return college_today() - WRITTEN_ON


def day(written: str) -> date:
    """The date written as ДД.ММ.ГГГГ, moved to today's calendar."""
    return datetime.strptime(written, "%d.%m.%Y").date() + _shift()


def on(written: str) -> str:
    """The same, as the person types it (ДД.ММ.ГГГГ)."""
    return f"{day(written):%d.%m.%Y}"


def iso(written: str) -> str:
    """The same, as SQLite stores a date (ГГГГ-ММ-ДД)."""
    return day(written).isoformat()
