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
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from handlers.onboarding.options import STALE, press_option, show_answer
from handlers.onboarding.steps import DEPARTMENT_OPTIONS, DepartmentPick, ask, flow
from models.departments import canonical_name, directory
from models.enums import MentorStatus, Role
from models.errors import InvalidValue, NotRegistered
from models.fields import FIELDS, MENTEE_KEYS, MENTOR_KEYS, PROFILE_KEYS
from models.participant import Participant, update_profile_field
from models.profiles import update_mentee_field, update_mentor_field
from rendering.texts import format_value, profile_card
from rendering.ui import (
    FormOption,
    ProfileAction,
    ProfileVerb,
    button_rows,
    chat_of,
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
    builder = InlineKeyboardBuilder()
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
    spec = FIELDS[key]
    current = _current_value(participant, key)
    await state.set_state(ProfileEditing.entering_value)
    await state.set_data({"edit_field": key, key: current})
    text = "{prompt}\n\n{now}: {value}".format(
        prompt=_(spec.prompt), now=_("Now"), value=format_value(key, current, limit=2000)
    )
    markup = step_keyboard(spec, current if spec.kind == "multi" else ())
    if key == "department":  # the directory as buttons; a name typed by hand is still taken
        names = [d.name for d in await directory(session)][:30]
        await state.update_data({DEPARTMENT_OPTIONS: names})
        if names:
            markup = button_rows(
                [(name[:60], DepartmentPick(index=i)) for i, name in enumerate(names)]
            )
            text += "\n" + _("Choose yours below; if it is not there, type its name.")
    await chat_of(query).answer(text, reply_markup=markup)
    await query.answer()


@router.callback_query(DepartmentPick.filter(), ProfileEditing.entering_value)
async def department_picked(
    query: CallbackQuery,
    callback_data: DepartmentPick,
    state: FSMContext,
    session: AsyncSession,
    participant: Participant | None,
) -> None:
    participant = registered(participant)
    data = await state.get_data()
    options = data.get(DEPARTMENT_OPTIONS) or []
    if data.get("edit_field") != "department" or not 0 <= callback_data.index < len(options):
        raise InvalidValue(STALE)
    await _save(session, participant, "department", options[callback_data.index])
    await state.clear()
    await show_answer(query, FIELDS["department"], options[callback_data.index])
    await show_profile(shown(query), participant, _("Saved."))


@router.message(ProfileEditing.entering_value, F.text)
async def value_typed(
    message: Message, state: FSMContext, session: AsyncSession, participant: Participant | None
) -> None:
    participant = registered(participant)
    spec = FIELDS[(await state.get_data())["edit_field"]]
    if spec.kind in ("choice", "multi"):
        await message.answer(_("Please tap one of the buttons above, or send /cancel to stop."))
        return
    value = spec.clean(message.text)
    if spec.key == "department":  # the directory's spelling of a department typed by hand
        value = await canonical_name(session, str(value))
    await _save(session, participant, spec.key, value)
    await state.clear()
    await show_profile(message, participant, _("Saved."))


@router.message(ProfileEditing.entering_value)
async def value_not_text(message: Message) -> None:
    await message.answer(_("Please send the answer as text."))


@router.callback_query(FormOption.filter(), ProfileEditing.entering_value)
async def value_pressed(
    query: CallbackQuery,
    callback_data: FormOption,
    state: FSMContext,
    session: AsyncSession,
    participant: Participant | None,
) -> None:
    participant = registered(participant)
    key = (await state.get_data())["edit_field"]
    if callback_data.field != key:
        raise InvalidValue(STALE)
    spec = FIELDS[key]
    answer = await press_option(query, state, spec, callback_data.code, back=False)
    if answer is None:
        return
    await _save(session, participant, key, answer.value)
    await state.clear()
    await show_answer(query, spec, answer.value)
    await show_profile(shown(query), participant, _("Saved."))


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
    await state.set_data({"adding_role": True, "role": role})
    first = flow(await state.get_data())[0]
    await ask(shown(query), state, first, settings.organization_name, i18n)
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
