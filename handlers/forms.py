"""The form engine: every multi-step input of the bot (a programme draft, a new activity, a
meeting record, a question to the mentor, a request, a broadcast…) is a `Form`, an ordered
list of `Step`s, and this module answers all of its updates.

A step declares its FSM state, the key its answer is stored under, its question (the field's
prompt and buttons by default), how a typed answer is read and checked (the field's `clean()`
by default; a domain error raised there is the validation message, and the step stays),
whether it may be skipped (the field is `optional`: a «Skip» button), its own buttons, and
whether a pressed answer replaces the question by a one-line summary. The engine registers,
on the form's router, one handler for what is typed, one for what is pressed (an option,
Done, Skip, Back) and asks the next step, or calls the form's `finish` after the last one.
/cancel keeps the answers and /start offers to resume (handlers/drafts.py), which asks the
step again through `resume`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.notify import Notifier
from handlers.outcome import show_decided
from models.access import Actor
from models.errors import InvalidValue
from models.fields import FIELDS, FieldSpec
from models.i18n_marker import N_
from rendering.texts import format_value
from rendering.ui import (
    BACK,
    DONE,
    SKIP,
    FormOption,
    MessageGone,
    button_rows,
    chat_of,
    label,
    set_buttons,
    show_outcome,
    shown,
    step_keyboard,
)

STALE = N_("This button is no longer valid.")
NOT_TEXT = N_("Please send the answer as text.")
TAP = N_("Please tap one of the buttons above, or send /cancel to stop.")
Question = tuple[str, InlineKeyboardMarkup | None]


class _Hold:
    """A reader's result meaning «no answer yet, the step stays» (the person was asked to
    confirm an unlikely date, say)."""


HOLD: Final = _Hold()


@dataclass
class Turn:
    """One update inside a form: the message to answer under (the person's, or the bot's
    message whose button was pressed), the form's state and the handler's data (session,
    actor, today, notifier…)."""

    message: Message | InaccessibleMessage
    state: FSMContext
    deps: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str | None:
        return self.message.text if isinstance(self.message, Message) else None

    @property
    def sent(self) -> Message:
        """The person's message (a typed answer's turn)."""
        if not isinstance(self.message, Message):
            raise MessageGone()
        return self.message

    @property
    def session(self) -> AsyncSession:
        session: AsyncSession = self.deps["session"]
        return session

    @property
    def actor(self) -> Actor:
        actor: Actor = self.deps["actor"]
        return actor

    @property
    def today(self) -> date:
        today: date = self.deps["today"]
        return today

    @property
    def notifier(self) -> Notifier:
        notifier: Notifier = self.deps["notifier"]
        return notifier

    async def answers(self) -> dict[str, Any]:
        return await self.state.get_data()


Reader = Callable[[Turn], Awaitable[Any]]
Presser = Callable[[Turn, str], Awaitable[Any]]
Asker = Callable[[Turn], Awaitable[Question]]
Hook = Callable[[Turn], Awaitable[None]]


@dataclass(frozen=True)
class Step:
    state: State
    key: str  # the FSM data key of the answer (and, by default, its field in models.fields)
    question: str | Asker | None = None  # a gettext id, or built from the answers; default:
    # the field's prompt with its buttons (options, Done, Skip when optional, Back)
    read: Reader | None = None  # a typed answer → its value (raise InvalidValue to refuse,
    # return HOLD to stay); default: the field's clean() (or a typed option of a choice)
    press: Presser | None = None  # a button of the step's own (FormOption(field=key, code))
    summary: bool = True  # a pressed answer replaces the question by «label: value»;
    # False: the question keeps its text and loses its buttons
    toast: str | None = None  # a gettext id shown on the pressed button's answer
    decided: Callable[[Any], str] | None = None  # the pressed answer is a decision: the
    # question shows this outcome with who and when (handlers.outcome.show_decided)
    line: Callable[[Any, dict[str, Any]], str] | None = None  # the pressed answer's summary
    # (from the answer and the answers so far, e.g. what the finished form made), for a
    # step without a field
    media: bool = False  # a photo or a document is an answer too
    text: bool = True  # a text is an answer (False: a file or a photo only)
    skip: bool = False  # a Skip button (the answer None) on a step without a field
    refusal: str | None = None  # what a message of the wrong kind is told (default: «send
    # text» at a typed step, «tap a button» at a step answered with buttons)
    field: Callable[[dict[str, Any]], FieldSpec | None] | None = None  # the field asked when
    # the answers choose it (the profile field being changed); the answer is stored under its key
    after: Hook | None = None  # once the answer is stored: save a finished part, check it
    # against the answers before it

    def spec(self, answers: dict[str, Any]) -> FieldSpec | None:
        return self.field(answers) if self.field else FIELDS.get(self.key)

    def typed(self, spec: FieldSpec | None) -> bool:
        """An answer is typed (else: tapped on a button)."""
        if spec is not None and spec.kind in ("choice", "multi"):
            return False
        return self.read is not None or spec is not None or self.press is None


def _key(step: Step, spec: FieldSpec | None) -> str:
    return spec.key if spec is not None and step.field else step.key


_FORMS: dict[str, tuple[Form, Step]] = {}  # a step's state name → its form and step


class Form:
    """Steps in order; `finish` receives the turn of the last answer. `order` chooses, from the
    answers so far, the steps a person goes through (the registration's depend on the role);
    `guard` runs before every answer is taken."""

    def __init__(
        self,
        steps: Sequence[Step],
        finish: Hook,
        *,
        back: bool = False,
        order: Callable[[dict[str, Any]], Sequence[Step]] | None = None,
        guard: Hook | None = None,
    ) -> None:
        self.steps = tuple(steps)
        self.finish = finish
        self.back = back  # a «⬅ Back» button under every step but the first
        self.order = order
        self.guard = guard
        for step in self.steps:
            _FORMS[step.state.state or ""] = (self, step)

    def step_at(self, state_name: str | None) -> Step:
        for step in self.steps:
            if step.state.state == state_name:
                return step
        raise InvalidValue(STALE)

    def neighbour(self, answers: dict[str, Any], step: Step, offset: int) -> Step | None:
        steps = tuple(self.order(answers)) if self.order else self.steps
        if step not in steps:
            return None
        index = steps.index(step) + offset
        return steps[index] if 0 <= index < len(steps) else None

    def register(self, router: Router) -> None:
        states = StateFilter(*(step.state for step in self.steps))
        router.message(states)(self._typed)
        router.callback_query(FormOption.filter(), states)(self._pressed)

    async def start(self, turn: Turn, answers: dict[str, Any], step: Step | None = None) -> None:
        """Open the form with these answers (ids it works on, defaults) at its first step."""
        await turn.state.set_data(answers)
        await self.ask(turn, step or self.first(answers))

    def first(self, answers: dict[str, Any]) -> Step:
        """The first step this person is asked (with these answers)."""
        return (tuple(self.order(answers)) if self.order else self.steps)[0]

    async def question(self, turn: Turn, step: Step) -> Question:
        if callable(step.question):
            return await step.question(turn)
        answers = await turn.answers()
        spec = step.spec(answers)
        text = _(step.question) if step.question else _(spec.prompt) if spec else ""
        if spec is None:
            skip = button_rows([(_("Skip"), FormOption(field=step.key, code=SKIP))])
            return text, skip if step.skip else None
        selected = answers.get(spec.key) or () if spec.kind == "multi" else ()
        back = self.back and self.neighbour(answers, step, -1) is not None
        return text, step_keyboard(spec, selected, back=back)

    async def ask(
        self, turn: Turn, step: Step, *, edit: bool = False, lead: str | None = None
    ) -> None:
        """Move to `step` and show its question (editing the bot's message on Back); `lead`
        opens the same message (a word before the form's first question: one message, not
        two). A form's step is always asked again without it (`resume`)."""
        await turn.state.set_state(step.state)
        text, markup = await self.question(turn, step)
        if lead:
            text = f"{lead}\n\n{text}"
        if edit and isinstance(turn.message, Message):
            await turn.message.edit_text(text, reply_markup=markup)
        else:
            await turn.message.answer(text, reply_markup=markup)

    async def answered(self, turn: Turn, step: Step, key: str, value: Any) -> None:
        """Keep the answer, then ask the next step or finish."""
        following = await self.take(turn, step, key, value)
        if following is None:
            await self.finish(turn)
        else:
            await self.ask(turn, following)

    async def take(self, turn: Turn, step: Step, key: str, value: Any) -> Step | None:
        """Keep the answer (after the guard, then the step's `after`); the step that follows."""
        if self.guard is not None:
            await self.guard(turn)
        await turn.state.update_data({key: value})
        if step.after is not None:
            await step.after(turn)
        return self.neighbour(await turn.answers(), step, +1)

    async def _typed(self, message: Message, state: FSMContext, **deps: Any) -> None:
        """What is typed (or sent) at a step: read and checked, or refused with the reason."""
        step = self.step_at(await state.get_state())
        turn = Turn(message, state, deps)
        spec = step.spec(await turn.answers())
        typed = step.typed(spec)
        if not (
            (step.text and message.text) or (step.media and (message.photo or message.document))
        ):
            await message.answer(_(step.refusal or (NOT_TEXT if typed else TAP)))
            return
        if not typed:
            await self._typed_instead_of_tapping(turn, step, spec)
            return
        if step.read is not None:
            value = await step.read(turn)
        else:
            value = spec.clean(message.text) if spec is not None else message.text
        if value is not HOLD:
            await self.answered(turn, step, _key(step, spec), value)

    async def _typed_instead_of_tapping(
        self, turn: Turn, step: Step, spec: FieldSpec | None
    ) -> None:
        """A one-choice answer typed as its label or number is taken as if tapped; otherwise
        the same question comes again with its buttons and one line on what is expected."""
        option = typed_option(spec, turn.text or "") if spec and spec.kind == "choice" else None
        if spec is not None and option is not None:
            await turn.message.answer(answer_line(spec, option.value))
            await self.answered(turn, step, _key(step, spec), option.value)
            return
        text, markup = await self.question(turn, step)
        hint = _("Please choose with a button below (or send /cancel to stop).")
        await turn.message.answer(f"{hint}\n\n{text}", reply_markup=markup)

    async def _pressed(
        self, query: CallbackQuery, callback_data: FormOption, state: FSMContext, **deps: Any
    ) -> None:
        """A button of the step: Back, Skip, one of its options (ticked until Done for a
        multiple choice) or a button of the step's own."""
        step = self.step_at(await state.get_state())
        answers = await state.get_data()
        spec, code = step.spec(answers), callback_data.code
        key = _key(step, spec)
        if callback_data.field != key:
            raise InvalidValue(STALE)
        back = self.back and self.neighbour(answers, step, -1) is not None
        if code == BACK:
            previous = self.neighbour(answers, step, -1)
            if not back or previous is None:
                raise InvalidValue(STALE)
            await self.ask(Turn(shown(query), state, deps), previous, edit=True)
            await query.answer()
            return
        if code == SKIP:
            if not (step.skip or (spec is not None and spec.optional)):
                raise InvalidValue(STALE)
            value: Any = None
        elif spec is not None and spec.kind in ("choice", "multi"):
            answer = await press_option(query, state, spec, code, back=back)
            if answer is None:
                return  # a multiple choice still being ticked
            value = answer.value
        elif step.press is not None:
            value = await step.press(Turn(chat_of(query), state, deps), code)
        else:
            raise InvalidValue(STALE)
        turn = Turn(chat_of(query), state, deps)
        following = await self.take(turn, step, key, value)
        answers = await turn.answers()
        if following is None:  # the last answer is handled before its button goes: if that
            await self.finish(turn)  # fails, the button is still there to press again
            await _show_pressed(query, step, spec, (value, answers), deps)
        else:
            await _show_pressed(query, step, spec, (value, answers), deps)
            await self.ask(turn, following)


async def _show_pressed(
    query: CallbackQuery,
    step: Step,
    spec: FieldSpec | None,
    given: tuple[Any, dict[str, Any]],
    deps: dict[str, Any],
) -> None:
    """The pressed question shows its answer in one line, or keeps its text without buttons."""
    value, answers = given
    if step.decided is not None:
        await show_decided(query, deps["stamp"], step.decided(value))
        await query.answer()
    elif step.summary and step.line is not None:
        await show_outcome(query, step.line(value, answers))
        await query.answer()
    elif step.summary and spec is not None:
        await show_answer(query, spec, value)
    else:
        await set_buttons(query, None)
        await query.answer(_(step.toast) if step.toast else None)


def engine_step(state_name: str | None) -> tuple[Form, Step] | None:
    """The form and step of a state, if the engine runs it."""
    return _FORMS.get(state_name or "")


async def answering(state: FSMContext, step: State, key: str, value: object) -> bool:
    """The person is at `step` of a form about this object (its answers' `key` is `value`):
    a second tap that would open the same question, or a decision that makes it moot."""
    return await state.get_state() == step.state and (await state.get_data()).get(key) == value


async def resume(message: Message, state: FSMContext, deps: dict[str, Any]) -> bool:
    """Ask the current step of a form again (after «continue»). False outside the engine."""
    found = engine_step(await state.get_state())
    if found is None:
        return False
    form, step = found
    await form.ask(Turn(message, state, deps), step)
    return True


# The pieces a form's own handlers share (the registration, the profile, the pairing…).


@dataclass(frozen=True)
class Answer:
    value: Any


async def press_option(
    query: CallbackQuery, state: FSMContext, spec: FieldSpec, code: str, *, back: bool
) -> Answer | None:
    """The step's answer once it is given; None while a multi-select is still being ticked."""
    if code == SKIP:
        if not spec.optional:
            raise InvalidValue(STALE)
        return Answer(None)
    if spec.kind == "choice":
        return Answer(spec.option(code).value)
    if spec.kind != "multi":
        raise InvalidValue(STALE)
    selected: list[str] = list((await state.get_data()).get(spec.key) or [])
    if code == DONE:
        return Answer(spec.clean_selection(selected))
    option = spec.option(code).value
    selected = [c for c in selected if c != option] if option in selected else [*selected, option]
    await state.update_data({spec.key: selected})
    await set_buttons(query, step_keyboard(spec, selected, back=back))
    await query.answer()
    return None


def answer_line(spec: FieldSpec, value: Any) -> str:
    """The one-line summary of an answered step: «Квалификационная категория: Высшая»."""
    return f"{_(spec.label)}: {format_value(spec.key, value)}"


async def show_answer(query: CallbackQuery, spec: FieldSpec, value: Any) -> None:
    """Replace the answered question by a one-line summary (one message per step)."""
    await show_outcome(query, answer_line(spec, value))
    await query.answer()


def _plain(text: str) -> str:
    return " ".join("".join(c for c in text.casefold() if c.isalnum() or c.isspace()).split())


def typed_option(spec: FieldSpec, typed: str) -> Any | None:
    """The option of a one-choice step that a person typed instead of tapping: its label in
    any case («без категории»), the start of exactly one label («высш»), or its number."""
    options = list(spec.options)
    wanted = _plain(typed)
    if not wanted:
        return None
    if wanted.isdigit():
        index = int(wanted) - 1
        return options[index] if 0 <= index < len(options) else None
    labels = [_plain(label(option)) for option in options]
    exact = [o for o, text in zip(options, labels, strict=True) if text == wanted]
    if exact:
        return exact[0]
    starting = [o for o, text in zip(options, labels, strict=True) if text.startswith(wanted)]
    return starting[0] if len(wanted) >= 3 and len(starting) == 1 else None
