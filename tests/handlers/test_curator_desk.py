"""The curator's desk: roles, the audit log and the XLSX export, refused to anyone else."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from aiogram import Dispatcher
from aiogram.methods import SendDocument, SendMessage, SendPhoto
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.commands import CURATOR_COMMANDS
from bot.config import Settings
from models.consent import ConsentKind
from models.enums import StaffRole
from models.participant import Participant
from models.programmes import Activity, report_activity, review_activity
from models.progress import ActivityProgress
from models.statistics import academic_year
from models.withdrawal import withdraw_consent
from scheduler.clock import SystemClock
from scheduler.jobs import deliver, sweep
from tests.conftest import CURATOR_ID
from tests.driver import Person, said, texts
from tests.factories import (
    actor,
    college_today,
    make_accepted_pair,
    make_running_programme,
    make_teacher,
)
from tests.handlers.flows import fill_mentor, fill_profile, set_role, stored
from tests.mocked_bot import MockedBot
from tests.story import on


async def test_only_curators_use_the_desk(person: Callable[..., Person]) -> None:
    teacher = person(5001)
    commands = [f"/{name}" for name, _description in CURATOR_COMMANDS] + ["/role 1 curator"]
    assert len(commands) >= 13
    for command in commands:
        assert said(await teacher.send(command), "только кураторам"), command


async def test_a_curator_grants_a_role_and_it_is_audited(
    person: Callable[..., Person],
    curator: Person,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        teacher = await make_teacher(session, telegram_id=5002, full_name="Орлова Нина")
        head = await make_teacher(session, telegram_id=CURATOR_ID, full_name="Андросова Л.Ю.")
    assert said(await curator.send("/role"), "Чтобы назначить роль, отправьте /role НОМЕР РОЛЬ")
    # Role names typed in Russian, in any case, are understood.
    granted_now = await set_role(curator, f"/role {teacher.id} Директор")
    assert said(granted_now, "Орлова Нина: роль «директор»")
    assert said(granted_now, "Вы теперь директор", chat_id=5002)  # she is told, too
    granted = await stored(session_pool, 5002)
    assert granted is not None
    assert granted.staff_role == StaffRole.DIRECTOR
    # a director may use the desk; the log reads as Russian
    assert said(await person(5002).send("/audit"), "назначение роли «директор»: Орлова Нина")
    assert said(await set_role(curator, f"/role {head.id} none"), "CURATOR_IDS")
    taken = await set_role(curator, f"/role {teacher.id} нет")
    assert said(taken, "Орлова Нина: роль снята")
    assert said(taken, "Ваша роль в программе наставничества снята", chat_id=5002)
    assert said(await person(5002).send("/audit"), "только кураторам")


async def test_the_export_workbook_opens_with_real_dates_and_no_withdrawn_names(
    curator: Person, bot: MockedBot, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        programme = await make_running_programme(session)
        gone = await make_teacher(session, full_name="Удалова Вера")
        await withdraw_consent(session, gone, ConsentKind.PERSONAL_DATA)
    await curator.send("/export")
    (document,) = [m for m in bot.session.requests if isinstance(m, SendDocument)]
    assert document.document.filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(document.document.data))
    assert book.sheetnames == [
        "Банк наставников",
        "Банк наставляемых",
        "Банк согласий",
        "Пары и приказы",
        "Программы",
        "Мероприятия",
        "Части наставляемых",
        "Журнал наставничества",
        "Обращения",
        "Анкеты",
        "Замены наставников",
    ]
    pairs = book["Пары и приказы"]
    assert pairs.freeze_panes == "A2"
    assert pairs["G2"].value == "62-н"
    assert pairs["H2"].value.date() == date(2026, 9, 1)  # a real date cell
    assert pairs["H2"].number_format == "DD.MM.YYYY"
    activities = book["Мероприятия"]
    assert [row[4].value for row in activities.iter_rows(min_row=2)] == [
        "Мероприятие 1",
        "Мероприятие 2",
        "Мероприятие 3",
    ]
    assert activities["I2"].value.date() == date(2026, 10, 15)
    mentees = book["Банк наставляемых"]
    assert mentees["B2"].value == "Иванова Мария Петровна"
    everything = " ".join(
        str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row
    )
    assert "Удалова" not in everything
    assert programme.id in [row[0].value for row in book["Программы"].iter_rows(min_row=2)]
    assert said(await curator.send("/audit"), "выгрузка таблицы XLSX со всеми данными")


async def test_the_report_counts_and_draws_a_chart(
    curator: Person, bot: MockedBot, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    # The programme runs in the academic year of the run's day, whatever that day is.
    start, end = academic_year(college_today())
    async with session_pool() as session:
        programme = await make_running_programme(
            session, start=start, deadlines=[start + timedelta(days=days) for days in (44, 74, 104)]
        )
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
        mentor = await session.get(Participant, programme.pair.mentor_id)
        first = programme.activities[0]
        await report_activity(session, actor(mentee), first.id, comment="x")
        await review_activity(session, actor(mentor), first.id, confirm=True)
        # confirmed the day after its deadline (on a run before that deadline it is the future)
        late = datetime.combine(first.deadline + timedelta(days=1), time(12), tzinfo=UTC)
        await session.execute(
            update(Activity).where(Activity.id == first.id).values(confirmed_at=late)
        )
        await session.execute(
            update(ActivityProgress)
            .where(ActivityProgress.activity_id == first.id)
            .values(confirmed_at=late)
        )
        await session.commit()
    replies = await curator.send("/report")
    text = texts(replies)[0]
    assert f"Отчёт за {start:%d.%m.%Y} – {end:%d.%m.%Y}" in text
    assert "Наставляемых в банке: 1" in text
    assert "Пар: 1; групп: 0" in text
    assert "Выполнено в срок: 0; с опозданием: 1" in text
    (photo,) = [m for m in replies if isinstance(m, SendPhoto)]
    assert photo.photo.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(photo.photo.data) > 10_000
    replies = await curator.press("Предыдущий учебный год")
    before, after = academic_year(college_today(), 1)
    assert said(replies, f"Отчёт за {before:%d.%m.%Y} – {after:%d.%m.%Y}")
    assert not [m for m in replies if isinstance(m, SendPhoto)]  # nothing to draw


def test_the_academic_year() -> None:
    assert academic_year(date(2026, 11, 25)) == (date(2026, 9, 1), date(2027, 8, 31))
    assert academic_year(date(2027, 8, 31)) == (date(2026, 9, 1), date(2027, 8, 31))
    assert academic_year(date(2026, 11, 25), 1) == (date(2025, 9, 1), date(2026, 8, 31))


async def test_a_broadcast_reaches_its_audience_and_the_curator_gets_a_summary(
    dispatcher: Dispatcher,
    person: Callable[..., Person],
    curator: Person,
    bot: MockedBot,
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        await make_teacher(session, telegram_id=5101)
        await make_teacher(session, telegram_id=5102)
        await make_teacher(session, mentee=False, mentor=True, telegram_id=5103)
    assert said(await person(5101).send("/broadcast"), "только кураторам")
    await curator.send("/broadcast")
    await curator.send("Семинар наставников в пятницу <14:00>")
    replies = await curator.press("Наставляемым")
    assert said(replies, "Получателей: 2")
    assert said(replies, "Кому: Наставляемым")  # the question keeps the answer chosen
    assert said(replies, "&lt;14:00&gt;")  # the curator's text is shown as typed
    assert said(await curator.press("Отправить"), "поставлена в очередь для 2")

    settings.quiet_hours = None
    bot.session.blocked.add(5102)
    jobs = {
        "session_pool": session_pool,
        "settings": settings,
        "i18n": dispatcher["i18n"],
        "clock": SystemClock(),
    }
    before = len(bot.session.requests)
    first = await deliver(bot, **jobs)
    assert (first.sent, first.unreachable) == (1, 1)
    await sweep(**jobs)
    while (await deliver(bot, **jobs)).sent:  # a round takes three of the curator's messages
        pass
    sent = [m for m in bot.session.requests[before:] if isinstance(m, SendMessage)]
    assert {m.chat_id for m in sent} == {5101, 5102, CURATOR_ID}  # never the mentor 5103
    summary = [m.text for m in sent if m.chat_id == CURATOR_ID and "Рассылка №" in m.text]
    assert summary == [
        "Рассылка №1 доставлена: отправлено 1, заблокировали бота 1, не доставлено 0, из 2."
    ]
    await sweep(**jobs)
    while (await deliver(bot, **jobs)).sent:
        pass
    assert (
        len(
            [
                m
                for m in bot.session.requests
                if isinstance(m, SendMessage) and "Рассылка №1 доставлена" in (m.text or "")
            ]
        )
        == 1
    )


async def test_programmes_by_status_with_progress_and_overdue(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        programme = await make_running_programme(session)
    replies = await curator.send("/programmes")
    assert said(replies, f"№{programme.id} Иванова Мария Петровна → Иванова Мария Петровна")
    assert said(replies, "░░░░░░░░ 0 %, до 31.12.2026")
    assert said(replies, "просрочено:")  # its deadlines in 2026 are behind the real today
    replies = await curator.press("Завершённые")
    assert said(replies, "Нет.")
    replies = await curator.press("Действующие")
    assert said(await curator.press(f"Открыть №{programme.id}"), "Персонализированная программа")
    # the card leads to its paper, not only to the history of changes
    paper = await curator.press("Программа документом")
    (sent,) = [m for m in paper if isinstance(m, SendDocument)]
    assert sent.document.filename.startswith("Программа_наставничества_пара_")


async def test_an_invitation_link_preselects_the_role(
    person: Callable[..., Person], curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    await curator.send("/invite")
    replies = await curator.press("Кандидат в наставники")
    (text,) = [t for t in texts(replies) if "t.me/" in t]
    code = text.rsplit("?start=", 1)[1]
    assert text.split("\n")[-1] == f"https://t.me/nastavnik_test_bot?start={code}"

    teacher = person(5201)
    await teacher.send(f"/start {code}")
    await teacher.press("Согласен")
    await fill_profile(teacher)  # ends by choosing the category
    last = texts(teacher.bot.session.requests, 5201)[-1]
    assert "Ваши компетенции" in last  # straight to the mentor questionnaire
    assert not said(teacher.bot.session.requests, "В какой роли", chat_id=5201)
    await fill_mentor(teacher)
    participant = await stored(session_pool, 5201)
    assert participant is not None
    assert participant.mentor_profile is not None
    assert participant.mentee_profile is None

    stranger = person(5202)  # a forged code is ignored: the usual questions follow
    await stranger.send("/start invBOGUS")
    await stranger.press("Согласен")
    await fill_profile(stranger)
    assert said(stranger.bot.session.requests, "В какой роли", chat_id=5202)


PATRONYMICS = (
    "Александровна",
    "Борисовна",
    "Викторовна",
    "Григорьевна",
    "Дмитриевна",
    "Евгеньевна",
    "Игоревна",
    "Константиновна",
    "Леонидовна",
    "Михайловна",
    "Николаевна",
    "Олеговна",
)


async def test_the_banks_filter_page_and_show_a_card(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        programme = await make_running_programme(session)
        waiting = await make_teacher(session, full_name="Орлова Нина")
        candidate = await make_teacher(session, mentee=False, mentor=True, full_name="Зайцев Пётр")
        gone = await make_teacher(session, full_name="Удалова Вера")
        await withdraw_consent(session, gone, ConsentKind.PERSONAL_DATA)
        for patronymic in PATRONYMICS:
            await make_teacher(session, full_name=f"Яковлева Дарья {patronymic}")
    replies = await curator.send("/participants")
    text = texts(replies)[0]
    assert "Найдено: 17" in text
    # one person's line: the singular, not the filter's plural («зарегистрированы»)
    assert f"№{waiting.id} Орлова Нина — зарегистрирован(а), без пары" in text
    replies = await curator.press("Дальше")
    assert said(replies, "Яковлева Дарья Олеговна")  # the 12th, on the second page
    # Erased names come last on every database, and only the number is shown.
    assert texts(replies)[-1].endswith(
        f"№{gone.id} (персональные данные удалены) — отозвал(а) согласие"
    )
    assert not said(replies, "Удалова")
    await curator.press("в паре")
    replies = await curator.press("наставники")
    text = texts(replies)[-1]
    assert "Найдено: 1" in text
    assert f"№{programme.pair.mentor_id}" in text

    await curator.send("/participants")
    replies = await curator.press(f"№{candidate.id} Зайцев")
    assert said(replies, "кандидат, ожидает решения куратора")
    assert said(replies, "Согласие на наставническую деятельность, редакция mentor-2026.1")
    await curator.send("/participants")
    await curator.press(f"№{waiting.id} Орлова")
    year = academic_year(college_today())[0].year
    replies = await curator.press(f"Включить в наставничество в {year}/{year + 1}")
    assert said(replies, "Включить")  # the card was refreshed
    assert said(replies, f"в наставничество в {year}/{year + 1}.")
    await curator.press("Архивировать")
    assert "Вернуть из архива" in str(curator.last_markup()[1])
    await curator.send("/pair")
    pair_list = curator.last_markup()[1]
    assert "Орлова Нина" not in str(pair_list)
    archived = await stored(session_pool, waiting.telegram_id)
    assert archived is not None
    assert archived.archived_at is not None
    assert archived.include_year == year


async def test_requests_also_list_pairs_waiting_for_the_order(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        pair = await make_accepted_pair(session)
    replies = await curator.send("/requests")
    assert said(replies, f"Пара №{pair.id}")
    await curator.press("Утвердить приказом")
    await curator.send("7-н")
    assert said(await curator.send(on("01.10.2026")), "Пара утверждена")
    assert said(await curator.send("/requests"), "Нет обращений")


async def test_the_report_counts_people_by_department(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        programme = await make_running_programme(session)  # the factory's department
        await make_teacher(session, department="ПЦК физической культуры")
        await make_teacher(session, department="ПЦК физической культуры")
    text = texts(await curator.send("/report"))[0]
    assert "По предметно-цикловым комиссиям" in text
    assert "• ПЦК физической культуры: наставников 0, наставляемых 2, в парах 0" in text
    async with session_pool() as session:
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
        assert mentee is not None
        department = mentee.department
    assert f"• {department}: наставников 1, наставляемых 1, в парах 2" in text
