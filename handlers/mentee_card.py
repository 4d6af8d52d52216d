"""/mentee: the mentor sees the card of each of their mentees (§7.1.2) — profile, questionnaire,
programmes — and proposes to encourage the mentee, recommends them for a contest, or proposes
measures (§7.2.6, §7.2.7); the proposal goes to the curator and the director."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Context
from handlers.forms import Form, Step, Turn
from handlers.programme.common import my_pairs
from models.access import Actor
from models.enums import Side
from models.i18n_marker import N_
from models.mentor_rights import KIND_LABELS, ProposalKind, mentee_card, proposals_for, propose
from models.participant import curator_telegram_ids
from models.programmes import programmes_of
from rendering.texts import profile_card
from rendering.ui import DbInt, button_rows, chat_of, label
from rendering.views import day, programme_lines

router = Router(name=__name__)
KIND_BUTTONS = {
    ProposalKind.ENCOURAGE: N_("🏅 Propose encouragement"),
    ProposalKind.CONTEST: N_("🏆 Recommend for a contest"),
    ProposalKind.MEASURE: N_("Propose measures"),
}


class MenteeProposal(CallbackData, prefix="mpr"):
    pair_id: DbInt
    mentee_id: DbInt
    kind: ProposalKind


class Proposing(StatesGroup):
    text = State()


@router.message(Command("mentee"))
async def cmd_mentee(
    message: Message, state: FSMContext, session: AsyncSession, actor: Actor | None
) -> None:
    await state.clear()
    pairs = await my_pairs(session, actor, side=Side.MENTOR)
    if not pairs:
        await message.answer(_("You have no approved pair as a mentor."))
        return
    for pair in pairs:
        for mentee_id in pair.mentee_ids:
            assert actor is not None  # my_pairs refused an unregistered person
            mentee = await mentee_card(session, actor, pair.id, mentee_id)
            parts = [profile_card(mentee)]
            parts += programme_lines(await programmes_of(session, mentee.id))
            parts += await _proposals_lines(session, pair.id, mentee.id)
            buttons = [
                (_(text), MenteeProposal(pair_id=pair.id, mentee_id=mentee.id, kind=kind))
                for kind, text in KIND_BUTTONS.items()
            ]
            await message.answer("\n".join(parts), reply_markup=button_rows(buttons))


async def _proposals_lines(session: AsyncSession, pair_id: int, mentee_id: int) -> list[str]:
    """The history of the mentor's proposals for this mentee and their answers."""
    proposals = await proposals_for(session, pair_id, mentee_id)
    if not proposals:
        return []
    lines = ["", "<b>" + _("Your proposals") + "</b>"]
    for proposal in proposals:
        line = _("{date}: {kind} — {status}").format(
            date=day(proposal.created_at.date()),
            kind=_(KIND_LABELS.get(proposal.kind, proposal.kind)),
            status=label(proposal.status),
        )
        if proposal.decision_comment:
            line += f" ({escape(proposal.decision_comment)})"
        lines.append(line)
    return lines


@router.callback_query(MenteeProposal.filter())
async def proposal_started(
    query: CallbackQuery,
    callback_data: MenteeProposal,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    await mentee_card(session, actor, callback_data.pair_id, callback_data.mentee_id)  # access
    # under a message too old to be read the prompt still goes to the chat (rendering.ui)
    await PROPOSAL.start(Turn(chat_of(query), state), callback_data.model_dump(mode="json"))
    await query.answer()


async def _as_typed(turn: Turn) -> Any:
    return turn.text or ""


async def _proposed(turn: Turn) -> None:
    context: Context = turn.deps["context"]
    data = await turn.answers()
    recipients = await curator_telegram_ids(
        context.session, context.settings.curator_ids
    )  # with the director
    proposal = await propose(
        context.session,
        context.actor,
        int(data.get("pair_id", 0)),
        int(data.get("mentee_id", 0)),
        str(data.get("kind", "")),
        data["text"],
        recipients,
    )
    await turn.state.clear()
    await turn.message.answer(_("Sent to the curator and the director. It is recorded."))
    await context.notifier.notices("proposal.created", proposal.id, to_curators=False)


PROPOSAL = Form(
    [
        Step(
            Proposing.text,
            "text",
            question=N_(
                "What do you propose and why? It goes to the curator and the director (or /cancel)."
            ),
            read=_as_typed,
        )
    ],
    _proposed,
)
PROPOSAL.register(router)
