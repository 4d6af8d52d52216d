"""The roadmap in chat: created from Appendix 1, a stage edited, an event with invitations
delivered exactly once and a reminder the day before, attendance, the director's approval."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from aiogram import Dispatcher
from aiogram.methods import SendDocument, SendMessage
from docx import Document as DocxDocument
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from models.enums import StaffRole
from models.statistics import academic_year
from scheduler.clock import SystemClock
from scheduler.jobs import deliver, sweep
from tests.driver import Person, said, texts
from tests.factories import make_teacher
from tests.mocked_bot import MockedBot


class FixedClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def sent_to(bot: MockedBot, chat_id: int, fragment: str) -> int:
    return sum(
        1
        for m in bot.session.requests
        if isinstance(m, SendMessage) and m.chat_id == chat_id and fragment in m.text
    )


async def test_the_year_on_the_roadmap(
    curator: Person,
    person: Callable[..., Person],
    bot: MockedBot,
    dispatcher: Dispatcher,
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        first = await make_teacher(session, mentee=False, mentor=True, telegram_id=5501)
        await make_teacher(session, mentee=False, mentor=True, telegram_id=5502)
        await make_teacher(session, telegram_id=5503, full_name="Петрова Анна")  # a mentee
        director = await make_teacher(
            session, mentee=False, telegram_id=5504, full_name="Бондаренко С.А."
        )
        director.staff_role = StaffRole.DIRECTOR
        await session.commit()
        first_id = first.id
    today = datetime.now(settings.timezone).date()
    year = academic_year(today)[0].year

    assert said(await person(5503).send("/roadmap"), "только кураторам")
    assert said(await curator.send("/roadmap"), "ещё не создана")
    replies = await curator.press("Создать по Приложению 1")
    (overview,) = texts(replies)
    assert f"Дорожная карта на {year}/{year + 1} учебный год" in overview
    assert "Ещё не утверждена директором" in overview
    assert "4. Отбор и обучение наставников" in overview
    assert not said(replies, "Утвердить")  # the curator does not approve

    replies = await curator.press("Этап 5")
    assert said(replies, "Наставляемых без пары: 1")
    assert said(replies, "Петрова Анна")
    await curator.send("/roadmap")
    replies = await curator.press("Этап 4")
    assert said(replies, "«установочные сессии» наставников")

    await curator.press("Изменить сроки")
    assert said(await curator.send("осенью"), "Напишите сроки в виде")
    replies = await curator.send(f"10.{year}-12.{year}")
    assert said(replies, f"Сроки: 01.10.{year}–31.12.{year}")
    await curator.press("Изменить документы")
    replies = await curator.send("Методические материалы; памятка наставнику <черновик>")
    assert said(replies, "памятка наставнику &lt;черновик&gt;")
    await curator.press("Изменить содержание")
    assert said(await curator.send("x" * 2001), "не длиннее 2000 символов")
    assert said(await curator.send("Обучение наставников"), "Сохранено.")

    # an event for the mentors, the day after tomorrow at 14:00
    when = today + timedelta(days=2)
    await curator.press("Добавить мероприятие")
    assert said(await curator.send("завтра; где-то"), "Отправьте одной строкой")
    line = f"{when:%d.%m.%Y} 14:00; ауд. 214; Установочная сессия <наставников>"
    assert said(await curator.send(line), "Кого приглашаем?")
    replies = await curator.press("наставники")
    assert said(replies, "Приглашены: наставники")  # the question keeps the answer chosen
    assert said(replies, "получат 2 человека")
    replies = await curator.press("Создать и пригласить")
    assert said(replies, "✅ Мероприятие создано; 2 приглашения отправляются — Куратор, ")
    assert said(replies, "приглашено 2, присутствовали 0")

    settings.quiet_hours = None
    jobs = {
        "session_pool": session_pool,
        "settings": settings,
        "i18n": dispatcher["i18n"],
        "clock": SystemClock(),
    }
    await deliver(bot, **jobs)
    await sweep(**jobs)
    await deliver(bot, **jobs)
    for chat_id in (5501, 5502):
        assert sent_to(bot, chat_id, "Установочная сессия &lt;наставников&gt;") == 1
    assert sent_to(bot, 5503, "Приглашение") == 0

    # the day before: one reminder each, however often the sweep runs
    day_before = datetime.combine(when - timedelta(days=1), time(10, 0), settings.timezone)
    jobs["clock"] = FixedClock(day_before.astimezone(UTC))
    for _ in range(2):
        await sweep(**jobs)
        await deliver(bot, **jobs)
    for chat_id in (5501, 5502):
        assert sent_to(bot, chat_id, "Завтра в 14:00: «Установочная сессия") == 1

    # attendance
    replies = await curator.press("Присутствие: Установочная сессия")
    assert said(replies, "Присутствовали: 0 из 2.")
    replies = await curator.press_data(f"at:1:{first_id}:0")
    assert said(replies, "Присутствовали: 1 из 2.")

    # the roadmap as a document for the director's signature
    await curator.send("/roadmap")
    await curator.press("на подпись")
    (document,) = [m for m in bot.session.requests if isinstance(m, SendDocument)]
    assert document.document.filename == f"Дорожная_карта_{year}-{year + 1}.docx"
    docx = DocxDocument(io.BytesIO(document.document.data))
    paragraphs = [p.text for p in docx.paragraphs]
    # the ГОСТ page of the other documents, turned landscape; the stamp for the director
    section = docx.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    assert (round(section.left_margin.mm), round(section.right_margin.mm)) == (30, 15)
    assert paragraphs[:4] == [
        "УТВЕРЖДАЮ",
        f"Директор {settings.organization_short_name or settings.organization_name}",
        "____________ ____________________",  # no DIRECTOR_NAME here: a line for it
        "«___» ____________ 20__\u00a0г.",
    ]
    assert f"на {year}/{year + 1} учебный год" in paragraphs
    (table,) = docx.tables
    rows = [[cell.text.replace("\u00a0", " ") for cell in row.cells] for row in table.rows]
    assert len(rows) == 8
    assert rows[4][2] == f"01.10.{year}–31.12.{year}"  # the period the curator changed
    assert rows[4][6] == f"{when:%d.%m.%Y} 14:00 — Установочная сессия <наставников> (ауд. 214)"
    assert rows[5][6] == "—"
    # an official paper of the college: in Russian whatever the curator's chat language
    from handlers.curator.roadmap import _current, roadmap_docx

    i18n = dispatcher["i18n"]
    async with session_pool() as session:
        roadmap = await _current(session, today)
        assert roadmap is not None
        with i18n.context(), i18n.use_locale("en"):
            english = DocxDocument(io.BytesIO(await roadmap_docx(session, roadmap, settings)))
    assert [p.text for p in english.paragraphs] == paragraphs
    assert [c.text for c in english.tables[0].rows[0].cells] == rows[0]

    # the director approves; the curator sees it
    boss = person(5504)
    await boss.send("/roadmap")
    replies = await boss.press("Утвердить дорожную карту")
    assert said(replies, "Дорожная карта утверждена.")
    assert said(replies, "Утверждена директором")
    assert said(await curator.send("/roadmap"), "Утверждена директором")
