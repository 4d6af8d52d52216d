"""A button under a message older than 48 hours: Telegram sends an InaccessibleMessage, which
has no text and cannot be edited. The press still does what it says, and what it did is shown
as a new message (the old one cannot change); a press that can only work on the message itself
is explained, never left as a failed update."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.methods import EditMessageText, SendMessage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.curator.programmes import ProgrammeList
from models.enums import MentorStatus
from models.profiles import MentorProfile
from rendering.ui import BACK, FormOption, MentorDecision
from tests.driver import Person, said, texts
from tests.factories import make_teacher


async def test_a_decision_under_an_old_message_is_taken_and_shown_anew(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        candidate = await make_teacher(session, mentee=False, mentor=True)
    data = MentorDecision(participant_id=candidate.id, accept=True).pack()
    replies = await curator.press_data(data, old=True)
    async with session_pool() as session:
        profile = await session.get(MentorProfile, candidate.id)
    assert profile is not None
    assert profile.status == MentorStatus.ACCEPTED
    assert not any(isinstance(method, EditMessageText) for method in replies)
    outcome = [
        m.text for m in replies if isinstance(m, SendMessage) and m.chat_id == curator.user_id
    ]
    assert any("✅" in text for text in outcome), texts(replies)
    assert said(replies, "Хорошая новость", candidate.telegram_id), texts(replies)


async def test_a_list_page_under_an_old_message_comes_as_a_new_message(curator: Person) -> None:
    replies = await curator.press_data(ProgrammeList(group="running", page=0).pack(), old=True)
    assert not any(isinstance(method, EditMessageText) for method in replies)
    assert any(isinstance(m, SendMessage) and m.chat_id == curator.user_id for m in replies), texts(
        replies
    )


async def test_a_press_that_needs_the_message_itself_is_explained(
    person: Callable[..., Person],
) -> None:
    # Going back a step re-asks the question in place: an old message cannot be that place.
    teacher = person(7301)
    await teacher.send("/start")
    await teacher.press("Согласен")
    assert said(await teacher.send("Иванова Мария Петровна"), "должность")
    replies = await teacher.press_data(FormOption(field="position", code=BACK).pack(), old=True)
    assert said(replies, "слишком старое"), texts(replies)
