"""Meetings, questions, proposals, a deadline change with the other side's consent, the
mentor's review from /plan, and the curator ending a programme (§10.1.3)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.enums import EndReason, ProgrammeStatus
from models.journal import Meeting, PairMessage
from models.programmes import Programme
from tests.driver import Person, buttons, said, texts
from tests.handlers.flows import draft_programme, form_pair
from tests.story import day, on


async def running(curator: Person, mentee: Person, mentor: Person, activities: int = 2) -> None:
    await form_pair(curator, mentee, mentor)
    await draft_programme(mentor, activities=activities)
    await mentor.press("Отправить наставляемому")
    await mentee.press("Согласен")
    await curator.press("Утвердить программу")


async def test_a_meeting_a_question_and_a_proposal(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, mentor, _ = people
    await form_pair(curator, mentee, mentor)

    await mentee.send("/meeting")
    await mentee.press("Сегодня")
    await mentee.send("Анализ открытого урока")
    await mentee.send("Разобрали структуру занятия")
    await mentee.send("Список приёмов активизации")
    replies = await mentee.press("Пропустить")
    assert said(replies, "Встреча записана в журнал")
    assert said(replies, "«Анализ открытого урока»", chat_id=mentor.user_id)

    await mentee.send("/ask")
    replies = await mentee.send("Как оформить КТП?")
    assert said(replies, "спрашивает: Как оформить КТП?", chat_id=mentor.user_id)
    await mentor.press("Ответить")
    replies = await mentor.send("Покажу образец на встрече")
    assert said(replies, "Покажу образец на встрече", chat_id=mentee.user_id)

    await mentee.send("/propose")
    replies = await mentee.send("Добавить взаимопосещение занятий")
    assert said(replies, "предлагает улучшение программы", chat_id=mentor.user_id)
    assert said(replies, "предлагает улучшение программы", chat_id=curator.user_id)

    async with session_pool() as session:
        meeting = await session.scalar(select(Meeting))
        messages = (await session.scalars(select(PairMessage).order_by(PairMessage.id))).all()
    assert meeting is not None
    assert meeting.topic == "Анализ открытого урока"
    assert [(m.kind, m.answer) for m in messages] == [
        ("question", "Покажу образец на встрече"),
        ("proposal", None),
    ]


async def test_a_deadline_moves_after_both_sides_and_the_curator_agree(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, mentor, _ = people
    await running(curator, mentee, mentor)
    await mentee.send("/request")
    await mentee.press("Перенести срок мероприятия")
    await mentee.press("Мероприятие 1")
    # 01.02.2027 is after the end: refused at the date step, which is asked again
    assert said(await mentee.send(on("01.02.2027")), "в пределах программы")
    await mentee.send(on("20.12.2026"))
    # A summary first; nothing is sent before «Отправить обращение».
    summary = await mentee.send("Болезнь")
    assert said(summary, "Отправить обращение?")
    assert said(summary, f"→ {on('20.12.2026')}")  # the activity's old and new deadline
    assert said(summary, "Мероприятие: Мероприятие 1")
    assert said(summary, "Наставник: Сидоров Иван; наставляемые: Петрова Анна")
    assert not said(summary, "Другая сторона просит", chat_id=mentor.user_id)
    replies = await mentee.press("Отправить обращение")
    assert said(replies, "📨 Отправлено. Сначала соглашается другая сторона")
    assert said(replies, "Другая сторона просит об изменении", chat_id=mentor.user_id)
    # the other side and the curator see which activity, its old and its new deadline, and
    # the pair's people by name (issue 14, part 6)
    async with session_pool() as session:
        programme = await session.scalar(select(Programme))
    assert programme is not None
    before = next(a for a in programme.activities if a.title == "Мероприятие 1").deadline
    shift = f"Срок: {before:%d.%m.%Y} → {on('20.12.2026')}"
    for text in (t for t in texts(replies, mentor.user_id) if "просит об изменении" in t):
        assert "Мероприятие: Мероприятие 1" in text, text
        assert shift in text, text
        assert "Наставник: Сидоров Иван; наставляемые: Петрова Анна" in text, text
    replies = await mentor.press("Согласен")
    assert said(replies, "Новое обращение ждёт вашего решения", chat_id=curator.user_id)
    assert said(replies, shift, chat_id=curator.user_id)
    assert said(replies, "Мероприятие: Мероприятие 1", chat_id=curator.user_id)
    assert said(await curator.send("/requests"), shift)
    await curator.press("Одобрить")
    replies = await curator.send("Уважительная причина")
    assert said(replies, "одобрено: Уважительная причина", chat_id=mentee.user_id)
    async with session_pool() as session:
        programme = await session.scalar(select(Programme))
    assert programme is not None
    moved = next(a for a in programme.activities if a.title == "Мероприятие 1")
    assert moved.deadline == day("20.12.2026")


async def test_the_mentor_reviews_from_plan_and_the_curator_ends_the_programme(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, mentor, _ = people
    await running(curator, mentee, mentor)
    await mentee.send("/done")
    await mentee.press("Мероприятие 1")
    await mentee.send("Провела")
    await mentee.press("Пропустить")
    await mentor.send("/plan")
    await mentor.press("Вернуть 1")
    replies = await mentor.send("Нужен самоанализ")
    assert said(replies, "на доработку «Мероприятие 1»: Нужен самоанализ", chat_id=mentee.user_id)
    # the notice carries the way back to the report, not only «/done»
    (returned,) = [
        m
        for m in replies
        if getattr(m, "chat_id", None) == mentee.user_id and "доработку" in m.text
    ]
    assert "Отметить выполнение" in str(returned.reply_markup)

    await curator.send("/endprogramme")
    await curator.press("№")
    summary = await curator.send("Программа не выполняется")
    assert said(summary, "Досрочно завершить программу №")
    assert not said(summary, "Куратор завершил(а) вашу программу", chat_id=mentee.user_id)
    replies = await curator.press("Завершить программу")
    assert said(replies, "Куратор завершил(а) вашу программу", chat_id=mentee.user_id)
    assert said(replies, "заполните короткую анкету", chat_id=mentor.user_id)
    async with session_pool() as session:
        programme = await session.scalar(select(Programme))
    assert programme is not None
    assert programme.status == ProgrammeStatus.ENDED_EARLY
    assert programme.end_reason == EndReason.BY_CURATOR
    assert said(await mentee.send("/done"), "Отмечать нечего: ваша программа завершена.")


async def test_done_without_a_plan_or_as_the_mentor_says_why_there_is_nothing(
    people, curator: Person
) -> None:
    """Not «every activity is reported» when there is no approved plan yet, or when the open
    activities are the mentee's to report."""
    mentee, mentor, _ = people
    await form_pair(curator, mentee, mentor)
    replies = await mentee.send("/done")
    assert said(replies, "Отмечать пока нечего")
    assert not said(replies, "уже отмечены")
    await draft_programme(mentor, activities=2)
    await mentor.press("Отправить наставляемому")
    await mentee.press("Согласен")
    await curator.press("Утвердить программу")
    replies = await mentor.send("/done")
    assert said(replies, "Вам отмечать нечего: открытые мероприятия отмечает наставляемый")
    assert said(await mentee.send("/done"), "Какое мероприятие выполнено?")


