"""Curators accept or reject mentor candidates into the bank of mentors (§6.4.5, §6.2)."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.notify import Notifier
from handlers.outcome import decide_other_copies
from models.base import utcnow
from models.errors import NotFound
from models.participant import get_participant, get_participant_by_id
from models.profiles import count_mentor_candidates, decide_mentor, list_mentor_candidates
from rendering.texts import format_time, profile_card, registration_notice
from rendering.ui import MentorDecision, show_outcome
from rendering.views import decision_keyboard, roles_of

router = Router(name=__name__)


@router.message(Command("candidates"))
async def cmd_candidates(message: Message, session: AsyncSession) -> None:
    candidates = await list_mentor_candidates(session)
    if not candidates:
        await message.answer(_("No mentor candidates are waiting for a decision."))
        return
    total = await count_mentor_candidates(session)
    await message.answer(
        _("Mentor candidates waiting for a decision: {count}.").format(count=total)
    )
    for candidate in candidates:
        await message.answer(profile_card(candidate), reply_markup=decision_keyboard(candidate))
    if total > len(candidates):
        await message.answer(
            _("Shown the first {shown}; decide on these to see the rest.").format(
                shown=len(candidates)
            )
        )


@router.callback_query(MentorDecision.filter())
async def mentor_decided(
    query: CallbackQuery,
    callback_data: MentorDecision,
    session: AsyncSession,
    notifier: Notifier,
) -> None:
    profile = await decide_mentor(
        session,
        callback_data.participant_id,
        accept=callback_data.accept,
        decided_by=query.from_user.id,
    )
    candidate = await get_participant_by_id(session, callback_data.participant_id)
    if candidate is None:
        raise NotFound()
    when = format_time(profile.decided_at or utcnow(), notifier.settings.timezone)
    if callback_data.accept:
        outcome = _("✅ Accepted into the bank of mentors by {curator}, {when}.")
    else:
        outcome = _("❌ Rejected by {curator}, {when}.")
    curator = await get_participant(session, query.from_user.id)
    # The curator's registered full name; her Telegram name only if she never registered.
    who = curator.full_name if curator is not None and curator.full_name else None
    outcome = outcome.format(curator=escape(who or query.from_user.full_name), when=when)
    notice = registration_notice(candidate, roles_of(candidate), updated=False)
    await show_outcome(query, f"{notice}\n\n{outcome}")
    await query.answer()
    if isinstance(query.message, Message):
        copy = (query.message.chat.id, query.message.message_id)
        await decide_other_copies(
            notifier.bot, copy, f"{notice}\n\n{outcome}", notifier.settings.curator_ids
        )

    await notifier.notices("mentor.decided", callback_data.participant_id, to_curators=False)
