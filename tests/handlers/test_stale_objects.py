"""Objects that lost their reason to exist (issue 12, item 10): a pending request dies with its
programme; a forged remove-activity with another programme's id changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.enums import RequestStatus
from models.participant import Participant
from models.programmes import Activity, ProgrammeDraft, add_activity, save_draft
from models.requests import Request, create_request
from rendering.ui import ProgrammeAction, ProgrammeVerb, RequestAction, RequestVerb
from tests.driver import Person, said, texts
from tests.factories import END, START, actor, make_active_pair, make_running_programme


async def test_a_pending_request_dies_with_its_programme(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        programme = await make_running_programme(session)
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
        request = await create_request(
            session, actor(mentee), programme.pair_id, "replacement", reason="Не сработались"
        )
    await curator.press_data(
        ProgrammeAction(action=ProgrammeVerb.END, programme_id=programme.id).pack()
    )
    await curator.send("Не выполняется план")
    assert said(await curator.press("Завершить программу"), "Программа завершена")
    async with session_pool() as session:
        stored = await session.get(Request, request.id)
    assert stored is not None
    assert stored.status == RequestStatus.WITHDRAWN
    assert "Не выполняется" not in " ".join(texts(await curator.send("/requests")))
    await curator.press_data(
        RequestAction(action=RequestVerb.APPROVE, request_id=request.id).pack()
    )
    replies = await curator.send("Одобряю")
    assert said(replies, "Уже решено: отозвано"), texts(replies)


async def test_a_forged_remove_with_another_programmes_id_changes_nothing(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        pair = await make_active_pair(session)
        mentor = await session.get(Participant, pair.mentor_id)
        draft = ProgrammeDraft("Цель", "Трудности", "Сильные", ["traditional"], START, END)
        programme = await save_draft(session, actor(mentor), pair.id, draft)
        activity = await add_activity(
            session,
            actor(mentor),
            programme.id,
            title="Открытый урок",
            description=None,
            deadline=START.replace(month=10),
            responsible="mentee",
        )
    forged = ProgrammeAction(
        action=ProgrammeVerb.REMOVE, programme_id=programme.id + 1, item=activity.id
    )
    replies = await person(mentor.telegram_id).press_data(forged.pack())
    assert said(replies, "больше не действует"), texts(replies)
    async with session_pool() as session:
        assert await session.get(Activity, activity.id) is not None
