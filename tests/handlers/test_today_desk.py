"""/today: what waits for the curator, counted, in Russian plural forms, with buttons to act."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import CURATOR_COMMANDS
from bot.i18n import create_i18n
from handlers.curator.desk import render_desk
from models.banks import set_archived
from models.desk import Desk, curator_desk
from models.enums import RequestKind
from models.outbox import mark_unreachable
from models.participant import Participant
from models.requests import create_request
from tests.conftest import CURATOR_ID
from tests.driver import Person, buttons, said, texts
from tests.factories import (
    CURATOR,
    actor,
    make_accepted_pair,
    make_mentor,
    make_running_programme,
    make_teacher,
)


def desk(**counts: int) -> Desk:
    values = dict.fromkeys(Desk.__dataclass_fields__, 0) | counts
    return Desk(**values)


@pytest.mark.parametrize(
    ("n", "candidates", "activities"),
    [
        (1, "1 кандидат в наставники ждёт", "1 мероприятие просрочено"),
        (2, "2 кандидата в наставники ждут", "2 мероприятия просрочены"),
        (5, "5 кандидатов в наставники ждут", "5 мероприятий просрочено"),
        (11, "11 кандидатов в наставники ждут", "11 мероприятий просрочено"),
        (21, "21 кандидат в наставники ждёт", "21 мероприятие просрочено"),
    ],
)
def test_counts_read_as_russian(n: int, candidates: str, activities: str) -> None:
    i18n = create_i18n("ru")
    with i18n.context(), i18n.use_locale("ru"):
        text, markup = render_desk(desk(candidates=n, overdue_activities=n))
    assert candidates in text
    assert activities in text
    assert markup is not None
    assert [row[0].text for row in markup.inline_keyboard] == [
        "Кандидаты в наставники",
        "Текущие программы",
    ]
    with i18n.context(), i18n.use_locale("en"):
        english, _markup = render_desk(desk(candidates=n))
    assert f"{n} mentor candidate{'' if n == 1 else 's'} wait" in english


async def test_the_desk_counts_what_waits(session: AsyncSession) -> None:
    today = date(2026, 11, 25)
    assert (await curator_desk(session, today)).empty
    await make_teacher(session, mentee=False, mentor=True)  # a mentor candidate
    await make_accepted_pair(session)  # everyone agreed: waits for the order
    programme = await make_running_programme(session)  # deadlines 15.10, 15.11, 15.12
    mentee = await session.get(Participant, programme.pair.mentee_ids[0])
    assert mentee is not None
    await create_request(
        session, actor(mentee), programme.pair_id, RequestKind.REPLACEMENT, reason="Переезд"
    )
    await mark_unreachable(session, mentee.telegram_id, datetime(2026, 11, 20, tzinfo=UTC))
    counted = await curator_desk(session, today)
    assert counted == Desk(
        candidates=1,
        pairs_awaiting_order=1,
        programmes_to_approve=0,
        requests=1,
        overdue_activities=2,
        programmes_past_end=0,
        unreachable=1,
    )
    assert (await curator_desk(session, date(2027, 1, 1))).programmes_past_end == 1


async def test_the_curator_opens_what_waits_from_today(
    curator: Person,
    person: Callable[..., Person],
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    assert said(await curator.send("/today"), "Ничего не ждёт вашего решения")
    async with session_pool() as session:
        await make_teacher(session, mentee=False, mentor=True, full_name="Соколова Анна")
        await make_accepted_pair(session)
    sent = await curator.send("/today")
    assert said(sent, "1 кандидат в наставники ждёт вашего решения")
    assert said(sent, "1 пара ждёт приказа директора")
    assert said(await curator.press("Кандидаты в наставники"), "Соколова Анна")
    await curator.send("/today")
    waiting = await curator.press("Обращения и приказы")
    assert said(waiting, "Все согласны. Внесите приказ директора")
    assert not said(await person(5001).send("/today"), "Что ждёт вас сегодня")


async def test_a_curators_help_lists_every_tool_and_start_shows_the_desk(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    help_sent = await curator.send("/help")
    for name, _description in CURATOR_COMMANDS:
        assert said(help_sent, f"/{name}: "), name
    async with session_pool() as session:
        await make_teacher(session, telegram_id=CURATOR_ID, full_name="Андросова Лидия Юрьевна")
        await make_teacher(session, mentee=False, mentor=True)
    started = await curator.send("/start")
    assert said(started, "С возвращением")
    assert said(started, "1 кандидат в наставники ждёт вашего решения")


async def test_the_audit_reads_as_sentences_with_pages_and_filters(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        await make_teacher(session, telegram_id=CURATOR_ID, full_name="Андросова Лидия Юрьевна")
        orlova = await make_teacher(session, full_name="Орлова Нина Сергеевна")
        ivanov = await make_teacher(session, full_name="Иванов Пётр Ильич")
        for _round in range(6):  # 12 entries about Orlova
            await set_archived(session, CURATOR, orlova.id, True)
            await set_archived(session, CURATOR, orlova.id, False)
        await set_archived(session, CURATOR, ivanov.id, True)
    first = await curator.send("/audit")
    assert said(first, "Кто что сделал, сначала новые")
    assert said(first, "Андросова Лидия Юрьевна: перенос в архив: Иванов Пётр Ильич")
    assert not said(first, "bank.")
    shown = next(t for t in texts(first) if "Орлова" in t)
    assert shown.count("Орлова Нина Сергеевна") == 9  # ten to a page: Ivanov's and 9 of hers
    second = await curator.press("Дальше ›")
    assert next(t for t in texts(second) if "Кто что" in t).count("Орлова Нина Сергеевна") == 3
    only_her = texts(await curator.send("/audit орлова"))[0]
    assert "Поиск: «орлова»." in only_her
    assert "Иванов" not in only_her
    assert "возврат из архива: Орлова Нина Сергеевна" in only_her
    papers = texts(await curator.press("Документы и рассылки"))[0]
    assert "Ничего не найдено." in papers


async def test_the_banks_are_searched_by_surname(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        await make_teacher(session, full_name="Ёлкина Вера Павловна")
        await make_teacher(session, full_name="Иванова Мария Петровна")
        await make_teacher(session, full_name="Петров Иван Андреевич")
    found = texts(await curator.send("/participants елкина"))[0]
    assert "Поиск: «елкина»." in found
    assert "Найдено: 1" in found
    assert "Ёлкина Вера Павловна" in found
    assert "Иванова" not in found
    # «Иван» matches a surname and a first name, from the start of a word only.
    found = texts(await curator.send("/participants Иван"))[0]
    assert "Найдено: 2" in found
    # A filter pressed keeps the search; clearing it shows everyone.
    assert "Поиск: «Иван»." in texts(await curator.press("наставляемые"))[0]
    assert "Найдено: 3" in texts(await curator.press("Сбросить поиск"))[0]


async def test_a_card_leads_to_pairing_and_back_to_the_banks(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        await make_teacher(session, full_name="Зайцева Мария Андреевна")
        await make_mentor(session, full_name="Иванов Сергей Петрович")
    await curator.send("/participants Зайцева")
    await curator.press("Зайцева Мария Андреевна")
    labels = [label for label, _data in buttons(curator.last_markup()[1])]
    assert "🎯 Подобрать наставника" in labels
    assert said(await curator.press("Подобрать наставника"), "Наставники для <b>Зайцевой Марии")
    await curator.send("/participants Зайцева")
    await curator.press("Зайцева Мария Андреевна")
    assert said(await curator.press("К банкам"), "Банки наставников и наставляемых")
