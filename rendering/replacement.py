"""Choosing a new mentor for a pair after an approved replacement or release (§8.1.5, §7.1.3)."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlalchemy.ext.asyncio import AsyncSession

from models.matching import MentorMatch, rank_mentors
from models.names import Case
from models.pairs import Pair
from rendering.ui import NewMentor, button_rows
from rendering.views import name_in


async def replacement_candidates(session: AsyncSession, pair: Pair) -> list[MentorMatch]:
    """Mentors ranked for the pair's first mentee, the current mentor left out."""
    ranked = await rank_mentors(session, pair.mentee_ids[0], limit=6)
    return [m for m in ranked if m.mentor.id != pair.mentor_id][:5]


def render_offer(
    pair: Pair, ranked: list[MentorMatch], names: dict[int, str]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """`names`: the mentees' names (escaped), so the curator knows whose mentor is chosen."""
    mentees = ", ".join(names.get(i, "—") for i in pair.mentee_ids) or "—"
    if not ranked:
        return _("No mentor in the bank has a free place for {mentees} (pair #{id}).").format(
            mentees=mentees, id=pair.id
        ), None
    for_whom = ", ".join(  # «для Морозовой Ирины»
        name_in(names[i], Case.GENITIVE) if i in names else "—" for i in pair.mentee_ids
    )
    lines = [
        _("Choose a new mentor for {mentees} (pair #{id}):").format(
            mentees=for_whom or "—", id=pair.id
        )
    ]
    buttons = []
    for number, match in enumerate(ranked, 1):
        name = match.mentor.display_name
        lines.append(
            ngettext(
                "{n}. <b>{name}</b>: {score} point",
                "{n}. <b>{name}</b>: {score} points",
                match.score,
            ).format(n=number, name=escape(name), score=match.score)
        )
        buttons.append((f"{number}. {name}", NewMentor(pair_id=pair.id, mentor_id=match.mentor.id)))
    return "\n".join(lines), button_rows(buttons)
