"""The curator or the director answers a mentor's proposal to encourage the mentee, recommend
them for a contest or take measures (§7.2.6, §7.2.7): accepted or declined with a comment that
goes to the mentor; the notice shows the outcome, who and when, on every curator's copy."""

from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Context
from handlers.forms import Form, Step, Turn
from handlers.outcome import remember_origin, show_outcome_later
from models.access import Actor
from models.enums import ProposalStatus
from models.i18n_marker import N_
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
    answers = {"proposal_id": callback_data.proposal_id, "accept": callback_data.accept}
    await ANSWER.start(Turn(chat_of(query), state), answers)
    await remember_origin(state, query.message)
    await query.answer()


async def _answered(turn: Turn) -> None:
    context: Context = turn.deps["context"]
    data = await turn.answers()
    proposal = await decide_proposal(
        context.session,
        context.actor,
        int(data.get("proposal_id", 0)),
        accept=bool(data.get("accept")),
        comment=str(data["comment"]),
    )
    await turn.state.clear()
    accepted = proposal.status == ProposalStatus.ACCEPTED
    outcome = _("✅ Proposal accepted") if accepted else _("✖ Proposal declined")
    await turn.message.answer(_("The answer is recorded; the mentor is told."))
    await show_outcome_later(context.bot, data, context.stamp, outcome)
    await context.notifier.notices("proposal.decided", proposal.id)


ANSWER = Form(
    [
        Step(
            AnsweringProposal.entering_comment,
            "comment",
            question=N_("Your comment on the answer (it goes to the mentor):"),
        )
    ],
    _answered,
)
ANSWER.register(router)
