"""Through the real dispatcher: a change to an approved group programme proposed by a mentee,
agreed by the mentor and the other mentee (or refused by one); stale, forged and outsiders'
buttons change nothing; the college's limit in the refusal of an extension."""

from __future__ import annotations

import asyncio
import io
import os
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from aiogram.methods import SendDocument
from docx import Document as DocxDocument
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from models.changes import history
from models.enums import ChangeStatus
from models.programmes import Programme
from tests.conftest import CURATOR_ID
from tests.domain.test_changes import make_group_programme
from tests.driver import Person, said, texts
from tests.factories import college_today, make_running_programme, make_teacher
from tests.handlers.test_documents import (
    OFFICE_REQUIRED,
    PUNCTUATION,
    SOFFICE,
    _tmp,
    cell_words,
    to_pdf_words,
    whole_text,
)
from tests.mocked_bot import MockedBot


async def group(pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]):
    async with pool() as session:
        programme, people = await make_group_programme(session)
        return programme.id, [person(p.telegram_id) for p in people]


async def propose_expected_result(mentee: Person) -> list:
    await mentee.send("/plan")
    await mentee.press("Предложить изменение")
    await mentee.press("Изменить мероприятие")
    await mentee.press("Мероприятие 1")
    await mentee.press("Ожидаемый результат")
    await mentee.send("Открытый урок с самоанализом")
    summary = await mentee.send("Так результат будет виден всем")
    # Nothing is sent before the author has seen the before → after and confirmed.
    assert said(summary, "Отправить предложение об изменении?")
    assert said(summary, "План урока → Открытый урок с самоанализом")
    assert not said(summary, "Предложено изменение")
    return await mentee.press("Отправить предложение")


