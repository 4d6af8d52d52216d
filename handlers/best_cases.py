"""A best practice's description (§6.4.6): the mentor of a completed programme (from /library)
or the curator (from /publish) answers four questions — the goal, what was done, the results,
the lessons; the curator approves it or returns it. Approved, the programme is a best case on
the site and in the year's report."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares import Stamp
from handlers.forms import Form, Question, Step, Turn
from handlers.notify import Notifier
from handlers.outcome import show_decided
from models.access import Actor
from models.best_cases import (
    CaseStatus,
    approve_description,
    clean_part,
    description_of,
    open_for_writing,
    return_description,
    write_description,
)
from models.errors import NotFound, NotRegistered
from models.i18n_marker import N_
from models.participant import curator_telegram_ids
from models.programmes import Programme
from rendering.case_views import HEADINGS, CaseAction, CaseVerb, case_card, decision_buttons
from rendering.ui import chat_of

router = Router(name=__name__)


class Describing(StatesGroup):
    goal = State()
    done = State()
    results = State()
    lessons = State()


QUESTIONS = {
    "goal": N_(
        "Best practice of programme №{id} «{title}», written with the methodical council. "
        "1 of 4 — the goal: what was the pair or group aiming at? (/cancel stops)"
    ),
    "done": N_("2 of 4 — what was done: the forms, the activities, how the work went."),
    "results": N_("3 of 4 — the results: what changed for the mentee, what was produced."),
    "lessons": N_("4 of 4 — the lessons: what others can take from it, what to avoid."),
}
STEPS = (Describing.goal, Describing.done, Describing.results, Describing.lessons)


@router.callback_query(CaseAction.filter(F.verb == CaseVerb.WRITE))
async def writing_started(
    query: CallbackQuery,
    callback_data: CaseAction,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor | None,
) -> None:
    if actor is None:
        raise NotRegistered()
    programme = await open_for_writing(session, actor, callback_data.programme_id)
    await query.answer()
    answers = {"programme_id": programme.id, "title": programme.goal[:80]}
    await DESCRIPTION.start(Turn(chat_of(query), state), answers)


def _question(key: str) -> Callable[[Turn], Awaitable[Question]]:
    async def question(turn: Turn) -> Question:
        data = await turn.answers()
        return _(QUESTIONS[key]).format(id=data["programme_id"], title=escape(data["title"])), None

    return question


async def _part(turn: Turn) -> Any:
    return clean_part(turn.text)


async def _written(turn: Turn) -> None:
    session, actor, notifier = turn.session, turn.actor, turn.deps["notifier"]
    data = await turn.answers()
    parts = {key: data.get(key, "") for key in HEADINGS}
    curators = await curator_telegram_ids(session, notifier.settings.curator_ids)
    row = await write_description(session, actor, int(data["programme_id"]), parts, curators)
    await turn.state.clear()
    programme = await session.get(Programme, row.programme_id)
    assert programme is not None
    head = (
        _("Saved. Approve it to make the programme a best case.")
        if actor.is_curator
        else _("Sent to the curator for approval; I will tell you the decision.")
    )
    await turn.message.answer(
        head + "\n\n" + case_card(programme, row),
        reply_markup=decision_buttons(programme.id) if actor.is_curator else None,
    )
    await notifier.notices("case.submitted", row.id)


DESCRIPTION = Form(
    [
        Step(state, key, question=_question(key), read=_part)
        for state, key in zip(STEPS, ("goal", "done", "results", "lessons"), strict=True)
    ],
    _written,
)
DESCRIPTION.register(router)


@router.callback_query(CaseAction.filter(F.verb == CaseVerb.OPEN))
async def case_opened(
    query: CallbackQuery, callback_data: CaseAction, session: AsyncSession, actor: Actor | None
) -> None:
    row = await description_of(session, callback_data.programme_id)
    programme = await session.get(Programme, callback_data.programme_id)
    if row is None or programme is None:
        raise NotFound()
    curator = actor is not None and actor.is_curator
    if not curator and row.status != CaseStatus.APPROVED:
        raise NotFound()
    where = chat_of(query)
    await query.answer()
    buttons = (
        decision_buttons(programme.id) if curator and row.status == CaseStatus.SUBMITTED else None
    )
    await where.answer(case_card(programme, row), reply_markup=buttons)


@router.callback_query(CaseAction.filter(F.verb.in_({CaseVerb.APPROVE, CaseVerb.RETURN})))
async def case_decided(
    query: CallbackQuery,
    callback_data: CaseAction,
    session: AsyncSession,
    actor: Actor,
    stamp: Stamp,
    notifier: Notifier,
) -> None:
    if callback_data.verb == CaseVerb.APPROVE:
        row = await approve_description(session, actor, callback_data.programme_id)
        outcome = _("✅ Approved: a best case on the site and in the year's report")
    else:
        row = await return_description(session, actor, callback_data.programme_id)
        outcome = _("↩ Returned to be rewritten")
    await query.answer()
    await show_decided(query, stamp, outcome)
    await notifier.notices("case.decided", row.id)
