"""/requests: the curator decides with a comment; after an approved replacement or release the
curator picks the new mentor; /endprogramme ends a programme for non-performance (§10.1.3)."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.confirm import Confirmed, ask_confirmation
from handlers.context import Context
from handlers.forms import Form, Step, Turn
from handlers.loaded import RequestOf
from handlers.outcome import remember_origin, show_decided, show_outcome_later
from handlers.pairs import ask_pair_consent
from models.enums import EndReason, PairStatus, ProgrammeStatus, RequestKind, RequestStatus
from models.errors import WrongState
from models.fields import FIELDS
from models.i18n_marker import N_
from models.names import Case
from models.pairs import (
    Pair,
    get_pair,
    joins_waiting,
    propose_replacement,
    replacements_without_order,
)
from models.programmes import FINISHED, Programme, end_early, programme_of_pair
from models.requests import (
    Request,
    awaiting_mentor_consent,
    awaiting_new_mentor,
    decide_request,
    pending_requests,
)
from rendering.notices import curator_buttons
from rendering.replacement import render_offer, replacement_candidates
from rendering.ui import (
    JoinApproval,
    NewMentor,
    PairApproval,
    ProgrammeAction,
    ProgrammeVerb,
    ReplacementOrder,
    RequestAction,
    RequestVerb,
    button_rows,
    chat_of,
    label,
)
from rendering.views import (
    day,
    name_in,
    names_of,
    pair_card,
    pair_names,
    programme_buttons,
    request_activity,
    request_card,
    request_names,
)

router = Router(name=__name__)


class Deciding(StatesGroup):
    entering_comment = State()


class Ending(StatesGroup):
    entering_reason = State()


@router.message(Command("requests"))
async def cmd_requests(message: Message, session: AsyncSession) -> None:
    requests = await pending_requests(session)
    accepted = list(
        await session.scalars(
            select(Pair).where(Pair.status == PairStatus.ACCEPTED).order_by(Pair.id)
        )
    )
    for pair in accepted:  # everyone agreed: the pair waits for the director's order
        names = await pair_names(session, pair)
        approve = button_rows([(_("Approve by order"), PairApproval(pair_id=pair.id))])
        note = _("Everyone agreed. Enter the director's order to approve the pair.")
        await message.answer(f"{note}\n\n{pair_card(pair, names)}", reply_markup=approve)
    joins = await joins_waiting(session)
    for member in joins:  # a newcomer to an approved group waits for their own order (§6.3.5)
        names = await names_of(session, [member.mentee_id])
        note = _(
            "{name} agreed to join group #{id}. They become a member once a new or "
            "supplementary order covers them: enter its number and date."
        ).format(name=names.get(member.mentee_id, "—"), id=member.pair_id)
        order = JoinApproval(pair_id=member.pair_id, mentee_id=member.mentee_id)
        await message.answer(note, reply_markup=button_rows([(_("Enter the order"), order)]))
    for request in requests:
        card = request_card(
            request,
            await request_names(session, request),
            await request_activity(session, request),
        )
        await message.answer(card, reply_markup=curator_buttons(request))
    waiting = await awaiting_new_mentor(session)
    for pair in waiting:  # an approved replacement or release: a new mentor is to be chosen
        ranked = await replacement_candidates(session, pair)
        text, markup = render_offer(pair, ranked, await names_of(session, pair.mentee_ids))
        await message.answer(text, reply_markup=markup)
    unordered = await replacements_without_order(session)
    for replacement in unordered:  # a change of mentor still waiting for its order
        names = await names_of(
            session,
            [replacement.old_mentor_id, replacement.new_mentor_id, *replacement.pair.mentee_ids],
        )
        await message.answer(
            _(
                "Change of mentor for {mentees}: {old} → {new} on {date}. Enter the "
                "director's order for it."
            ).format(
                mentees=", ".join(names.get(i, "—") for i in replacement.pair.mentee_ids),
                old=names.get(replacement.old_mentor_id, "—"),
                new=names.get(replacement.new_mentor_id, "—"),
                date=day(replacement.replaced_at.date()),
            ),
            reply_markup=button_rows(
                [(_("Enter the order"), ReplacementOrder(replacement_id=replacement.id))]
            ),
        )
    asked = await awaiting_mentor_consent(session)
    for pair in asked:  # a new mentor proposed: their answer is awaited (nothing to press)
        names = await names_of(session, [pair.pending_mentor_id or 0, *pair.mentee_ids])
        await message.answer(
            _("Change of mentor for {mentees}: waiting for {new} to agree.").format(
                mentees=", ".join(  # «для Петровой Анны»
                    name_in(names.get(i, "—"), Case.GENITIVE) for i in pair.mentee_ids
                ),
                new=name_in(names.get(pair.pending_mentor_id or 0, "—"), Case.GENITIVE),
            )
        )
    if not (requests or accepted or waiting or unordered or joins or asked):
        await message.answer(_("No request is waiting for your decision."))


@router.callback_query(
    RequestAction.filter(F.action.in_({RequestVerb.APPROVE, RequestVerb.REJECT})),
    RequestOf(),  # §4.3: refused before the comment is typed, not after
)
async def decision_started(
    query: CallbackQuery, callback_data: RequestAction, state: FSMContext, request: Request
) -> None:
    answers = {"request_id": request.id, "approve": callback_data.action == RequestVerb.APPROVE}
    await DECISION.start(Turn(chat_of(query), state), answers)
    await remember_origin(state, query.message)  # it shows the decision once the comment is in
    await query.answer()


async def _as_typed(turn: Turn) -> Any:
    return turn.text or ""


async def _decided(turn: Turn) -> None:
    context: Context = turn.deps["context"]
    message = turn.message
    data = await turn.answers()
    request = await decide_request(
        context.session,
        context.actor,
        data["request_id"],
        approve=data["approve"],
        comment=data["decision_comment"],
        max_months=context.settings.programme_max_months,
    )
    await turn.state.clear()
    await message.answer(_("Decision recorded: {status}.").format(status=label(request.status)))
    approved = request.status == RequestStatus.APPROVED
    outcome = _("✅ Request approved") if approved else _("✖ Request rejected")
    await show_outcome_later(context.bot, data, context.stamp, outcome)
    pair = await get_pair(context.session, request.pair_id)
    await context.notifier.notices("request.decided", request.id, to_curators=False)
    if not approved:
        return
    if request.kind in (RequestKind.REPLACEMENT, RequestKind.RELEASE):
        ranked = await replacement_candidates(context.session, pair)
        text, markup = render_offer(pair, ranked, await names_of(context.session, pair.mentee_ids))
        await message.answer(text, reply_markup=markup)
    elif request.kind == RequestKind.EARLY_END:
        ended = await programme_of_pair(context.session, pair.id)
        if ended is not None:  # the questionnaire, queued with the decision; the co-mentors
            await context.notifier.notices("programme.survey", ended.id, to_curators=False)
            await context.notifier.notices("programme.ended", ended.id, to_curators=False)


DECISION = Form(
    [
        Step(
            Deciding.entering_comment,
            "decision_comment",
            question=N_("Your comment on the decision (it goes to the participants):"),
            read=_as_typed,
        )
    ],
    _decided,
)
DECISION.register(router)


@router.callback_query(NewMentor.filter())
async def new_mentor_chosen(
    query: CallbackQuery, callback_data: NewMentor, context: Context
) -> None:
    pair = await propose_replacement(
        context.session, context.actor, callback_data.pair_id, callback_data.mentor_id
    )
    await query.answer()
    names = await names_of(context.session, [callback_data.mentor_id])
    chosen = names.get(callback_data.mentor_id, "—")
    await show_decided(query, context.stamp, _("➡ New mentor proposed: {name}").format(name=chosen))
    await chat_of(query).answer(
        _("I am asking {name} to take over the pair.").format(
            name=name_in(names.get(callback_data.mentor_id, "—"), Case.GENITIVE)
        )
    )
    await ask_pair_consent(context.notifier, pair)


@router.message(Command("endprogramme"))
async def cmd_end_programme(message: Message, session: AsyncSession) -> None:
    running = list(
        await session.scalars(
            select(Programme)
            .where(Programme.status == ProgrammeStatus.APPROVED)
            .order_by(Programme.id)
            .limit(30)
        )
    )
    if not running:
        await message.answer(_("No programme is running."))
        return
    names = await names_of(
        session, [i for p in running for i in (p.pair.mentor_id, *p.pair.mentee_ids)]
    )
    buttons = programme_buttons(
        running,
        lambda i: names.get(i, "—"),
        lambda p: ProgrammeAction(action=ProgrammeVerb.END, programme_id=p.id),
    )
    await message.answer(
        _("Which programme ends for non-performance or force majeure (§10.1.3)?"),
        reply_markup=button_rows(buttons),
    )


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.END))
async def ending_started(
    query: CallbackQuery, callback_data: ProgrammeAction, state: FSMContext
) -> None:
    answers = {"programme_id": callback_data.programme_id}
    await ENDING.start(Turn(chat_of(query), state), answers)
    await query.answer()


async def _end_reason(turn: Turn) -> Any:
    return str(FIELDS["comment"].clean(turn.text))


async def _end_asked(turn: Turn) -> None:
    """The reason is in: the summary waits for the curator's confirmation."""
    session, message, state = turn.session, turn.sent, turn.state
    data = await turn.answers()
    reason = data["reason"]
    programme = await session.get(Programme, data["programme_id"])
    if programme is None or programme.status in FINISHED:
        await state.clear()
        raise WrongState()
    names = await pair_names(session, programme.pair)
    summary = _(
        "<b>End programme №{id} early?</b>\n{pair}\nReason: {reason}\n\n"
        "It cannot be taken back: the pair is told, and the end is recorded (§10.1.3)."
    ).format(id=programme.id, pair=pair_card(programme.pair, names), reason=escape(reason))
    payload = {"programme_id": programme.id, "reason": reason}
    await ask_confirmation(message, state, "end", summary, _("✅ End the programme"), payload)


ENDING = Form(
    [
        Step(
            Ending.entering_reason,
            "reason",
            question=N_("The reason (it is recorded and sent to the pair):"),
            read=_end_reason,
        )
    ],
    _end_asked,
)
ENDING.register(router)


@router.callback_query(Confirmed("end"))
async def ending_confirmed(
    query: CallbackQuery, confirmed: dict[str, Any], context: Context
) -> None:
    programme = await end_early(
        context.session,
        context.actor,
        confirmed["programme_id"],
        reason=EndReason.BY_CURATOR,
        comment=confirmed["reason"],
    )
    await query.answer()
    await show_decided(
        query,
        context.stamp,
        "⏹ " + _("The programme is ended: {reason}.").format(reason=label(EndReason.BY_CURATOR)),
    )
    # the pair, its questionnaire and the curators: queued with the end (models.programmes)
    for notice in ("programme.ended", "programme.survey", "programme.ended_by"):
        await context.notifier.notices(notice, programme.id)
