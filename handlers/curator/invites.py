"""/invite: a link the curator sends to a teacher or a whole department; registering through
it skips the role question."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from models.access import Actor
from models.enums import Role
from models.invites import create_invite
from rendering.ui import button_rows, label, show_outcome

router = Router(name=__name__)


class InviteRole(CallbackData, prefix="iv"):
    role: Role


@router.message(Command("invite"))
async def cmd_invite(message: Message) -> None:
    buttons = [(label(role), InviteRole(role=role)) for role in Role]
    await message.answer(_("An invitation for which role?"), reply_markup=button_rows(buttons))


@router.callback_query(InviteRole.filter())
async def invite_role_chosen(
    query: CallbackQuery, callback_data: InviteRole, session: AsyncSession, actor: Actor, bot: Bot
) -> None:
    invite = await create_invite(session, actor, callback_data.role)
    me = await bot.me()
    link = f"https://t.me/{me.username}?start={invite.code}"
    await show_outcome(
        query,
        _(
            "Send this link to a teacher or to a whole department. Registering through it, "
            "the role «{role}» is already chosen:\n{link}"
        ).format(role=label(invite.role), link=link),
    )
    await query.answer()
