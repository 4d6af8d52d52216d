"""/profile: the card, editing any field, and adding the mentee or mentor role later."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from handlers.forms import STALE, Form, Question, Step, Turn
from handlers.onboarding.registration import (
    REGISTRATION,
    department_picked,
    department_question,
    department_typed,
)
from models.enums import MentorStatus, Role
from models.errors import InvalidValue, NotRegistered
from models.fields import FIELDS, MENTEE_KEYS, MENTOR_KEYS, PROFILE_KEYS, FieldSpec
from models.participant import Participant, update_profile_field
from models.profiles import update_mentee_field, update_mentor_field
from rendering.texts import format_value, profile_card
from rendering.ui import (
    Keyboard,
    ProfileAction,
    ProfileVerb,
    shown,
    step_keyboard,
)

router = Router(name=__name__)


class ProfileEditing(StatesGroup):
    entering_value = State()


def editable_keys(participant: Participant) -> tuple[str, ...]:
    keys: tuple[str, ...] = PROFILE_KEYS
    if participant.mentee_profile is not None:
        keys += MENTEE_KEYS
    if participant.mentor_profile is not None:
        keys += MENTOR_KEYS
    return keys


def profile_keyboard(participant: Participant) -> InlineKeyboardMarkup:
    builder = Keyboard()
    for key in editable_keys(participant):
        builder.button(
            text="✏ " + _(FIELDS[key].label),
            callback_data=ProfileAction(action=ProfileVerb.EDIT, field=key),
        )
    if participant.mentee_profile is None:
        builder.button(
            text=_("➕ Become a mentee"), callback_data=ProfileAction(action=ProfileVerb.ADD_MENTEE)
        )
    mentor = participant.mentor_profile
    if mentor is None or mentor.status == MentorStatus.REJECTED:
        builder.button(
            text=_("➕ Apply as a mentor"),
            callback_data=ProfileAction(action=ProfileVerb.ADD_MENTOR),
        )
    builder.adjust(2)
    return builder.as_markup()


def registered(participant: Participant | None) -> Participant:
    if participant is None or not participant.is_registered:
        raise NotRegistered()
    return participant


async def _still_registered(turn: Turn) -> None:
    registered(turn.deps.get("participant"))


async def show_profile(message: Message, participant: Participant, prefix: str = "") -> None:
    text = f"{prefix}\n\n{profile_card(participant)}" if prefix else profile_card(participant)
    await message.answer(text, reply_markup=profile_keyboard(participant))


@router.message(Command("profile"))
async def cmd_profile(message: Message, state: FSMContext, participant: Participant | None) -> None:
    participant = registered(participant)
    await state.clear()
    await show_profile(message, participant)


@router.callback_query(ProfileAction.filter(F.action == ProfileVerb.EDIT))
async def field_chosen(
    query: CallbackQuery,
    callback_data: ProfileAction,
    state: FSMContext,
    session: AsyncSession,
    participant: Participant | None,
) -> None:
    participant = registered(participant)
    key = callback_data.field
    if key not in editable_keys(participant):
        raise InvalidValue(STALE)
    answers = {"edit_field": key, key: _current_value(participant, key)}
    await EDITING.start(Turn(shown(query), state, {"session": session}), answers)
    await query.answer()


def _edited(answers: dict[str, Any]) -> FieldSpec | None:
    return FIELDS.get(answers.get("edit_field") or "")


async def _edit_question(turn: Turn) -> Question:
    data = await turn.answers()
    key = data["edit_field"]
    spec, current = FIELDS[key], data.get(key)
    text = "{prompt}\n\n{now}: {value}".format(
        prompt=_(spec.prompt), now=_("Now"), value=format_value(key, current, limit=2000)
    )
    if key == "department":  # the directory as buttons; a name typed by hand is still taken
        return await department_question(turn, text, back=False)
    return text, step_keyboard(spec, (current or ()) if spec.kind == "multi" else ())


async def _value_typed(turn: Turn) -> Any:
    if (await turn.answers())["edit_field"] == "department":
        return await department_typed(turn)
    spec = _edited(await turn.answers())
    return spec.clean(turn.text) if spec is not None else None


async def _saved(turn: Turn) -> None:
    participant = registered(turn.deps.get("participant"))
    data = await turn.answers()
    key = data["edit_field"]
    await _save(turn.session, participant, key, data[key])
    await turn.state.clear()
    await show_profile(turn.sent, participant, _("Saved."))


EDITING = Form(
    [
        Step(
            ProfileEditing.entering_value,
            "edit_value",
            question=_edit_question,
            read=_value_typed,
            press=department_picked,
            field=_edited,
        )
    ],
    _saved,
    guard=_still_registered,
)
EDITING.register(router)


@router.callback_query(
    ProfileAction.filter(F.action.in_({ProfileVerb.ADD_MENTEE, ProfileVerb.ADD_MENTOR}))
)
async def role_added(
    query: CallbackQuery,
    callback_data: ProfileAction,
    state: FSMContext,
    participant: Participant | None,
    settings: Settings,
    i18n: I18n,
) -> None:
    participant = registered(participant)
    role = Role.MENTEE if callback_data.action == ProfileVerb.ADD_MENTEE else Role.MENTOR
    mentor = participant.mentor_profile
    if (role == Role.MENTEE and participant.mentee_profile is not None) or (
        role == Role.MENTOR and mentor is not None and mentor.status != MentorStatus.REJECTED
    ):
        raise InvalidValue(STALE)
    turn = Turn(shown(query), state, {"settings": settings, "i18n": i18n})
    await REGISTRATION.start(turn, {"adding_role": True, "role": role})
    await query.answer()


def _current_value(participant: Participant, key: str) -> Any:
    if key in PROFILE_KEYS:
        return getattr(participant, key)
    profile = participant.mentee_profile if key in MENTEE_KEYS else participant.mentor_profile
    return getattr(profile, key)


async def _save(session: AsyncSession, participant: Participant, key: str, value: Any) -> None:
    if key in PROFILE_KEYS:
        await update_profile_field(session, participant, key, value)
    elif key in MENTEE_KEYS:
        await update_mentee_field(session, participant, key, value)
    else:
        await update_mentor_field(session, participant, key, value)
