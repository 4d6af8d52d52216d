"""/role: grant or take away the curator and director roles."""

from __future__ import annotations

from html import escape

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import remove_curator_menu, set_bot_commands
from bot.config import Settings
from handlers.ui import label
from models.access import Actor
from models.director import director_telegram_ids
from models.enums import StaffRole
from models.errors import InvalidValue
from models.i18n_marker import N_
from models.participant import curator_telegram_ids
from models.roles import set_staff_role

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


@router.message(Command("role"))
async def cmd_role(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    settings: Settings,
    i18n: I18n,
) -> None:
    words = (command.args or "").lower().split()
    if len(words) != 2 or not words[0].lstrip("№#").isdigit() or words[1] not in ROLES:
        raise InvalidValue(
            N_(
                "To give a role, send /role NUMBER ROLE, for example /role 12 curator. "
                "ROLE is curator, director or none (to take the role away). The number is "
                "shown in registration notices (№12)."
            )
        )
    role = ROLES[words[1]]
    person = await set_staff_role(
        session, actor, int(words[0].lstrip("№#")), role, settings.curator_ids
    )
    if role is None:
        await remove_curator_menu(bot, i18n, person.telegram_id)
    await set_bot_commands(
        bot,
        i18n,
        await curator_telegram_ids(session, settings.curator_ids),
        await director_telegram_ids(session),
    )
    name = escape(person.display_name)
    if role is None:
        await message.answer(_("{name}: the staff role is taken away.").format(name=name))
    else:
        await message.answer(_("{name}: role {role}.").format(name=name, role=label(role)))
