"""The institution end to end, over HTTP: the curator imports a staff list of 30 teachers from
an XLSX, three register through their personal links, the roadmap's first event is created
and its invitations are delivered exactly once, the director approves the roadmap and the
curator is told."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.emulator import FakeTelegram, FakeUser
from models.database import create_engine, create_session_pool
from models.enums import StaffRole
from tests.conftest import BACKENDS, CURATOR_ID, POSTGRES_URL, reset_postgres
from tests.e2e.conftest import BotProcess, assert_no_traceback
from tests.factories import make_teacher
from tests.staff_files import teachers, workbook

LINE = re.compile(r"⏳ (.+?)( ★)?, [^\n]+\nhttps://t\.me/\w+\?start=(inv\w+)")
DIRECTOR_ID = 3100


async def register_through(user: FakeUser, code: str, name: str) -> None:
    await user.send(f"/start {code}")
    await user.expect_and_press("Согласие на обработку персональных данных", "Согласен")
    await user.expect("Ваши фамилия, имя, отчество")
    await user.send(name)
    await user.expect("Ваша должность")
    await user.send("преподаватель")
    await user.expect("предметно-цикловая комиссия")
    await user.send("Информатика")
    await user.expect("Дисциплины, которые вы преподаёте")
    await user.send("Информатика")
    await user.expect("Педагогический стаж")
    await user.send("1")
    await user.expect_and_press("квалификационная категория", "Без категории")
    # the link of a teacher to be mentored chooses the mentee role: no role question
    difficulties = await user.expect("профессиональные затруднения")
    await user.press(difficulties, "Планирование и проведение занятий")
    await user.press(difficulties, "Готово")
    await user.expect_and_press("Есть ли другие затруднения", "Пропустить")
    await user.expect("Чему вы хотели бы научиться")
    await user.send("Вести занятия интереснее")
    forms = await user.expect("Какие формы наставничества вам подходят")
    await user.press(forms, "Традиционное")
    await user.press(forms, "Готово")
    await user.expect("Спасибо, регистрация завершена!")


def invitations(telegram: FakeTelegram, chat_id: int) -> int:
    return sum("Приглашение" in message.text for message in telegram.chat(chat_id))


@pytest.fixture(params=BACKENDS)
async def institution_bot(
    request: pytest.FixtureRequest, telegram: FakeTelegram, tmp_path: Path
) -> AsyncIterator[tuple[BotProcess, str]]:
    """The bot on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}"
    if request.param == "postgres":
        assert POSTGRES_URL is not None
        await reset_postgres(POSTGRES_URL)
        url = POSTGRES_URL
    bot = BotProcess(
        telegram, tmp_path / "e2e.db", tmp_path / "bot.log", extra_env={"DATABASE_URL": url}
    )
    await bot.start()
    yield bot, url
    await bot.stop()
    log = bot.log_text()
    assert_no_traceback(log)
    assert " ERROR " not in log, log


async def test_staff_list_links_roadmap_event_and_approval(
    telegram: FakeTelegram, institution_bot: tuple[BotProcess, str]
) -> None:
    _bot, url = institution_bot
    engine = create_engine(url)
    async with create_session_pool(engine)() as session:
        director = await make_teacher(
            session, mentee=False, telegram_id=DIRECTOR_ID, full_name="Бондаренко Сергей"
        )
        director.staff_role = StaffRole.DIRECTOR
        await session.commit()
    await engine.dispose()

    curator = telegram.user(CURATOR_ID, "Ольга")
    await curator.send_document(workbook(teachers(30)), "Список педагогов.xlsx")
    await curator.expect_and_press("Новые в списке: 30", "Применить")
    page = await curator.expect("Добавлено: 30, изменено: 0, исключено из списка: 0")
    assert "Зарегистрировались в боте: 0; ещё нет: 30." in page.text
    await curator.press(page, "Кто не зарегистрировался")
    links = await curator.expect("Ещё не зарегистрировались: 30")
    listed = LINE.findall(links.text)
    assert len(listed) == 15
    to_mentor = [(name, code) for name, star, code in listed if star][:3]
    assert len(to_mentor) == 3

    teachers_ids = (3001, 3002, 3003)
    await asyncio.gather(
        *(
            register_through(telegram.user(user_id, "Педагог"), code, name)
            for user_id, (name, code) in zip(teachers_ids, to_mentor, strict=True)
        )
    )
    await curator.send("/stafflist")
    await curator.expect("Зарегистрировались в боте: 3; ещё нет: 27.")

    # the roadmap, its first event for everyone, the day after tomorrow
    await curator.send("/roadmap")
    await curator.expect_and_press("ещё не создана", "Создать по Приложению 1")
    await curator.expect_and_press("Ещё не утверждена директором", "Этап 4")
    await curator.expect_and_press("Отбор и обучение наставников", "Добавить мероприятие")
    await curator.expect("Новое мероприятие этапа 4")
    when = datetime.now(ZoneInfo("Europe/Moscow")).date() + timedelta(days=2)
    await curator.send(f"{when:%d.%m.%Y} 15:00; ауд. 214; Установочная сессия")
    await curator.expect_and_press("Кого приглашаем?", "все")
    confirm = await curator.expect_and_press("получат 4 человека", "Создать и пригласить")
    # The confirmation becomes its outcome, with who and when.
    created = "✅ Мероприятие создано; 4 приглашения отправляются — "
    await telegram.wait_for(lambda: created in telegram.messages[confirm.message_id].text)

    for user_id in (*teachers_ids, DIRECTOR_ID):
        await telegram.wait_for(lambda chat=user_id: invitations(telegram, chat) >= 1)
    await asyncio.sleep(5)  # several delivery rounds and a sweep later: still one each
    for user_id in (*teachers_ids, DIRECTOR_ID):
        assert invitations(telegram, user_id) == 1, user_id

    director_chat = telegram.user(DIRECTOR_ID, "Сергей")
    await director_chat.send("/roadmap")
    roadmap = await director_chat.expect_and_press(
        "Ещё не утверждена директором", "Утвердить дорожную карту"
    )
    # The roadmap pressed is re-rendered in place as approved, with who and when.
    await telegram.wait_for(
        lambda: (
            "Утверждена директором" in telegram.messages[roadmap.message_id].text
            and "✅ Дорожная карта утверждена — " in telegram.messages[roadmap.message_id].text
        )
    )
    await curator.expect("Директор Бондаренко Сергей утвердил(а) дорожную карту")  # told
    # the three registered mentees wait for the director's approval of the bank (§6.3.3)
    await director_chat.send("/approvals")
    await director_chat.expect("Ждут директора: 3. Возвращены куратору: 0.")
    engine = create_engine(url)
    async with engine.connect() as connection:
        approved_by, rows = (
            await connection.execute(
                text(
                    "SELECT approved_by, (SELECT count(*) FROM staff_list WHERE participant_id "
                    "IS NOT NULL) FROM roadmaps"
                )
            )
        ).one()
    await engine.dispose()
    assert (approved_by, rows) == (DIRECTOR_ID, 3)
