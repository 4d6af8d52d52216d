"""Shared by the programme handlers: picking one of the person's pairs, showing a programme."""

from __future__ import annotations

from datetime import date

from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from models.access import Actor
from models.comentors import co_mentorships_of
from models.enums import PairStatus, Side
from models.errors import NotRegistered
from models.journal import meetings_of
from models.pairs import Pair, pairs_of
from models.programmes import Programme
from models.progress import part_map
from rendering.ui import PickPair, button_rows
from rendering.views import names_of, pair_names, programme_view


async def my_pairs(
    session: AsyncSession,
    actor: Actor | None,
    *,
    side: Side | None = None,
    co_mentored: bool = False,
) -> list[Pair]:
    """The person's approved pairs (as mentor or mentee when `side` is given); with
    `co_mentored`, also those they help as a co-mentor (§7.1.1: only for the journal)."""
    if actor is None or actor.participant_id is None:
        raise NotRegistered()
    pairs = [
        p for p in await pairs_of(session, actor.participant_id) if p.status == PairStatus.ACTIVE
    ]
    if side is not None:
        pairs = [p for p in pairs if p.side_of(actor.participant_id) == side]
    if co_mentored:
        pairs += [pair for _row, pair in await co_mentorships_of(session, actor.participant_id)]
    return pairs


async def pick_pair(
    message: Message, session: AsyncSession, pairs: list[Pair], action: str
) -> Pair | None:
    """The only pair, or None after asking which one (the answer comes as PickPair)."""
    if len(pairs) == 1:
        return pairs[0]
    if not pairs:
        await message.answer(_("You have no approved mentoring pair for this yet."))
        return None
    buttons = []
    for pair in pairs:
        names = await pair_names(session, pair)
        mentees = ", ".join(names.get(i, "—") for i in pair.mentee_ids)
        buttons.append(
            (
                _("Pair #{id}: {names}").format(id=pair.id, names=mentees),
                PickPair(action=action, pair_id=pair.id),
            )
        )
    await message.answer(_("Which pair?"), reply_markup=button_rows(buttons))
    return None


async def show_programme(
    message: Message,
    session: AsyncSession,
    programme: Programme,
    today: date,
    markup: InlineKeyboardMarkup | None = None,
    prefix: str = "",
) -> None:
    text = await programme_text(session, programme, today)
    await message.answer(f"{prefix}\n\n{text}" if prefix else text, reply_markup=markup)


async def programme_text(session: AsyncSession, programme: Programme, today: date) -> str:
    pair = programme.pair
    everyone = [m.mentee_id for m in pair.members if m.declined_at is None]
    names = await names_of(session, [pair.mentor_id, *everyone])
    meetings = await meetings_of(session, programme.pair_id)
    parts = await part_map(session, programme)  # each mentee's mark in a group (§4.2.8)
    return programme_view(programme, names, today, meetings, parts)
