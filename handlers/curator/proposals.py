"""The curator or the director answers a mentor's proposal to encourage the mentee, recommend
them for a contest or take measures (§7.2.6, §7.2.7): accepted or declined with a comment that
goes to the mentor; the notice shows the outcome, who and when, on every curator's copy."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares import Stamp
from handlers.notify import Notifier
from handlers.outcome import remember_origin, show_outcome_later
from models.access import Actor
from models.enums import ProposalStatus
from models.fields import FIELDS
from models.mentor_rights import check_open, decide_proposal
from rendering.ui import ProposalAnswer, chat_of

router = Router(name=__name__)


class AnsweringProposal(StatesGroup):
    entering_comment = State()


@router.callback_query(ProposalAnswer.filter())
async def proposal_answer_started(
    query: CallbackQuery,
    callback_data: ProposalAnswer,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    await check_open(session, actor, callback_data.proposal_id)  # answered already: told now
    await state.set_state(AnsweringProposal.entering_comment)
    await state.set_data({"proposal_id": callback_data.proposal_id, "accept": callback_data.accept})
    await remember_origin(state, query.message)
    await chat_of(query).answer(_("Your comment on the answer (it goes to the mentor):"))
    await query.answer()


@router.message(AnsweringProposal.entering_comment, F.text)
async def proposal_answer_commented(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    stamp: Stamp,
    notifier: Notifier,
) -> None:
    comment = str(FIELDS["comment"].clean(message.text))
    data = await state.get_data()
    proposal = await decide_proposal(
        session,
        actor,
        int(data.get("proposal_id", 0)),
        accept=bool(data.get("accept")),
        comment=comment,
    )
    await state.clear()
    accepted = proposal.status == ProposalStatus.ACCEPTED
    outcome = _("✅ Proposal accepted") if accepted else _("✖ Proposal declined")
    await message.answer(_("The answer is recorded; the mentor is told."))
    await show_outcome_later(notifier.bot, data, stamp, outcome)
    await notifier.notices("proposal.decided", proposal.id)
