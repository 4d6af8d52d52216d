"""The year's roadmap (Appendix 1): the default plan, stage states, periods, the director's
approval, events with invitations queued exactly once, attendance, the day-before reminder."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import StaffRole
from models.errors import AccessDenied, AlreadyDecided, InvalidValue
from models.outbox import OutboxMessage
from models.roadmap import (
    APPENDIX_1,
    Audience,
    approve_roadmap,
    create_event,
    create_roadmap,
    guests_of,
    mark_attendance,
    parse_event,
    parse_period,
    queue_invitations,
    set_stage_done,
    stage_state,
    stages_of,
)
from scheduler.rules import event_reminders
from tests.factories import CURATOR, make_teacher

ZONE = ZoneInfo("Europe/Moscow")
TODAY = date(2026, 11, 25)


async def test_the_default_plan_follows_appendix_1(session: AsyncSession) -> None:
    roadmap = await create_roadmap(session, CURATOR, TODAY)
    assert roadmap.year == 2026
    assert (await create_roadmap(session, CURATOR, TODAY)).id == roadmap.id  # once a year
    stages = await stages_of(session, roadmap.id)
    assert [stage.number for stage in stages] == list(range(1, 8)) == [s.number for s in APPENDIX_1]
    first, _, _, fourth, fifth, *_ = stages
    assert (first.starts_on, first.ends_on) == (date(2026, 9, 1), date(2026, 10, 31))
    assert (fourth.starts_on, fourth.ends_on) == (date(2026, 10, 1), date(2026, 11, 30))
    assert "установочные сессии" in fourth.content
    assert fifth.ends_on is None
    assert [stage_state(stage, TODAY) for stage in stages] == [
        "overdue",
        "overdue",
        "overdue",
        "current",
        "ongoing",
        "ongoing",
        "ongoing",
    ]
    await set_stage_done(session, CURATOR, first.id, True)
    assert stage_state(first, TODAY) == "done"


def test_periods_are_read_within_the_academic_year() -> None:
    assert parse_period("10.2026-12.2026", 2026) == (date(2026, 10, 1), date(2026, 12, 31))
    assert parse_period("01.02.2027 – 28.02.2027", 2026) == (date(2027, 2, 1), date(2027, 2, 28))
    assert parse_period("-", 2026) == (None, None)
    for bad in ("осенью", "12.2026-10.2026", "09.2027-10.2027", "31.02.2027-01.03.2027"):
        with pytest.raises(InvalidValue):
            parse_period(bad, 2026)


def test_an_event_line_is_read_in_the_colleges_time() -> None:
    when, place, title = parse_event(
        "15.12.2026 14:00; https://meet.example/abc; Установочная сессия", TODAY, ZONE
    )
    assert when.astimezone(UTC) == datetime(2026, 12, 15, 11, 0, tzinfo=UTC)
    assert (place, title) == ("https://meet.example/abc", "Установочная сессия")
    for bad in ("15.12.2026 14:00; ауд. 2", "32.12.2026 14:00; a; b", "01.11.2026 10:00; a; b"):
        with pytest.raises(InvalidValue):
            parse_event(bad, TODAY, ZONE)


async def test_only_the_director_approves_and_only_once(session: AsyncSession) -> None:
    roadmap = await create_roadmap(session, CURATOR, TODAY)
    curator = await make_teacher(session, full_name="Андросова Лариса")
    curator.staff_role = StaffRole.CURATOR
    director = await make_teacher(session, full_name="Бондаренко Сергей")
    director.staff_role = StaffRole.DIRECTOR
    await session.commit()
    with pytest.raises(AccessDenied):
        await approve_roadmap(session, CURATOR, curator, roadmap.id)
    approved = await approve_roadmap(session, CURATOR, director, roadmap.id)
    assert approved.approved_at is not None
    with pytest.raises(AlreadyDecided):
        await approve_roadmap(session, CURATOR, director, roadmap.id)


async def test_invitations_are_queued_once_and_reminders_come_the_day_before(
    session: AsyncSession,
) -> None:
    roadmap = await create_roadmap(session, CURATOR, TODAY)
    mentors = [await make_teacher(session, mentee=False, mentor=True) for _ in range(2)]
    await make_teacher(session)  # a mentee: not invited to the mentors' session
    stage = (await stages_of(session, roadmap.id))[3]
    when = datetime(2026, 12, 15, 14, 0, tzinfo=ZONE)
    event, guests = await create_event(
        session,
        CURATOR,
        stage.id,
        starts_at=when,
        place="ауд. 214",
        title="Установочная сессия",
        audience=Audience.MENTORS,
        department=None,
    )
    assert {person.id for person in guests} == {mentor.id for mentor in mentors}
    texts = {person.id: "приглашение" for person in guests}
    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert await queue_invitations(session, event, texts, now) == 2
    assert await queue_invitations(session, event, texts, now) == 0  # exactly once
    assert (
        await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.kind == "event-invite")
        )
        == 2
    )

    assert await event_reminders(session, date(2026, 12, 13), ZONE) == []
    (due,) = await event_reminders(session, date(2026, 12, 14), ZONE)
    assert due.key == f"event-remind:{event.id}"
    assert set(due.participants) == {mentor.id for mentor in mentors}
    assert due.params["time"] == "14:00"
    assert await event_reminders(session, date(2026, 12, 15), ZONE) == []

    assert await mark_attendance(session, CURATOR, event.id, mentors[0].id) is True
    assert await mark_attendance(session, CURATOR, event.id, mentors[0].id) is False
    await mark_attendance(session, CURATOR, event.id, mentors[1].id)
    marks = {person.id: guest.attended for guest, person in await guests_of(session, event.id)}
    assert marks == {mentors[0].id: False, mentors[1].id: True}


async def test_an_event_for_a_department_invites_only_it(session: AsyncSession) -> None:
    roadmap = await create_roadmap(session, CURATOR, TODAY)
    economist = await make_teacher(session, department="Экономика")
    await make_teacher(session, department="Механика")
    stage = (await stages_of(session, roadmap.id))[5]
    _, guests = await create_event(
        session,
        CURATOR,
        stage.id,
        starts_at=datetime.now(UTC) + timedelta(days=3),
        place="актовый зал",
        title="Круглый стол",
        audience=Audience.DEPARTMENT,
        department="Экономика",
    )
    assert [person.id for person in guests] == [economist.id]
