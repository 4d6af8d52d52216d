"""Every command of every role, and every button of their answers, through the emulator with
Telegram's HTML rules on: no text Telegram would refuse, no «something went wrong».

A press or a command that opens a form is driven through it: a typed question gets a plausible
answer from `answers()` (keyed by the form's state), a question with buttons gets one of them
pressed, until the form ends (a summary confirmed, a decision taken) or `FORM_STEPS` run out. So
the summaries and outcomes behind typed questions (a request's reason, a programme's ending
reason, a broadcast, a role change, a pair proposal, a change proposal, a roadmap event, a
library item, a wish, the staff list…) are checked too, not only the first press."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.fsm.context import FSMContext
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import CURATOR_COMMANDS, PARTICIPANT_COMMANDS
from bot.emulator import BotMessage, FakeTelegram, FakeUser
from bot.factory import create_bot, create_dispatcher
from bot.i18n import create_i18n
from bot.sandbox.app import sandbox_settings
from bot.sandbox.seed import CURATOR_ID, Persona, seed_demo
from handlers import (
    activities,
    best_cases,
    changes,
    choice,
    comentors,
    journal,
    library,
    mentee_card,
    pairs,
    requests,
)
from handlers import survey as surveys
from handlers.curator import (
    approvals,
    broadcast,
    departments,
    pairing,
    proposals,
    publish,
    roadmap,
)
from handlers.curator import requests as decisions
from handlers.onboarding.registration import REGISTRATION, Registration
from handlers.profile import ProfileEditing
from handlers.programme import drafting, review
from models.access import Actor
from models.choice import set_shown
from models.database import create_engine, create_session_pool, upgrade_database
from models.enums import StaffRole
from models.fields import FIELDS
from models.pairs import answer_pair, approve_pair, propose_pair
from models.participant import get_participant
from scheduler.clock import SystemClock
from tests.driver import detach_routers
from tests.factories import make_teacher
from tests.staff_files import teachers, workbook

MESSAGES_PER_COMMAND = 2  # the first messages with buttons that a command brings
BUTTONS_PER_MESSAGE = 6
DEPTH = 1  # the buttons of what a press brings are pressed too (one level)
FORM_STEPS = 12  # at most this many answers and presses to drive one form to its end
# Not pressed: they end the person's participation, or switch the rest of the crawl out of
# Russian (English is checked by the same rules, but the Russian catalogue is the one at risk).
FINAL = ("Отозвать", "Не согласен", "Завершить досрочно", "English")
# Not pressed while driving a form: they leave it instead of going forward.
BACKWARD = ("Назад", "⬅", "‹", "✖", "Отмен", "Начать заново", "Не отправлять")
DONE = ("Готово", "Done")
ERROR_TEXT = "Что-то пошло не так"
DIRECTOR_ID = 5_550_001
NEWCOMER_ID = 5_550_002
IDLE = 0.05

Answer = str | Callable[[dict[str, object]], str]


def answers(today: date) -> dict[str, list[Answer]]:
    """What a person types at each question of a form: a plausible value, with alternatives
    when the first may be refused (a deadline outside the programme, a date in the past)."""

    def day(days: int) -> str:
        return (today + timedelta(days=days)).strftime("%d.%m.%Y")

    def field(key: str) -> str:
        spec = FIELDS[key]
        if spec.kind == "int":
            return str(max(spec.min_value, min(2, spec.max_value or 2)))
        if spec.person_name:
            return "Тестова Мария Игоревна"
        return "Обход кнопок: ответ <по существу> & без ошибок"[: spec.max_length or 60]

    def profile_field(data: dict[str, object]) -> str:
        return field(str(data.get("edit_field") or "subjects"))

    def changed_value(data: dict[str, object]) -> str:
        values = {"deadline": day(20), "responsible": "наставник"}
        return values.get(str(data.get("field")), "Новое")

    text = ["Обход кнопок: <проверка> & разметка"]
    future = [day(14), day(30), day(60), day(150), day(200)]
    registration = {
        state: [lambda _data, key=key: field(key)]
        for state, key in ((step.state.state, step.key) for step in REGISTRATION.steps)
        if key in FIELDS and FIELDS[key].kind in ("text", "int")
    }
    return {
        **registration,
        choice.Wishing.reason.state: text,
        comentors.InvitingCoMentor.entering_name.state: ["Волкова", "Кузнецова"],
        requests.Requesting.entering_date.state: future,
        requests.Requesting.entering_reason.state: text,
        library.Adding.title.state: ["Памятка наставнику"],
        library.Adding.content.state: ["https://example.org/pamyatka"],
        library.Adding.tags.state: ["памятка, старт"],
        mentee_card.Proposing.text.state: text,
        pairs.PairDeclining.entering_reason.state: text,
        drafting.Drafting.entering_goal.state: text,
        drafting.Drafting.entering_difficulties.state: text,
        drafting.Drafting.entering_strengths.state: text,
        drafting.Drafting.entering_start.state: ["сегодня", day(1)],
        drafting.Drafting.entering_end.state: [day(120), day(90)],
        drafting.AddingActivity.entering_title.state: ["Открытое занятие"],
        drafting.AddingActivity.entering_description.state: text,
        drafting.AddingActivity.entering_deadline.state: future,
        drafting.AddingActivity.entering_expected_result.state: text,
        review.Commenting.entering_comment.state: text,
        surveys.Surveying.entering_comment.state: text,
        changes.Proposing.add_title.state: ["Взаимопосещение"],
        changes.Proposing.add_description.state: text,
        changes.Proposing.add_deadline.state: future,
        changes.Proposing.add_expected.state: text,
        changes.Proposing.edit_value.state: [changed_value],
        changes.Proposing.end_date.state: [day(150), day(100), day(200)],
        changes.Proposing.reason.state: text,
        changes.Refusing.comment.state: text,
        pairing.PairApproving.entering_order_number.state: ["45-о"],
        pairing.PairApproving.entering_order_date.state: ["сегодня"],
        roadmap.RoadmapEditing.period.state: [f"10.{today.year}-11.{today.year}", "-"],
        roadmap.RoadmapEditing.responsible.state: ["Куратор наставничества"],
        roadmap.RoadmapEditing.content.state: text,
        roadmap.RoadmapEditing.documents.state: text,
        roadmap.RoadmapEditing.event.state: [f"{day(10)} 14:00; ауд. 214; Установочная сессия"],
        decisions.Deciding.entering_comment.state: text,
        decisions.Ending.entering_reason.state: text,
        best_cases.Describing.goal.state: text,
        best_cases.Describing.done.state: text,
        best_cases.Describing.results.state: text,
        best_cases.Describing.lessons.state: text,
        proposals.AnsweringProposal.entering_comment.state: text,
        publish.Editing.typing_date.state: ["сегодня", day(-7), day(7)],
        publish.Editing.typing_item.state: text,
        approvals.Returning.comment.state: text,
        broadcast.Broadcasting.writing.state: text,
        departments.Naming.entering_new.state: ["ПЦК обхода кнопок"],
        departments.Naming.entering_rename.state: ["ПЦК обхода кнопок 2"],
        ProfileEditing.entering_value.state: [profile_field],
        activities.Reporting.entering_comment.state: text,
        activities.Returning.entering_comment.state: text,
        journal.LoggingMeeting.entering_date.state: ["сегодня"],
        journal.LoggingMeeting.entering_topic.state: text,
        journal.LoggingMeeting.entering_done.state: text,
        journal.LoggingMeeting.entering_result.state: text,
        journal.LoggingMeeting.entering_next.state: text,
        journal.Writing.entering_text.state: text,
        journal.Writing.entering_reply.state: text,
    }


# Typed questions the crawl must reach and answer: the summaries behind them are the point.
MUST_ANSWER = {
    requests.Requesting.entering_reason.state,
    decisions.Ending.entering_reason.state,
    broadcast.Broadcasting.writing.state,
    changes.Proposing.reason.state,
    roadmap.RoadmapEditing.event.state,
    library.Adding.title.state,
    choice.Wishing.reason.state,
    journal.LoggingMeeting.entering_next.state,
    drafting.AddingActivity.entering_title.state,
    Registration.entering_competences.state,
}


async def approved_pair(session: AsyncSession, mentor: int, mentee: int, today: date) -> None:
    """A pair with its order and no programme yet: the mentor drafts one in the crawl."""
    people = [await get_participant(session, telegram_id) for telegram_id in (mentor, mentee)]
    assert None not in people
    people[0].mentor_profile.capacity += 1  # type: ignore[union-attr]
    curator = Actor(CURATOR_ID, None, is_curator=True)
    pair = await propose_pair(
        session,
        curator,
        mentee_id=people[1].id,  # type: ignore[union-attr]
        mentor_id=people[0].id,  # type: ignore[union-attr]
        forms=["traditional"],
        pair_type="teacher_young",
    )
    for person in people:
        await answer_pair(session, Actor(person.telegram_id, person.id), pair.id, accept=True)
    await approve_pair(session, curator, pair.id, order_number="77-н", order_date=today)


class Crawler:
    def __init__(
        self, telegram: FakeTelegram, dispatcher: Dispatcher, bot: Bot, today: date
    ) -> None:
        self.telegram = telegram
        self.dispatcher = dispatcher
        self.bot = bot
        self.answers = answers(today)
        self.presses = 0
        self.answered: Counter[str] = Counter()
        self.unanswered: set[str] = set()  # form states left with no answer and no button
        self.seen: set[tuple[int, str]] = set()  # (person, kind of button) pressed already

    def form(self, user: FakeUser) -> FSMContext:
        return self.dispatcher.fsm.get_context(self.bot, user.user_id, user.user_id)

    def newest(self) -> int:
        return max(self.telegram.messages, default=0)

    def brought(self, user: FakeUser, before: int) -> list[BotMessage]:
        chat = self.telegram.chat(user.user_id)
        return [m for m in chat if m.message_id > before and m.buttons()]

    async def tap(self, user: FakeUser, message: BotMessage, label: str) -> None:
        await user.tap(message, label)
        await self.telegram.settle(idle=IDLE)
        self.presses += 1

    async def drive(self, user: FakeUser, since: int) -> bool:
        """While a form is open: type the answer to a typed question, or press the button that
        goes forward (an option, then «Готово»; «✅» of a summary) on the newest message."""
        form = self.form(user)
        tries: Counter[str] = Counter()
        pressed: list[tuple[int, str]] = []
        for step in range(FORM_STEPS):
            state = await form.get_state()
            if state is None:
                return step > 0
            options = self.answers.get(state, [])
            if tries[state] < len(options):
                answer = options[tries[state]]
                tries[state] += 1
                value = answer if isinstance(answer, str) else answer(await form.get_data())
                await user.send(value)
                await self.telegram.settle(idle=IDLE)
                if await form.get_state() != state:
                    self.answered[state] += 1
                continue
            waiting = [m for m in self.telegram.chat(user.user_id) if m.message_id > since]
            with_buttons = [m for m in waiting if m.buttons()]
            if not with_buttons:
                self.unanswered.add(state)
                return True
            message = with_buttons[-1]
            labels = [
                b["text"]
                for b in message.buttons()
                if not any(word in b["text"] for word in FINAL + BACKWARD)
            ]
            here = [label for mid, label in pressed if mid == message.message_id]
            done = [label for label in labels if any(word in label for word in DONE)]
            ticked = any(label.startswith("✅") for label in labels if label not in done)
            fresh = [label for label in labels if label not in here and label not in done]
            if done and (ticked or here) and here[-1:] != done[:1]:
                label = done[0]  # a multiple choice: the options ticked, then «Готово»
            elif fresh:
                label = fresh[0]
            else:
                self.unanswered.add(state)
                return True
            pressed.append((message.message_id, label))
            await self.tap(user, message, label)
        return True

    async def press_all(self, user: FakeUser, messages: list[BotMessage], depth: int) -> None:
        """Press the buttons of these messages (driving any form a press opens); with `depth`
        left, also the buttons of the message a press leads to (a role menu, a card's actions,
        the outcome of a form); one level further, only the «➕» ones (an event of a stage, a
        material of an event). A button of a kind this person pressed before (the same data
        but for the numbers: another person's card, another page) is skipped."""
        for message in messages:
            buttons = message.buttons()
            if depth < 0:
                chosen = [b for b in buttons if b["text"].startswith("➕")]
            else:
                chosen = buttons[:BUTTONS_PER_MESSAGE] + [
                    b for b in buttons[BUTTONS_PER_MESSAGE:] if b["text"].startswith(("➕", "✅"))
                ]
            for button in chosen:
                label = button["text"]
                kind = (user.user_id, re.sub(r"\d+", "#", button.get("callback_data", "")))
                if any(word in label for word in FINAL) or kind in self.seen:
                    continue
                current = self.telegram.messages[message.message_id]
                if not any(b["text"] == label for b in current.buttons()):
                    continue  # an earlier press changed this message's buttons
                self.seen.add(kind)
                before = self.newest()
                await self.tap(user, current, label)
                drove = await self.drive(user, before)
                if depth >= 0:
                    brought = self.brought(user, before)
                    # After a form, what it ended with (a draft, a summary's outcome).
                    await self.press_all(user, brought[-1:] if drove else brought[:1], depth - 1)

    async def crawl(self, persona: Persona, commands: list[str]) -> None:
        user = self.telegram.user(persona.telegram_id, persona.name.split()[1])
        for command in commands:
            before = self.newest()
            await user.send(command)
            await self.telegram.settle(idle=IDLE)
            if command == "/stafflist":  # the list arrives as a file; its preview has «Apply»
                await user.send_document(workbook(teachers(3)), "Список.xlsx")
                await self.telegram.settle(idle=IDLE)
            await self.drive(user, before)
            fresh = self.brought(user, before)[:MESSAGES_PER_COMMAND]
            await self.press_all(user, fresh, DEPTH)
            if await self.form(user).get_state() is not None:
                await user.send("/cancel")
                await self.telegram.settle(idle=IDLE)


async def test_every_command_and_button_of_every_role(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    settings = sandbox_settings(telegram.url, tmp_path / "crawl.db")
    engine = create_engine(settings.database_url)
    await upgrade_database(engine)
    session_pool = create_session_pool(engine)
    clock = SystemClock()
    today = clock.now().astimezone(settings.timezone).date()
    async with session_pool() as session:
        personas = await seed_demo(session, today)
        head = await make_teacher(
            session, mentee=False, telegram_id=DIRECTOR_ID, full_name="Бондаренко Ирина Павловна"
        )
        head.staff_role = StaffRole.DIRECTOR
        await session.commit()
        mentor = next(p for p in personas if p.role == "mentor")  # the one crawled
        newcomer = await make_teacher(
            session, telegram_id=NEWCOMER_ID, full_name="Орлова Вера Павловна"
        )
        await approved_pair(session, mentor.telegram_id, newcomer.telegram_id, today)
        for other in [p for p in personas if p.role == "mentor"][1:]:  # shown to the choosing
            shown = await get_participant(session, other.telegram_id)
            assert shown is not None
            await set_shown(session, Actor(other.telegram_id, shown.id), True)
    # The seed's one mentee without a mentor or a proposed pair.
    single = next(p for p in personas if p.name == "Фёдоров Никита Алексеевич")
    bot = create_bot(settings)
    dispatcher = create_dispatcher(settings, session_pool, i18n=create_i18n("ru"), clock=clock)
    polling = asyncio.create_task(
        # One update at a time: `settle` then knows an update is handled when it is confirmed.
        dispatcher.start_polling(
            bot, handle_signals=False, polling_timeout=1, handle_as_tasks=False
        )
    )
    everyone = [f"/{name}" for name, _text in PARTICIPANT_COMMANDS]
    curator = everyone + [f"/{name}" for name, _text in CURATOR_COMMANDS]
    # The director's desk leads to the roadmap, the bank entries and the applications; the
    # rest of the director's menu is the curator's, crawled already.
    director = ["/today", "/approvals"]
    crawler = Crawler(telegram, dispatcher, bot, today)
    started = time.monotonic()
    try:
        await telegram.polling.wait()
        # The participants first (their requests, proposals and reports wait for the curator
        # then), the curator, and the director last (the bank entries and the roadmap). The
        # mentee without a mentor before the others: the curator may pair or archive him.
        chosen = [
            next(p for p in personas if p.role == role) for role in ("mentee", "mentor", "curator")
        ]
        await crawler.crawl(single, ["/mentors"])  # a mentee without a mentor chooses one
        await crawler.crawl(chosen[0], everyone)
        await crawler.crawl(chosen[1], everyone)
        await crawler.crawl(chosen[2], curator)
        await crawler.crawl(Persona("director", "Бондаренко Ирина Павловна", DIRECTOR_ID), director)
    finally:
        await dispatcher.stop_polling()
        await polling
        await bot.session.close()
        await engine.dispose()
        detach_routers(dispatcher)  # the module routers join the next test's dispatcher
    print(
        f"crawl: {crawler.presses} presses, {sum(crawler.answered.values())} typed answers "
        f"taken in {time.monotonic() - started:.0f} s; forms left without an answer: "
        f"{sorted(crawler.unanswered)}"
    )
    assert crawler.presses > 80  # the crawl really pressed buttons, and those of what they brought
    assert set(crawler.answered) >= MUST_ANSWER, MUST_ANSWER - set(crawler.answered)
    failed = [m.text[:120] for m in telegram.messages.values() if ERROR_TEXT in m.text]
    assert failed == []
    # The `telegram` fixture fails the test if any text was refused as unparsable HTML.
