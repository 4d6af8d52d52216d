"""Presses on a form step's buttons, shared by registration and profile editing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from models.errors import InvalidValue
from models.fields import FieldSpec
from models.i18n_marker import N_
from rendering.texts import format_value
from rendering.ui import DONE, SKIP, label, set_buttons, show_outcome, step_keyboard

STALE = N_("This button is no longer valid.")


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
