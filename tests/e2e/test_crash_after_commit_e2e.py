"""SIGKILL right after a decision's commit (issue 12), over HTTP with the real process.

Each decision is committed, then the bot answers the person who decided — that answer hangs in
Telegram, so the process is inside the handler after the commit and before any notice went out
— and the process is killed (SIGKILL: no shutdown, no goodbye). Telegram never got the
confirmation of the update, so it delivers it again after the restart. Each notice of the
decision was written in the decision's own transaction: the restarted process's delivery sends
each exactly once, and the redelivered update is recognised as processed — the decision is not
applied a second time.

Every decision kind shares one process (one start, one kill, one restart: each kind costs a
few steps, not a process): each has its own people, and every decisive step is taken at once,
each decider's answer hanging, so all the decisions are committed with none of their notices
sent when the process is killed."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.emulator import FakeTelegram, FakeUser, Fault
from models.database import create_engine, create_session_pool, upgrade_database
from models.requests import create_request
from tests.conftest import CURATOR_ID
from tests.e2e.conftest import BotProcess, assert_no_traceback
from tests.factories import (
    actor,
    college_today,
    make_accepted_pair,
    make_mentor,
    make_running_programme,
    make_teacher,
    notices_already_delivered,
)


@dataclass
class Kind:
    prepare: Callable[[FakeUser], Awaitable[None]]  # the steps before the decisive one
    decide: Callable[[FakeUser], Awaitable[None]]  # the decisive step (its reply hangs)
    decider: int
    told: dict[int, str]  # recipient -> what they are told, exactly once
    not_told: dict[int, str]  # who must not be told of it (what they must not read)
    applied_once: str  # SQL: a count that must be 1


async def approve_prepare(curator: FakeUser) -> None:
    await curator.send("/requests")
    await curator.expect_and_press("Все согласны", "Утвердить приказом")
    await curator.expect("Номер приказа")
    await curator.send("71-н")
    await curator.expect("Дата приказа")


async def reject_prepare(curator: FakeUser) -> None:
    await curator.send("/requests")
    await curator.expect_and_press("Расписание не совпадает", "Отклонить")
    await curator.expect("Ваш комментарий к решению")


async def ask_prepare(mentee: FakeUser) -> None:
    await mentee.send("/ask")
    await mentee.expect("Напишите вопрос наставнику")


async def propose_prepare(curator: FakeUser) -> None:
    await curator.send("/pair")
    choice = await curator.expect_and_press("Выберите наставляемого", "Петрова Анна")
    # the list is edited in place
    await curator.server.wait_for(lambda: "лучшие совпадения сверху" in choice.text)
    await curator.press(choice, "Сидоров Иван")
    await curator.expect_and_press("Формы наставничества для этой пары", "Готово")
    await curator.expect_and_press("Тип пары", "преподаватель – молодой преподаватель")
    await curator.expect("Проверьте предложение")


async def propose_decide(curator: FakeUser) -> None:
    summary = [m for m in curator.server.chat(curator.user_id) if "Проверьте" in m.text][-1]
    await curator.tap(summary, "Отправить предложение")


C1, C2, C3, C4, C5, C6 = 3301, 3302, 3303, 3305, 3306, 3307  # curators given the role
DIRECTOR = 3304
PEOPLE = {  # telegram id -> full name (a surname each: buttons and cards name them)
    3201: "Петрова Анна",  # a mentee the curator pairs
    3202: "Сидоров Иван",  # with this mentor
    3203: "Акимова Ася",  # a pair both accepted, approved by order
    3204: "Архипов Антон",
    3205: "Рябова Рита",  # asks to replace her mentor; the curator rejects it
    3206: "Рыбаков Роман",  # her mentor, who must not read the comment
    3207: "Кузнецова Ксения",  # asks her mentor a question
    3208: "Кузнецов Кирилл",
    3310: "Кандидатова Кира",  # a mentor candidate
    3311: "Отъездова Галина",  # asks for an early end (mentee)
    3312: "Гусев Глеб",  # her mentor
    3313: "Хмелёв Харитон",  # mentor of the programme the curator ends
    3314: "Хохлова Хельга",  # his mentee
    3315: "Старов Олег",  # the mentor being replaced
    3316: "Тимофеева Таисия",  # his mentee
    3317: "Новиков Никита",  # the mentor who takes over
    3318: "Парамонов Пётр",  # a partner who agrees to a new deadline
    3319: "Пескова Полина",  # who asked for it
    3320: "Дроздов Дмитрий",  # a mentor who sends his draft
    3321: "Дёмина Дарья",  # his mentee
    3322: "Агеев Артём",  # a mentor whose mentee agrees
    3323: "Аверина Алла",  # the mentee who agrees
    3324: "Евсеев Евгений",  # a mentor who checks a report
    3325: "Ежова Елена",  # the mentee who reports with a file
    3326: "Фомин Фёдор",  # a mentor
    3327: "Фролова Фаина",  # the mentee who asks to replace him (to the director too)
    3328: "Игнатов Игорь",  # a mentor who invites a co-mentor
    3329: "Ильина Ирина",  # his mentee
    3330: "Помощникова Вера",  # the teacher he invites
    3331: "Ларионов Лев",  # a mentor whose invitation is answered
    3332: "Лаптева Лидия",  # his mentee
    3333: "Помогаева Роза",  # the invited teacher, who agrees
}


async def seed_many(database: Path) -> dict[str, int]:
    """The programmes run around the college's today, whatever the day of the run: begun a month
    ago, their deadlines ahead (no programme ends and nothing is overdue, so the sweep queues
    nothing that would hold a chat's queue up while the notices awaited here wait behind it)."""
    from datetime import timedelta

    from models.comentors import invite_co_mentor
    from models.enums import StaffRole
    from models.pairs import propose_replacement
    from models.programmes import (
        ProgrammeDraft,
        add_activity,
        add_months,
        save_draft,
        submit_programme,
    )
    from models.requests import decide_request
    from tests.factories import CURATOR, make_active_pair

    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade_database(engine)
    ids: dict[str, int] = {}
    today = college_today()
    start = today - timedelta(days=30)
    deadlines = [today + timedelta(days=days) for days in (20, 40, 60)]
    async with create_session_pool(engine)() as session:
        for telegram_id, name in (
            (C1, "Кураторова Вера"),
            (C2, "Кураторова Зоя"),
            (C3, "Кураторова Ия"),
            (C4, "Кураторова Лия"),
            (C5, "Кураторова Мия"),
            (C6, "Кураторова Ноя"),
            (DIRECTOR, "Директорова Ольга"),
        ):
            staff = await make_teacher(session, mentee=False, telegram_id=telegram_id,
                                       full_name=name)  # fmt: skip
            staff.staff_role = StaffRole.DIRECTOR if telegram_id == DIRECTOR else StaffRole.CURATOR
        await session.commit()
        person: dict[int, Any] = {}
        for telegram_id, name in PEOPLE.items():
            if telegram_id == 3310:
                maker = make_teacher(session, mentee=False, mentor=True, telegram_id=telegram_id,
                                     full_name=name)  # fmt: skip
            elif name.split()[0].endswith(("ов", "ев", "ёв", "ин")):  # the men are mentors here
                maker = make_mentor(session, telegram_id=telegram_id, full_name=name)
            else:
                maker = make_teacher(session, telegram_id=telegram_id, full_name=name)
            person[telegram_id] = await maker

        async def running(mentor: int, mentee: int) -> Any:
            pair = await make_active_pair(session, person[mentee], person[mentor])
            return await make_running_programme(session, pair=pair, start=start,
                                                deadlines=deadlines)  # fmt: skip

        await make_accepted_pair(session, person[3203], person[3204])
        rejected = await running(3206, 3205)
        await create_request(session, actor(person[3205]), rejected.pair_id, "replacement",
                             reason="Расписание не совпадает")  # fmt: skip
        await running(3208, 3207)
        early = await running(3312, 3311)
        await create_request(session, actor(person[3311]), early.pair_id, "early_end",
                             reason="Переезд в другой город")  # fmt: skip
        ended = await running(3313, 3314)
        ids["ended"] = ended.id
        replaced = await running(3315, 3316)
        asked = await create_request(session, actor(person[3316]), replaced.pair_id,
                                     "replacement", reason="Не совпадают расписания")  # fmt: skip
        await decide_request(session, CURATOR, asked.id, approve=True, comment="Подберём")
        deadline = await running(3318, 3319)
        drafting = await make_active_pair(session, person[3321], person[3320])
        agreeing = await make_active_pair(session, person[3323], person[3322])
        await running(3324, 3325)
        await running(3326, 3327)
        await running(3328, 3329)
        helped = await running(3331, 3332)
        for pair in (drafting, agreeing):
            mentor = person[3320 if pair is drafting else 3322]
            draft = ProgrammeDraft(
                goal="Освоить проектное обучение", difficulties="Планирование",
                strengths="Цифровые инструменты", forms=["traditional"],
                start_date=start, end_date=add_months(start, 4),
            )  # fmt: skip
            programme = await save_draft(session, actor(mentor), pair.id, draft)
            await add_activity(session, actor(mentor), programme.id, title="Открытый урок",
                               description=None, deadline=deadlines[0],
                               responsible="mentee")  # fmt: skip
            if pair is agreeing:
                ids["agreeing"] = programme.id
                await submit_programme(session, actor(mentor), programme.id)
        await notices_already_delivered(session)
        # asked before the start: the first process's first delivery brings these four
        await propose_replacement(session, CURATOR, replaced.pair_id, person[3317].id)
        await create_request(
            session, actor(person[3319]), deadline.pair_id, "deadline", reason="Болезнь",
            activity_id=deadline.activities[0].id, new_date=deadlines[0] + timedelta(days=10),
        )  # fmt: skip
        await invite_co_mentor(session, actor(person[3331]), helped.pair_id, person[3333].id)
        await session.execute(
            text("UPDATE outbox SET status = 'pending' WHERE key LIKE :key"),
            {"key": f"notice:programme.submitted:{ids['agreeing']}.%"},
        )
        await session.commit()
    await engine.dispose()
    return ids


def every_kind(ids: dict[str, int]) -> list[Kind]:
    """Each decision: its preparation, its decisive step, who is told what exactly once."""

    async def candidate(curator: FakeUser) -> None:
        await curator.send("/candidates")
        await curator.expect("Кандидатова Кира")

    async def accept_candidate(curator: FakeUser) -> None:
        card = [m for m in curator.server.chat(C1) if "Кандидатова Кира" in m.text][-1]
        await curator.tap(card, "Принять в банк наставников")

    async def early_end(curator: FakeUser) -> None:
        await curator.send("/requests")
        await curator.expect_and_press("Переезд в другой город", "Одобрить")
        await curator.expect("Ваш комментарий к решению")

    async def end_by_curator(curator: FakeUser) -> None:
        await curator.send("/endprogramme")
        await curator.expect_and_press("Какая программа завершается", "Хмелёв")
        await curator.expect("Причина (будет записана")
        await curator.send("Не выполняется план")
        await curator.expect("Досрочно завершить программу")

    async def press_last(user: FakeUser, fragment: str, label: str) -> None:
        message = [m for m in user.server.chat(user.user_id) if fragment in m.text][-1]
        await user.tap(message, label)

    async def nothing(_user: FakeUser) -> None:
        return None

    async def expect(user: FakeUser, fragment: str) -> None:
        await user.expect(fragment, timeout=30)

    async def report(mentee: FakeUser) -> None:
        await mentee.send("/done")
        await mentee.expect_and_press("Какое мероприятие выполнено", "Мероприятие 1")
        await mentee.expect("Что сделано?")
        await mentee.send("Провела открытый урок")
        await mentee.expect("Приложите подтверждение")

    async def ask_replacement(mentee: FakeUser) -> None:
        await mentee.send("/request")
        await mentee.expect_and_press("О чём вы хотите попросить куратора", "Заменить наставника")
        await mentee.expect("Укажите причину")
        await mentee.send("Хочу другого наставника")
        await mentee.expect("Отправить обращение?")

    async def draft(mentor: FakeUser) -> None:
        await mentor.send("/programme")
        await mentor.expect("Персонализированная программа")

    async def invite(mentor: FakeUser) -> None:
        await mentor.send("/comentor")
        await mentor.expect_and_press("Ильина Ирина", "Пригласить педагога")
        await mentor.expect("Введите фамилию педагога")
        await mentor.send("Помощникова")
        await mentor.expect("Кого приглашаете?")

    ended = ids["ended"]
    return [
        Kind(propose_prepare, propose_decide, C4,
             {3202: "Куратор предлагает наставническую пару",
              3201: "Куратор предлагает наставническую пару"},
             {}, "SELECT count(*) FROM pairs WHERE mentor_id = "
             "(SELECT id FROM participants WHERE telegram_id = 3202)"),
        Kind(approve_prepare, lambda c: c.send(f"{college_today():%d.%m.%Y}"), C5,
             {3203: "утверждена приказом № 71-н", 3204: "утверждена приказом № 71-н"},
             {}, "SELECT count(*) FROM pairs WHERE order_number = '71-н'"),
        Kind(reject_prepare, lambda c: c.send("Поговорите сначала с наставником"), C6,
             {3205: "отклонено: Поговорите сначала с наставником"},
             {3206: "Обращение №"},  # the comment was written for the mentee (issue 14, part 6)
             "SELECT count(*) FROM requests WHERE decision_comment = "
             "'Поговорите сначала с наставником'"),
        Kind(ask_prepare, lambda m: m.send("Как оценивать практические работы?"), 3207,
             {3208: "спрашивает: Как оценивать практические работы?"},
             {}, "SELECT count(*) FROM pair_messages"),
        Kind(candidate, accept_candidate, C1,
             {3310: "Хорошая новость"}, {}, "SELECT count(*) FROM mentor_profiles "
             "WHERE status = 'accepted' AND decided_by_telegram_id = 3301"),
        Kind(early_end, lambda c: c.send("Согласовано, удачи"), C2,
             {3311: "одобрено: Согласовано, удачи", 3312: "одобрено: Согласовано, удачи"}
             | {3311 + 10_000: "заполните короткую анкету", 3312 + 10_000: "заполните"},
             {}, "SELECT count(*) FROM requests WHERE decision_comment = 'Согласовано, удачи'"),
        Kind(end_by_curator, lambda c: press_last(c, "Досрочно", "Завершить программу"), C3,
             {3313: "Куратор завершил(а) вашу программу", 3314: "Куратор завершил(а)",
              CURATOR_ID: f"Программа №{ended} завершена",
              3313 + 10_000: "заполните короткую анкету", 3314 + 10_000: "заполните"},
             {}, "SELECT count(*) FROM programmes WHERE end_comment = 'Не выполняется план'"),
        Kind(lambda u: expect(u, "Куратор предлагает вам стать наставником"),
             lambda u: press_last(u, "стать наставником", "Согласен"), 3317,
             {3315: "продолжает другой наставник", 3316: "Ваш новый наставник — Новиков",
              CURATOR_ID: "Новиков Никита согласился(ась) стать новым наставником"},
             {}, "SELECT count(*) FROM mentor_replacements"),
        Kind(lambda u: expect(u, "Другая сторона просит об изменении"),
             lambda u: press_last(u, "Другая сторона просит", "Согласен"), 3318,
             {3319: "Другая сторона согласна с обращением", CURATOR_ID: "Болезнь"},
             {}, "SELECT count(*) FROM requests WHERE status = 'pending' AND reason = 'Болезнь'"),
        Kind(draft, lambda u: press_last(u, "Персонализированная программа",
                                             "Отправить наставляемому"), 3320,
             {3321: "Наставник составил(а) проект"}, {},
             "SELECT count(*) FROM programmes WHERE status = 'submitted'"),
        Kind(lambda u: expect(u, "Наставник составил(а) проект"),
             lambda u: press_last(u, "Наставник составил(а) проект", "Согласен"), 3323,
             {3322: "Наставляемый согласовал программу",
              CURATOR_ID: "Программа согласована и ждёт вашего утверждения"},
             {}, "SELECT count(*) FROM programmes WHERE status = 'agreed'"),
        Kind(report, lambda u: u.send_document(b"%PDF-1.4", "Конспект.pdf"), 3325,
             {3324: "Провела открытый урок", 3324 + 20_000: "'file_id': 'up-"}, {},
             "SELECT count(*) FROM activity_progress WHERE evidence_file_id IS NOT NULL"),
        Kind(ask_replacement, lambda u: press_last(u, "Отправить обращение?",
                                                       "Отправить обращение"), 3327,
             {CURATOR_ID: "Хочу другого наставника", DIRECTOR: "Копия директору"},
             {}, "SELECT count(*) FROM requests WHERE reason = 'Хочу другого наставника'"),
        Kind(invite, lambda u: press_last(u, "Кого приглашаете?", "Помощникова Вера"), 3328,
             {3330: "Наставник Игнатов Игорь приглашает вас"}, {},
             "SELECT count(*) FROM co_mentors WHERE participant_id = "
             "(SELECT id FROM participants WHERE telegram_id = 3330)"),
        Kind(lambda u: expect(u, "Наставник Ларионов Лев приглашает вас"),
             lambda u: press_last(u, "Ларионов Лев приглашает вас", "Согласен"), 3333,
             {3331: "Помогаева Роза согласился(-ась) помогать вашей паре",
              CURATOR_ID: "Помогаева Роза теперь помогает паре"},
             {}, "SELECT count(*) FROM co_mentors WHERE status = 'accepted'"),
    ]  # fmt: skip


def told(telegram: FakeTelegram, recipient: int, fragment: str) -> list[str]:
    """What a recipient read with this fragment; +10_000: a second fragment to the same chat
    (a questionnaire besides a notice), +20_000: a document by its file name."""
    if recipient >= 20_000 + 3000 and recipient < 30_000:
        chat = recipient - 20_000
        return [
            str(m.document)
            for m in telegram.chat(chat)
            if m.document and fragment in str(m.document)
        ]
    chat = recipient - 10_000 if recipient >= 10_000 + 3000 else recipient
    return [m.text for m in telegram.chat(chat) if fragment in m.text]


async def test_killed_right_after_the_commits_each_notice_arrives_once(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    database = tmp_path / "e2e.db"
    kinds = every_kind(await seed_many(database))
    bot = BotProcess(
        telegram, database, tmp_path / "bot.log", extra_env={"DELIVERY_INTERVAL_SECONDS": "600"}
    )
    await bot.start()
    users = {user_id: telegram.user(user_id) for user_id in (C1, C2, C3, C4, C5, C6, *PEOPLE)}
    for kind in kinds:
        await kind.prepare(users[kind.decider])
    stuck = [
        Fault("*", 504, "Gateway Timeout", chat_id=kind.decider, hang=60, times=10_000)
        for kind in kinds
    ]
    telegram.faults.extend(stuck)
    seen = len(telegram.calls)
    first = len(telegram.pushed)
    for kind in kinds:  # every decisive step at once
        await kind.decide(users[kind.decider])
    decisive = telegram.pushed[first:]
    for kind in kinds:  # each decision committed, each process stuck answering its decider
        await telegram.wait_for(
            lambda k=kind: any(
                str(p.get("chat_id")) == str(k.decider) for _m, p in telegram.calls[seen:]
            ),
            timeout=30,
        )
    for kind in kinds:
        for recipient, fragment in kind.told.items():
            assert told(telegram, recipient, fragment) == [], (recipient, fragment)
    await bot.kill()
    for fault in stuck:
        telegram.faults.remove(fault)
    for update in reversed(decisive):  # no confirmation reached Telegram
        await telegram.give_back(update)

    bot.extra_env = {}
    await bot.start()
    try:
        for kind in kinds:
            for recipient, fragment in kind.told.items():
                await telegram.wait_for(
                    lambda r=recipient, f=fragment: told(telegram, r, f), timeout=30
                )
        await telegram.settle(idle=3, timeout=30)  # two more delivery rounds: nothing again
    finally:
        await bot.stop()
    with sqlite3.connect(database) as db:
        for kind in kinds:
            for recipient, fragment in kind.told.items():
                assert len(told(telegram, recipient, fragment)) == 1, (recipient, fragment)
            for recipient, fragment in kind.not_told.items():
                assert told(telegram, recipient, fragment) == [], (recipient, fragment)
            assert db.execute(kind.applied_once).fetchone() == (1,), kind.applied_once
    assert not told(telegram, DIRECTOR, "Хочу другого наставника")[1:]  # the copy, no card
    assert not [m for m in telegram.chat(DIRECTOR) if "Новое обращение ждёт" in m.text
                and "Хочу другого наставника" in m.text]  # fmt: skip
    log = bot.log_text()
    assert log.count("was already processed: skipped") >= len(kinds)
    assert_no_traceback(log)