async def test_a_redelivered_update_logs_nothing_twice(
    people, curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    mentee, mentor, _ = people
    await form_pair(curator, mentee, mentor)
    await mentee.send("/meeting")
    await mentee.press("Сегодня")
    await mentee.send("Анализ урока")
    await mentee.send("Разобрали")
    await mentee.send("Итоги")
    first = await mentee.press("Пропустить")
    assert said(first, "Встреча записана в журнал")
    again = await mentee.redeliver()  # e.g. a crash before the offset was confirmed
    assert again == []
    async with session_pool() as session:
        meetings = (await session.scalars(select(Meeting))).all()
    assert len(meetings) == 1


async def test_programme_after_approval_offers_the_plans_buttons(people, curator: Person) -> None:
    """/programme on an approved programme is no dead end: the programme with the plan's
    buttons, a change proposal among them (§10.2)."""
    mentee, mentor, _ = people
    await running(curator, mentee, mentor)
    replies = await mentor.send("/programme")
    assert said(replies, "Программа утверждена")
    _, markup = mentor.last_markup()
    labels = [label for label, _data in buttons(markup)]
    assert "✏ Предложить изменение (п. 10.2)" in labels
    assert any("встреч" in label for label in labels)  # «Log a meeting» too


async def test_a_mentor_list_from_an_earlier_pair_command_is_refused_at_once(
    people, curator: Person
) -> None:
    """A mentee paired since: «1. Сидоров Иван» on the old list says so at once, instead of
    asking for the forms and the type and refusing only at «Отправить предложение»."""
    mentee, mentor, _ = people
    await curator.send("/pair")
    await curator.press("Петрова Анна")
    _, old_list = curator.last_markup()
    first = next(data for label, data in buttons(old_list) if label.startswith("1. Сидоров"))
    await form_pair(curator, mentee, mentor)
    replies = await curator.press_data(first)
    assert said(replies, "У этого наставляемого уже есть наставник или ожидающее предложение")
    assert not said(replies, "Формы наставничества")


async def test_a_double_tap_on_an_activity_asks_for_the_report_once(
    people, curator: Person
) -> None:
    mentee, mentor, _ = people
    await running(curator, mentee, mentor)
    await mentee.send("/done")
    _, choice = mentee.last_markup()
    data = next(data for label, data in buttons(choice) if label.startswith("Мероприятие 1"))
    first = await mentee.press_data(data)
    assert said(first, "«Мероприятие 1»")
    second = await mentee.press_data(data)
    assert not said(second, "«Мероприятие 1»")  # the question is not asked a second time
    replies = await mentee.send("Провела")
    assert not said(replies, "Пожалуйста")  # the answer is taken by the one open question
