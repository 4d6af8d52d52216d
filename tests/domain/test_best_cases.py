"""A best practice's description (§6.4.6): written by the programme's mentor or the curator,
approved by the curator; only an approved one makes a best case, for the site and the year's
report; the wish a mentee takes back (§4.2.5)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from documents.content import College
from documents.reports import Practice, year_report_docx
from models.best_cases import (
    CaseStatus,
    approve_description,
    best_practices,
    return_description,
    write_description,
)
from models.choice import ask_for_mentor, current_wishes, open_wishes, withdraw_wish
from models.enums import ProgrammeStatus
from models.errors import AccessDenied, AlreadyDecided, NotFound, WrongState
from models.outbox import OutboxMessage
from models.participant import Participant
from models.programmes import Programme
from models.site import toggle_best_case
from models.statistics import collect_statistics
from tests.factories import CURATOR, actor, make_mentor, make_running_programme, make_teacher

PARTS = {
    "goal": "Освоить проектное обучение",
    "done": "Три открытых урока, проект со студентами",
    "results": "Проект защищён на конференции",
    "lessons": "Начинать с малого проекта",
}
CURATORS = [1000, 1001]


async def completed(session: AsyncSession) -> tuple[Programme, Participant]:
    programme = await make_running_programme(session)
    programme.status = ProgrammeStatus.COMPLETED
    programme.ended_at = datetime(2026, 12, 20, tzinfo=UTC)
    await session.commit()
    mentor = await session.get(Participant, programme.pair.mentor_id)
    assert mentor is not None
    return programme, mentor


async def notices(session: AsyncSession, name: str) -> list[OutboxMessage]:
    rows = await session.scalars(select(OutboxMessage))
    return [r for r in rows if (r.payload or {}).get("notice") == name]


async def test_the_mentor_describes_the_curator_approves_and_only_then_a_best_case(
    session: AsyncSession,
) -> None:
    programme, mentor = await completed(session)
    running = await make_running_programme(session)
    stranger = await make_mentor(session)
    with pytest.raises(AccessDenied):  # only the pair's mentor or the curator
        await write_description(session, actor(stranger), programme.id, PARTS, CURATORS)
    with pytest.raises(NotFound):  # results only after completion (§11.2)
        await write_description(session, CURATOR, running.id, PARTS, CURATORS)
    with pytest.raises(WrongState):  # the site's mark stands on an approved description
        await toggle_best_case(session, CURATOR, programme.id)

    row = await write_description(session, actor(mentor), programme.id, PARTS, CURATORS)
    assert row.status == CaseStatus.SUBMITTED
    assert {n.chat_id for n in await notices(session, "case.submitted")} == set(CURATORS)
    assert await best_practices(session) == []
    with pytest.raises(AccessDenied):  # a mentor does not approve
        await approve_description(session, actor(mentor), programme.id)

    await approve_description(session, CURATOR, programme.id)
    await session.refresh(programme)
    assert programme.best_case
    assert [p.description.id for p in await best_practices(session)] == [row.id]
    assert [n.chat_id for n in await notices(session, "case.decided")] == [mentor.telegram_id]
    with pytest.raises(AlreadyDecided):  # a second press, another curator's copy
        await approve_description(session, CURATOR, programme.id)
    # Period: the programme ended in 2026/27.
    assert await best_practices(session, date(2026, 9, 1), date(2027, 8, 31))
    assert not await best_practices(session, date(2025, 9, 1), date(2026, 8, 31))

    assert await toggle_best_case(session, CURATOR, programme.id) is False  # off the site
    assert await best_practices(session) == []
    assert await toggle_best_case(session, CURATOR, programme.id) is True

    # Rewritten: off the site until approved again; returned: stays off.
    await write_description(session, actor(mentor), programme.id, PARTS, CURATORS)
    await session.refresh(programme)
    assert not programme.best_case
    returned = await return_description(session, CURATOR, programme.id)
    assert returned.status == CaseStatus.RETURNED
    assert await best_practices(session) == []
    with pytest.raises(WrongState):
        await toggle_best_case(session, CURATOR, programme.id)


async def test_the_years_report_lists_the_approved_practices(session: AsyncSession) -> None:
    today, zone = date(2027, 6, 1), ZoneInfo("Europe/Moscow")
    stats = await collect_statistics(session, date(2026, 9, 1), date(2027, 8, 31), today, zone)
    college = College("ГБПОУ «Колледж»", "Колледж", "Москва", "Иванов И.И.", "Куратор", None, zone)
    practice = Practice(
        7, "Освоить проектное обучение", "Громова Светлана", **PARTS, approved_on=today
    )
    tr = str

    def text_of(data: bytes) -> str:
        text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
        return text.replace("\u00a0", " ")  # «№ 7», «п. 7.1.1» are kept on one line

    with_one = text_of(year_report_docx(stats, stats, (0, 0), None, college, tr, today, [practice]))
    assert "8. Лучшие практики наставничества" in with_one
    assert "Программа № 7 «Освоить проектное обучение» (наставник — Громова Светлана" in with_one
    assert "Выводы и уроки: Начинать с малого проекта" in with_one
    none = text_of(year_report_docx(stats, stats, (0, 0), None, college, tr, today, []))
    assert "утверждённых куратором, в этом учебном году нет" in none


async def test_a_mentee_withdraws_the_wish_and_the_count_follows(session: AsyncSession) -> None:
    mentee = await make_teacher(session)
    mentor = await make_mentor(session)
    mentor.mentor_profile.shown_to_mentees = True
    await session.commit()
    with pytest.raises(WrongState):
        await withdraw_wish(session, actor(mentee))
    await ask_for_mentor(session, actor(mentee), mentor.id, "Тот же предмет", CURATORS)
    assert mentee.id in await open_wishes(session)
    await withdraw_wish(session, actor(mentee))
    assert await current_wishes(session, [mentee.id]) == {}
    assert await open_wishes(session) == {}
    again = await ask_for_mentor(session, actor(mentee), mentor.id, "Передумала", CURATORS)
    assert (await current_wishes(session, [mentee.id]))[mentee.id].id == again.id
