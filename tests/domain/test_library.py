"""The methodical library (§6.4.6): who adds, who sees what, search in any word form, events."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import create_i18n
from models.errors import AccessDenied, InvalidValue, NotFound
from models.library import (
    add_material,
    browse,
    delete_material,
    get_material,
    materials_of_events,
    parse_tags,
)
from models.roadmap import Audience, create_event, create_roadmap, stages_of
from scheduler.messages import RENDERERS
from scheduler.rules import DueKind, event_reminders
from tests.factories import CURATOR, actor, make_mentor, make_teacher

TODAY = date(2026, 11, 25)


async def test_the_curator_and_mentors_add_everyone_reads_by_audience(
    session: AsyncSession,
) -> None:
    mentee = await make_teacher(session)
    mentor = await make_mentor(session)
    candidate = await make_teacher(session, mentee=False, mentor=True)
    for someone in (actor(mentee), actor(candidate)):
        with pytest.raises(AccessDenied):
            await add_material(session, someone, title="Памятка", content="Текст")
    memo = await add_material(
        session,
        actor(mentor),
        title="Памятка наставнику",
        content="Как провести первую встречу",
        tags=parse_tags("первая встреча, Памятка"),
        audience="mentors",
    )
    link = await add_material(
        session, CURATOR, title="Проектная деятельность", content="https://example.org/p"
    )
    assert memo.tags == ["первая встреча", "памятка"]
    assert (memo.body, link.url) == ("Как провести первую встречу", "https://example.org/p")
    assert [m.id for m in await browse(session, actor(mentee))] == [link.id]
    assert {m.id for m in await browse(session, actor(mentor))} == {memo.id, link.id}
    with pytest.raises(NotFound):  # not for mentees, even by number
        await get_material(session, actor(mentee), memo.id)
    # Search in any word form: «проектной деятельности» finds «Проектная деятельность».
    assert [m.id for m in await browse(session, actor(mentee), "проектной деятельности")] == [
        link.id
    ]
    assert await browse(session, actor(mentor), "встречи") == [memo]
    with pytest.raises(AccessDenied):
        await delete_material(session, actor(mentor), link.id)
    await delete_material(session, actor(mentor), memo.id)  # the author may
    assert [m.id for m in await browse(session, CURATOR)] == [link.id]


async def test_bad_input_is_refused(session: AsyncSession) -> None:
    with pytest.raises(InvalidValue):
        await add_material(session, CURATOR, title="  ", content="x")
    with pytest.raises(InvalidValue):
        await add_material(session, CURATOR, title="x" * 201, content="x")
    with pytest.raises(InvalidValue):
        await add_material(session, CURATOR, title="Пусто", content="   ")
    with pytest.raises(InvalidValue):
        await add_material(session, CURATOR, title="Длинно", content="я" * 3501)
    with pytest.raises(InvalidValue):
        await add_material(session, CURATOR, title="Кто", content="x", audience="all")
    with pytest.raises(InvalidValue):
        parse_tags(", ".join(f"тег{n}" for n in range(11)))
    assert parse_tags("-") == []


async def test_an_event_carries_materials(session: AsyncSession) -> None:
    roadmap = await create_roadmap(session, CURATOR, TODAY)
    fourth = (await stages_of(session, roadmap.id))[3]
    event, _guests = await create_event(
        session,
        CURATOR,
        fourth.id,
        starts_at=datetime(2026, 12, 1, 12, tzinfo=UTC),
        place="ауд. 12",
        title="Установочная сессия",
        audience=Audience.MENTORS,
        department=None,
    )
    mentor = await make_mentor(session)
    with pytest.raises(AccessDenied):  # the roadmap is the curator's
        await add_material(session, actor(mentor), title="Х", content="y", event_id=event.id)
    with pytest.raises(NotFound):
        await add_material(session, CURATOR, title="Х", content="y", event_id=99999)
    material = await add_material(
        session, CURATOR, title="Слайды", file_id="BQACAgIAAx", event_id=event.id
    )
    assert (await materials_of_events(session, [event.id]))[event.id] == [material]


async def test_the_day_before_reminder_lists_the_events_materials(session: AsyncSession) -> None:
    roadmap = await create_roadmap(session, CURATOR, TODAY)
    fourth = (await stages_of(session, roadmap.id))[3]
    await make_mentor(session)
    event, guests = await create_event(
        session,
        CURATOR,
        fourth.id,
        starts_at=datetime(2026, 11, 26, 12, tzinfo=UTC),
        place="ауд. 12",
        title="Установочная сессия",
        audience=Audience.MENTORS,
        department=None,
    )
    await add_material(session, CURATOR, title="Памятка наставнику", content="x", event_id=event.id)
    (due,) = await event_reminders(session, TODAY, UTC)
    assert due.participants == tuple(g.id for g in guests)
    i18n = create_i18n("ru")
    with i18n.context(), i18n.use_locale("ru"):
        text, _markup = RENDERERS[DueKind.EVENT_REMIND](due.params, {}, False)
    assert "Материалы к нему в /library: Памятка наставнику" in text