async def test_a_change_agreed_by_the_mentor_and_both_mentees_of_a_group(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> None:
    programme_id, (mentor, first, second) = await group(session_pool, person)
    replies = await propose_expected_result(first)
    assert said(replies, "Отправлено остальным", chat_id=first.user_id)
    for other in (mentor, second):  # each of the others is asked, with the before and after
        assert said(replies, "Предложено изменение вашей программы", chat_id=other.user_id)
        assert said(
            replies,
            "Ожидаемый результат: План урока → Открытый урок с самоанализом",
            chat_id=other.user_id,
        )
    assert not said(replies, "Предложено изменение", chat_id=CURATOR_ID)

    replies = await mentor.press("Согласен")
    assert said(replies, "Ваше согласие записано; изменение ждёт ответа остальных")
    async with session_pool() as session:
        programme = await session.get(Programme, programme_id)
        assert programme.activities[0].expected_result == "План урока"  # one still to agree

    # the second mentee first taps «Не согласен», then thinks again and agrees on the same
    # message: the refusal's comment question is closed with the decision
    refusal = await second.press("Не согласен")
    assert said(refusal, "Почему вы не согласны?")
    async with session_pool() as session:
        (proposal,) = await history(session, programme_id)
    replies = await second.press_data(f"ca:{proposal.id}:1")  # «Согласен» of the same message
    assert not said(await second.send("/request"), "не закончили")
    assert said(replies, "Все согласились: изменение внесено", chat_id=second.user_id)
    assert said(replies, "Все согласились: изменение внесено", chat_id=first.user_id)
    assert said(replies, "Все согласились: изменение внесено", chat_id=mentor.user_id)
    assert said(replies, "Пара приняла решение об изменении программы", chat_id=CURATOR_ID)
    async with session_pool() as session:
        programme = await session.get(Programme, programme_id)
        assert programme.activities[0].expected_result == "Открытый урок с самоанализом"
        assert programme.revision == 2

    # The same button again, a day later: «Уже решено», nothing changes.
    replies = await mentor.press("Согласен")
    assert said(replies, "Уже решено")
    # The curator sees the history; /plan shows the version.
    curator = person(CURATOR_ID)
    replies = await curator.press_data(f"pg:changes:{programme_id}:0")
    assert said(replies, "согласовано всеми и внесено", chat_id=CURATOR_ID)
    assert said(await first.send("/plan"), "Версия 2")


async def test_one_mentee_refuses_with_a_comment_and_nothing_changes(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> None:
    programme_id, (mentor, first, second) = await group(session_pool, person)
    await propose_expected_result(first)
    await mentor.press("Согласен")
    await second.press("Не согласен")
    replies = await second.send("Мне важнее план урока")
    assert said(replies, "Предложение не согласовано", chat_id=second.user_id)
    for other in (mentor, first):
        assert said(replies, "Предложение не согласовано", chat_id=other.user_id)
        assert said(replies, "Мне важнее план урока", chat_id=other.user_id)
    assert said(replies, "Пара приняла решение", chat_id=CURATOR_ID)
    async with session_pool() as session:
        programme = await session.get(Programme, programme_id)
        assert programme.activities[0].expected_result == "План урока"
        assert programme.revision == 1
        (proposal,) = await history(session, programme_id)
        assert proposal.status == ChangeStatus.REJECTED
    # A refusal button pressed after the decision: told, not asked for a comment.
    replies = await second.press_data(f"ca:{proposal.id}:0")
    assert said(replies, "Уже решено: не согласовано")


async def test_forged_and_outsiders_buttons_change_nothing(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> None:
    programme_id, (mentor, first, _second) = await group(session_pool, person)
    async with session_pool() as session:
        stranger = person((await make_teacher(session)).telegram_id)
    await propose_expected_result(first)
    async with session_pool() as session:
        (proposal,) = await history(session, programme_id)
    assert said(await first.press_data(f"ca:{proposal.id}:1"), "Уже решено")  # the author
    assert said(await stranger.press_data(f"ca:{proposal.id}:1"), "недоступно")
    assert said(await mentor.press_data("ca:999999:1"), "Не найдено")
    assert said(await mentor.press_data("ca:99999999999999999999:1"), "больше не действует")
    assert said(await stranger.press_data(f"pg:change:{programme_id}:0"), "недоступно")
    # A second proposal while one waits is refused with its number.
    await first.send("/plan")
    assert said(await first.press("Предложить изменение"), f"№{proposal.id} ещё ждёт ответов")
    async with session_pool() as session:
        (proposal,) = await history(session, programme_id)
        assert proposal.status == ChangeStatus.OPEN
        assert proposal.agreed_ids == [proposal.author_id]


async def test_the_author_withdraws_and_the_others_are_told(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> None:
    programme_id, (mentor, first, second) = await group(session_pool, person)
    await propose_expected_result(first)
    replies = await first.press("Отозвать предложение")
    assert said(replies, "Предложение отозвано: ничего не меняется", chat_id=mentor.user_id)
    assert said(replies, "Предложение отозвано: ничего не меняется", chat_id=second.user_id)
    assert said(await mentor.press("Согласен"), "Уже решено: отозвано автором")
    async with session_pool() as session:
        (proposal,) = await history(session, programme_id)
        assert proposal.status == ChangeStatus.WITHDRAWN
    assert said(await first.press_data(f"cw:{proposal.id}"), "Уже решено: отозвано автором")


async def test_the_end_date_notices_buttons_open_the_right_flows(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> None:
    """«Продлить» (a proposal to move the end date) and «Завершить досрочно» (the request)."""
    programme_id, (mentor, first, _second) = await group(session_pool, person)
    async with session_pool() as session:
        pair_id = (await session.get(Programme, programme_id)).pair_id
    replies = await first.press_data(f"cg:{programme_id}:end_date:0:")
    assert said(replies, "Новая дата окончания программы")
    assert said(replies, "сейчас 31.12.2026")
    await first.send("/cancel")
    replies = await mentor.press_data(f"rq:early_end:{pair_id}:0")
    assert said(replies, "Укажите причину")


async def test_an_extension_beyond_the_colleges_limit_names_it(
    session_pool: async_sessionmaker[AsyncSession],
    person: Callable[..., Person],
    settings: Settings,
) -> None:
    settings.programme_max_months = 12
    _programme_id, (mentor, _first, _second) = await group(session_pool, person)
    # past the limit (the programme began 01.09.2026), and not a day that has already passed
    beyond = f"{max(date(2027, 10, 15), college_today() + timedelta(days=30)):%d.%m.%Y}"
    await mentor.send("/request")
    await mentor.press("Продлить программу")
    replies = await mentor.send(beyond)
    assert said(replies, "не больше 12 мес.")
    assert said(replies, "не позже чем на 01.09.2027")
    # A proposal to move the end date is held to the same limit.
    await mentor.send("/cancel")
    await mentor.send("/plan")
    await mentor.press("Предложить изменение")
    await mentor.press("Перенести дату окончания")
    replies = await mentor.send(beyond)
    replies += await mentor.send("Нужно больше времени")
    assert said(replies, "не больше 12 мес.")


async def test_programmes_past_their_end_are_marked_for_the_curator(
    session_pool: async_sessionmaker[AsyncSession], curator: Person
) -> None:
    async with session_pool() as session:
        past = await make_running_programme(
            session, start=date(2025, 1, 10), deadlines=[date(2025, 3, 1)]
        )  # ended 10.05.2025, its activity still open
        today = college_today()  # running now, whatever the day the suite runs on
        current = await make_running_programme(
            session, start=today - timedelta(days=30), deadlines=[today + timedelta(days=30)]
        )  # four months from its start
    replies = await curator.send("/programmes")
    listing = "\n".join(texts(replies))
    past_line = next(x for x in listing.split("\n") if x.startswith(f"№{past.id} "))
    current_line = next(x for x in listing.split("\n") if x.startswith(f"№{current.id} "))
    assert "срок истёк" in past_line
    assert "срок истёк" not in current_line
    replies = await curator.press(f"Открыть №{past.id}")
    assert said(replies, "Персонализированная программа")
    replies = await curator.press("История изменений")
    assert said(replies, "Изменений к этой программе пока не предлагали")


async def test_the_programme_docx_shows_the_version_and_the_change_log(
    session_pool: async_sessionmaker[AsyncSession],
    person: Callable[..., Person],
    settings: Settings,
    bot: MockedBot,
) -> None:
    programme_id, (mentor, first, second) = await group(session_pool, person)
    await propose_expected_result(first)
    await mentor.press("Согласен")
    await second.press("Согласен")
    curator = person(CURATOR_ID)
    await curator.press_data(f"dc:programme:{programme_id}")
    (sent,) = [m for m in bot.session.requests if isinstance(m, SendDocument)]
    data = sent.document.data
    assert sent.document.filename.startswith("Программа_наставничества_пара_")
    document = DocxDocument(io.BytesIO(data))
    text = whole_text(document)
    assert "Версия программы\n2" in text
    assert "Лист изменений" in text
    assert "Ожидаемый результат" in text
    assert "ожидаемый результат: План урока → Открытый урок с самоанализом" in text
    if "sqlite" not in settings.database_url:
        return  # the rendering does not depend on the database: once is enough
    if SOFFICE is None:
        assert not OFFICE_REQUIRED, "CI must install LibreOffice (.ci/run)"
        pytest.skip("LibreOffice is not installed here")
    name = sent.document.filename
    folder = Path(os.environ.get("DOCS_PDF_DIR") or _tmp()) / "changes"
    pdf = to_pdf_words({name: data}, folder)
    tokens = {p.strip(PUNCTUATION) for w in pdf[name] for p in re.split(r"[\-–—/]+", w)}
    assert sorted(w for w in cell_words(document) if w not in tokens) == []


async def test_the_last_two_consents_at_the_same_moment_both_count(
    session_pool: async_sessionmaker[AsyncSession], person: Callable[..., Person]
) -> None:
    """Two updates of one batch, handled concurrently (two connections on PostgreSQL): the
    proposal's version makes the loser decide again on the fresh row, so the change is
    applied once and no answer is lost."""
    programme_id, (mentor, first, second) = await group(session_pool, person)
    await propose_expected_result(first)
    async with session_pool() as session:
        (proposal,) = await history(session, programme_id)
    data = f"ca:{proposal.id}:1"
    replies = max(await asyncio.gather(mentor.press_data(data), second.press_data(data)), key=len)
    async with session_pool() as session:
        (proposal,) = await history(session, programme_id)
        programme = await session.get(Programme, programme_id)
        assert proposal.status == ChangeStatus.AGREED
        assert len(proposal.votes) == 3
        assert programme.revision == 2
    assert not said(replies, "Уже решено")
    told = [t for t in texts(replies, CURATOR_ID) if "Пара приняла решение" in t]
    assert len(told) == 1
