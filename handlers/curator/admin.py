"""/role: grant or take away the curator and director roles — typed (/role 12 куратор) or by
buttons from a person's card, always after a confirmation with the person and the change."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InaccessibleMessage, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import remove_curator_menu, set_bot_commands
from bot.config import Settings
from handlers.confirm import Confirmed, ask_confirmation
from handlers.context import Context
from handlers.outcome import show_decided
from models.director import director_telegram_ids
from models.enums import StaffRole
from models.errors import InvalidValue, NotFound, WrongState
from models.fields import check_id
from models.i18n_marker import N_
from models.participant import Participant, curator_telegram_ids, get_participant_by_id
from models.roles import set_staff_role
from rendering.ui import DbInt, button_rows, chat_of, label, set_buttons

router = Router(name=__name__)
# Role names as a curator types them, in Russian or in English.
ROLES = {
    "curator": StaffRole.CURATOR,
    "куратор": StaffRole.CURATOR,
    "director": StaffRole.DIRECTOR,
    "директор": StaffRole.DIRECTOR,
    "none": None,
    "нет": None,
}
NONE = "none"


class RoleMenu(CallbackData, prefix="rl"):
    participant_id: DbInt
    role: str = ""  # "" shows the choice; a StaffRole value or NONE asks for confirmation


@router.message(Command("role"))
async def cmd_role(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
) -> None:
    words = (command.args or "").lower().split()
    if len(words) != 2 or not words[0].lstrip("№#").isdigit() or words[1] not in ROLES:
        raise InvalidValue(
            N_(
                "To give a role, send /role NUMBER ROLE, for example /role 12 curator. "
                "ROLE is curator, director or none (to take the role away). The number is "
                "shown in registration notices (№12). A person's card in /participants has "
                "the same as buttons."
            )
        )
    role = ROLES[words[1]]
    await _confirm_role(message, state, session, settings, int(words[0].lstrip("№#")), role)


@router.callback_query(RoleMenu.filter(F.role == ""))
async def role_menu_opened(
    query: CallbackQuery, callback_data: RoleMenu, session: AsyncSession
) -> None:
    person = await _person(session, callback_data.participant_id)
    current = person.staff_role
    choices = [
        (label(role), RoleMenu(participant_id=person.id, role=role.value))
        for role in StaffRole
        if role != current
    ]
    if current is not None:
        choices.append((_("Take the role away"), RoleMenu(participant_id=person.id, role=NONE)))
    await query.answer()
    await chat_of(query).answer(
        _("{name} (№{id}), role now: {role}. Which role?").format(
            name=escape(person.display_name), id=person.id, role=_role_text(current)
        ),
        reply_markup=button_rows(choices),
    )


@router.callback_query(RoleMenu.filter(F.role != ""))
async def role_picked(
    query: CallbackQuery,
    callback_data: RoleMenu,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
) -> None:
    codes = {role.value: role for role in StaffRole} | {NONE: None}
    if callback_data.role not in codes:
        raise InvalidValue(N_("This button is out of date. Please open it again."))
    await query.answer()
    await set_buttons(query, None)
    pid, role = callback_data.participant_id, codes[callback_data.role]
    await _confirm_role(chat_of(query), state, session, settings, pid, role)


async def _confirm_role(
    message: Message | InaccessibleMessage,
    state: FSMContext,
    session: AsyncSession,
    settings: Settings,
    pid: int,
    role: StaffRole | None,
) -> None:
    person = await _person(session, pid)
    if role is None and person.telegram_id in settings.curator_ids:  # said before the summary
        raise WrongState(N_("This curator is named in CURATOR_IDS: change the configuration."))
    if role is not None and not person.is_registered:
        raise NotFound(N_("There is no registered participant with this number."))
    summary = _("<b>Change the role?</b>\n{name} (№{id})\nNow: {before}\nAfter: {after}").format(
        name=escape(person.display_name),
        id=person.id,
        before=_role_text(person.staff_role),
        after=_role_text(role),
    )
    payload = {"participant_id": person.id, "role": role.value if role else None}
    await ask_confirmation(message, state, "role", summary, _("✅ Change the role"), payload)


@router.callback_query(Confirmed("role"))
async def role_confirmed(query: CallbackQuery, confirmed: dict[str, Any], context: Context) -> None:
    role = StaffRole(confirmed["role"]) if confirmed["role"] else None
    person = await set_staff_role(
        context.session,
        context.actor,
        confirmed["participant_id"],
        role,
        context.settings.curator_ids,
    )
    await query.answer()
    name = escape(person.display_name)
    if role is None:
        outcome = _("{name}: the staff role is taken away.").format(name=name)
    else:
        outcome = _("{name}: role {role}.").format(name=name, role=label(role))
    await show_decided(query, context.stamp, "✅ " + outcome)
    await context.notifier.participants([person.id], lambda: (_role_news(role), None))
    if role is None:
        await remove_curator_menu(context.bot, context.i18n, person.telegram_id)
    await set_bot_commands(
        context.bot,
        context.i18n,
        await curator_telegram_ids(context.session, context.settings.curator_ids),
        await director_telegram_ids(context.session),
    )


async def _person(session: AsyncSession, pid: int) -> Participant:
    person = await get_participant_by_id(session, check_id(pid))
    if person is None:
        raise NotFound(N_("There is no registered participant with this number."))
    return person


def _role_news(role: StaffRole | None) -> str:
    """What the person whose role changed is told, in their language (their menu changes)."""
    if role == StaffRole.DIRECTOR:
        return _(
            "You are the director in the mentoring programme's bot now: /today shows what waits "
            "for you (the banks to approve, the roadmap, orders); your menu has changed."
        )
    if role == StaffRole.CURATOR:
        return _(
            "You are a curator of the mentoring programme now: /today shows what waits for you, "
            "/help lists your tools; your menu has changed."
        )
    return _("Your staff role in the mentoring programme was taken away; your menu has changed.")


def _role_text(role: StaffRole | None) -> str:
    return label(role) if role is not None else _("no staff role")
