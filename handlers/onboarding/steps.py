"""The registration form: its states, their order (which depends on the role) and prompts."""

from __future__ import annotations

from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from models.enums import ConsentKind, Role
from models.fields import FIELDS
from rendering.texts import consent_document
from rendering.ui import BACK, FormOption, MentorConsentAnswer, step_keyboard

MENTOR_CONSENT = "mentor_consent"  # the field name of the consent step's Back button
DEPARTMENT_OPTIONS = "department_options"  # FSM data: the directory's names, offered as buttons


class DepartmentPick(CallbackData, prefix="dpk"):
    index: int  # in the person's DEPARTMENT_OPTIONS


class Registration(StatesGroup):
    entering_full_name = State()
    entering_position = State()
    entering_department = State()
    entering_subjects = State()
    entering_experience = State()
    choosing_qualification = State()
    choosing_role = State()
    choosing_difficulties = State()
    entering_other_difficulties = State()
    entering_learning_goals = State()
    choosing_mentee_forms = State()
    entering_competences = State()
    entering_mentor_subjects = State()
    choosing_mentor_forms = State()
    entering_capacity = State()
    confirming_mentor_consent = State()


R = Registration
PROFILE_STEPS = (
    R.entering_full_name,
    R.entering_position,
    R.entering_department,
    R.entering_subjects,
    R.entering_experience,
    R.choosing_qualification,
)
MENTEE_STEPS = (
    R.choosing_difficulties,
    R.entering_other_difficulties,
    R.entering_learning_goals,
    R.choosing_mentee_forms,
)
MENTOR_STEPS = (
    R.entering_competences,
    R.entering_mentor_subjects,
    R.choosing_mentor_forms,
    R.entering_capacity,
    R.confirming_mentor_consent,
)
FIELD_OF_STEP: dict[str | None, str] = {
    step.state: key
    for step, key in zip(
        (*PROFILE_STEPS, R.choosing_role, *MENTEE_STEPS, *MENTOR_STEPS[:-1]),
        (
            "full_name",
            "position",
            "department",
            "subjects",
            "experience_years",
            "qualification",
            "role",
            "difficulties",
            "difficulties_other",
            "learning_goals",
            "mentee_forms",
            "competences",
            "mentor_subjects",
            "mentor_forms",
            "capacity",
        ),
        strict=True,
    )
}
TYPED_STEPS = [s for s, key in FIELD_OF_STEP.items() if FIELDS[key].kind in ("text", "int")]
BUTTON_STEPS = [s for s, key in FIELD_OF_STEP.items() if FIELDS[key].kind in ("choice", "multi")]
BUTTON_STEPS.append(R.confirming_mentor_consent.state)


def registration_step(state_name: str | None) -> State | None:
    """The registration's step with this state name (None for any other state)."""
    return next((s for s in Registration.__all_states__ if s.state == state_name), None)


def flow(data: dict[str, Any]) -> list[State]:
    """The steps this person goes through: adding a role later skips the profile."""
    role = data.get("role")
    steps: list[State] = [] if data.get("adding_role") else [*PROFILE_STEPS, R.choosing_role]
    if role in (Role.MENTEE, Role.BOTH):
        steps += MENTEE_STEPS
    if role in (Role.MENTOR, Role.BOTH):
        steps += MENTOR_STEPS
    return steps


def neighbour(current: str | None, data: dict[str, Any], offset: int) -> State | None:
    steps = flow(data)
    names = [step.state for step in steps]
    if current not in names:
        return None
    index = names.index(current) + offset
    return steps[index] if 0 <= index < len(steps) else None


def prompt(step: State, data: dict[str, Any], organization: str, i18n: I18n) -> tuple[str, Any]:
    back = neighbour(step.state, data, -1) is not None
    if step == R.confirming_mentor_consent:
        document = consent_document(ConsentKind.MENTORING, organization, i18n)
        builder = InlineKeyboardBuilder()
        builder.button(text=_("I agree"), callback_data=MentorConsentAnswer(agree=True))
        builder.button(text=_("I do not agree"), callback_data=MentorConsentAnswer(agree=False))
        if back:
            builder.button(
                text=_("⬅ Back"), callback_data=FormOption(field=MENTOR_CONSENT, code=BACK)
            )
        builder.adjust(1)
        return document.text, builder.as_markup()
    spec = FIELDS[FIELD_OF_STEP[step.state]]
    if step == R.entering_department and data.get(DEPARTMENT_OPTIONS):
        builder = InlineKeyboardBuilder()
        for index, name in enumerate(data[DEPARTMENT_OPTIONS]):
            builder.button(text=name[:60], callback_data=DepartmentPick(index=index))
        if back:
            builder.button(text=_("⬅ Back"), callback_data=FormOption(field=spec.key, code=BACK))
        builder.adjust(1)
        hint = _("Choose yours below; if it is not there, type its name.")
        return _(spec.prompt) + "\n" + hint, builder.as_markup()
    return _(spec.prompt), step_keyboard(spec, data.get(spec.key) or (), back=back)


async def ask(
    message: Message,
    state: FSMContext,
    step: State,
    organization: str,
    i18n: I18n,
    *,
    edit: bool = False,
) -> None:
    """Move to `step` and show its question (editing the bot's message when navigating)."""
    await state.set_state(step)
    text, markup = prompt(step, await state.get_data(), organization, i18n)
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)
