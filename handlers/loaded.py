"""Filters that load the object a button names, check that the person pressing may act on it,
and inject it (style §15, aiogram's «context addition from filter»).

Put after the button data's own filter:

    @router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.VIEW), ProgrammeOf())
    async def plan_opened(query: CallbackQuery, programme: Programme, ...) -> None:

The handler receives `programme`, not an id to load and check again. A forged or stale id, or
a person who may not act on the object, raises the domain's error here; the errors router
turns it into one alert (the same alert the handler's own load and check gave before).
"""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from models.access import Actor
from models.director import require_director_decides, require_order_entry
from models.enums import Side
from models.errors import AccessDenied, NotFound
from models.pairs import get_pair
from models.participant import Participant
from models.programmes import get_activity, get_programme
from models.progress import check_reviewable_part, waiting_for
from models.requests import Request


def _named(callback_data: CallbackData, field: str) -> int:
    value = getattr(callback_data, field)
    assert isinstance(value, int)  # the button data's field is a bounded integer (DbInt)
    return value


class ProgrammeOf(Filter):
    """The programme named by the button's `field`, with its pair and activities, for one of its
    pair's people or a curator (§7.1.2); `to_read` (only showing it) lets its co-mentors in too
    (§7.1.1); with `sides`, only for those sides (a curator's side is Side.CURATOR). Injected
    as `programme`."""

    def __init__(self, *sides: Side, field: str = "programme_id", to_read: bool = False) -> None:
        self.sides = frozenset(sides)
        self.field = field
        self.to_read = to_read

    async def __call__(
        self, query: CallbackQuery, callback_data: CallbackData, session: AsyncSession, actor: Actor
    ) -> dict[str, Any]:
        programme_id = _named(callback_data, self.field)
        programme = await get_programme(session, actor, programme_id, to_read=self.to_read)
        if self.sides and programme.pair.require_member(actor) not in self.sides:
            raise AccessDenied()
        return {"programme": programme}


class PairOf(Filter):
    """The pair named by the button's `pair_id`; with `member`, only for its mentor, its
    mentees or a curator. Injected as `pair`."""

    def __init__(self, *, member: bool = True) -> None:
        self.member = member

    async def __call__(
        self, query: CallbackQuery, callback_data: CallbackData, session: AsyncSession, actor: Actor
    ) -> dict[str, Any]:
        pair = await get_pair(session, _named(callback_data, "pair_id"))
        if self.member:
            pair.require_member(actor)
        return {"pair": pair}


class PartOf(Filter):
    """One mentee's part of the activity a button names (`activity_id`, `mentee_id`), for the
    one who checks it; a button from before parts (no `mentee_id`) names the first part that
    waits for this person's check. Injected as `activity` and `part`."""

    async def __call__(
        self, query: CallbackQuery, callback_data: CallbackData, session: AsyncSession, actor: Actor
    ) -> dict[str, Any]:
        activity_id = _named(callback_data, "activity_id")
        mentee_id = getattr(callback_data, "mentee_id", 0)
        if not mentee_id:
            activity = await get_activity(session, actor, activity_id)
            waiting = await waiting_for(session, activity.programme, actor.participant_id or 0)
            mine = [part.mentee_id for found, part in waiting if found is activity]
            mentee_id = (mine or activity.programme.pair.mentee_ids or [0])[0]
        activity, part = await check_reviewable_part(session, actor, activity_id, mentee_id)
        return {"activity": activity, "part": part}


class RequestOf(Filter):
    """The request named by the button's `request_id`, for the one who decides it: the director
    for the kinds the regulation gives them (§4.3), else a curator. Injected as `request`."""

    async def __call__(
        self, query: CallbackQuery, callback_data: CallbackData, session: AsyncSession, actor: Actor
    ) -> dict[str, Any]:
        request = await session.get(Request, _named(callback_data, "request_id"))
        if request is None:
            raise NotFound()
        await require_director_decides(session, request.kind, actor.telegram_id)
        return {"request": request}


class EntersOrders(Filter):
    """Only the one who enters the director's orders (the curator, or the director when the
    settings say so) gets past; put before the filter that loads what the order fixes, so a
    person without the right hears that first."""

    async def __call__(
        self, event: TelegramObject, participant: Participant | None, settings: Settings
    ) -> bool:
        require_order_entry(participant, settings.order_entered_by)
        return True
