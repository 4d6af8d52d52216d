"""/publish: mark best cases among completed programmes, then get the page for the site."""

from __future__ import annotations

from datetime import datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.publication import render_publication
from handlers.ui import DbInt, button_rows
from models.access import Actor
from models.audit import audit
from models.enums import ProgrammeStatus
from models.errors import NotFound
from models.programmes import Programme

router = Router(name=__name__)


class PublishAction(CallbackData, prefix="pb"):
    action: str  # "toggle" (a best case) or "build"
    programme_id: DbInt = 0


async def _menu(session: AsyncSession) -> tuple[str, InlineKeyboardMarkup]:
    completed = list(
        await session.scalars(
            select(Programme)
            .where(Programme.status == ProgrammeStatus.COMPLETED)
            .order_by(Programme.id.desc())
            .limit(30)
        )
    )
    buttons = [
        (
            ("⭐ " if p.best_case else "☆ ") + _("№{id}: {goal}").format(id=p.id, goal=p.goal[:40]),
            PublishAction(action="toggle", programme_id=p.id),
        )
        for p in completed
    ]
    buttons.append((_("Build the page"), PublishAction(action="build")))
    text = _("Completed programmes: tap to mark or unmark a best case, then build the page.")
    return text, button_rows(buttons)


@router.message(Command("publish"))
async def cmd_publish(message: Message, session: AsyncSession) -> None:
    text, markup = await _menu(session)
    await message.answer(text, reply_markup=markup)


@router.callback_query(PublishAction.filter())
async def publish_action(
    query: CallbackQuery,
    callback_data: PublishAction,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    i18n: I18n,
) -> None:
    if callback_data.action == "toggle":
        programme = await session.get(Programme, callback_data.programme_id)
        if programme is None or programme.status != ProgrammeStatus.COMPLETED:
            raise NotFound()
        programme.best_case = not programme.best_case
        audit(
            session,
            actor.telegram_id,
            "publish.best_case",
            "programme",
            programme.id,
            best=programme.best_case,
        )
        await session.commit()
        text, markup = await _menu(session)
        await query.message.edit_text(text, reply_markup=markup)
        await query.answer()
        return
    page = await render_publication(
        session, settings.organization_name, i18n.current_locale, datetime.now(settings.timezone)
    )
    audit(session, actor.telegram_id, "publish")
    await session.commit()
    await query.answer()
    await query.message.answer_document(
        BufferedInputFile(page.encode("utf-8"), filename="mentoring.html"),
        caption=_(
            "The page for the college site. <code>python -m bot publish --out DIR</code> "
            "writes it for a cron job."
        ),
    )
