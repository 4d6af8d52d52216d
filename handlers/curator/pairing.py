"""/pair: the curator forms a pair or group from the banks (§9.1), everyone is asked (§9.2),
then the curator records the director's order (§6.3.5)."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.context import Context
from handlers.dates import order_date_doubt, plausible
from handlers.forms import HOLD, STALE, Form, Step, Turn
from handlers.loaded import EntersOrders, PairOf
from handlers.outcome import remember_origin, show_decided, show_outcome_later
from handlers.pairs import ask_pair_consent
from models.choice import current_wishes
from models.director import require_order_entry
from models.errors import AlreadyDecided, InvalidValue
from models.fields import FIELDS, parse_date
from models.i18n_marker import N_
from models.matching import rank_mentors
from models.names import Case
from models.pairs import (
    MENTEE_TAKEN,
    Pair,
    approve_join,
    approve_pair,
    mentees_without_pair,
    open_pair_of_mentee,
    pairs_of,
    propose_pair,
    record_replacement_order,
    waiting_join,
    waiting_replacement_order,
)
from models.participant import curator_telegram_ids, get_participant_by_id
from models.statistics import academic_year
from rendering.ui import (
    JoinApproval,
    PairApproval,
    PickMentee,
    PickMentor,
    ReplacementOrder,
    button_rows,
    chat_of,
    label,
    show_outcome,
)
from rendering.views import (
    day,
    forms_text,
    name_in,
    names_of,
    pair_card,
    pair_names,
    reason_text,
)

router = Router(name=__name__)


class PairForming(StatesGroup):
    choosing_forms = State()
    choosing_type = State()
    confirming = State()  # the summary is shown; nothing is sent before «Send»


class ProposalConfirm(CallbackData, prefix="ppc"):
    send: bool


class PairApproving(StatesGroup):
    entering_order_number = State()
    entering_order_date = State()


@router.message(Command("pair"))
async def cmd_pair(message: Message, state: FSMContext, session: AsyncSession, today: date) -> None:
    await state.clear()
    mentees = await mentees_without_pair(session)
    if not mentees:
        await message.answer(_("Every mentee in the bank has a mentor or a pending proposal."))
        return
    wishes = await current_wishes(session, [m.id for m in mentees])
    # Those on this year's list (§6.4.2) first, marked 📋; those who asked for a mentor, ⭐.
    year = academic_year(today)[0].year
    mentees.sort(key=lambda m: m.include_year != year)
    buttons = [
        (
            ("📋 " if m.include_year == year else "")
            + ("⭐ " if m.id in wishes else "")
            + f"{m.display_name} — {m.department or '—'}",
            PickMentee(mentee_id=m.id),
        )
        for m in mentees
    ]
    await message.answer(
        _("Choose a mentee (the bank of mentees without a mentor):")
        + "\n"
        + _("📋 on this year's list to be mentored, ⭐ asked for a mentor"),
        reply_markup=button_rows(buttons),
    )


@router.callback_query(PickMentee.filter())
async def mentee_picked(
    query: CallbackQuery, callback_data: PickMentee, session: AsyncSession
) -> None:
    mentee = await get_participant_by_id(session, callback_data.mentee_id)
    wish = (await current_wishes(session, [callback_data.mentee_id])).get(callback_data.mentee_id)
    wished = wish.mentor_id if wish is not None else None
    ranked = await rank_mentors(session, callback_data.mentee_id, include=wished)
    if mentee is None or not ranked:
        await show_outcome(query, _("No mentor in the bank has a free place for this mentee."))
        await query.answer()
        return
    lines = [
        _("Mentors for <b>{name}</b>, best match first:").format(
            name=escape(name_in(mentee.display_name, Case.GENITIVE))
        )
    ]
    if wish is not None:
        wanted = next((m.mentor for m in ranked if m.mentor.id == wished), None)
        lines.append(
            _("⭐ The mentee asked for {mentor}: «{reason}»").format(
                mentor=escape(wanted.display_name)
                if wanted
                else _("a mentor without a free place"),
                reason=escape(wish.reason or ""),
            )
        )
    buttons = []
    for number, match in enumerate(ranked, 1):
        reasons = "; ".join(reason_text(text, params) for text, params in match.reasons)
        star = "⭐ " if match.mentor.id == wished else ""
        lines.append(
            star
            + ngettext(
                "{n}. <b>{name}</b>: {score} point, {load} of {capacity} places taken",
                "{n}. <b>{name}</b>: {score} points, {load} of {capacity} places taken",
                match.score,
            ).format(
                n=number,
                name=escape(match.mentor.display_name),
                score=match.score,
                load=match.load,
                capacity=profile.capacity if (profile := match.mentor.mentor_profile) else 0,
            )
        )
        lines.append("   " + (escape(reasons) or _("no matching criteria")))
        buttons.append(
            (
                _("{n}. {name}").format(n=number, name=match.mentor.display_name),
                PickMentor(mentee_id=mentee.id, mentor_id=match.mentor.id),
            )
        )
        for pair in await pairs_of(session, match.mentor.id):
            if pair.mentor_id == match.mentor.id:
                buttons.append(
                    (
                        _("{n}. add to group #{pair}").format(n=number, pair=pair.id),
                        PickMentor(
                            mentee_id=mentee.id, mentor_id=match.mentor.id, join_pair_id=pair.id
                        ),
                    )
                )
    await show_outcome(query, "\n".join(lines), reply_markup=button_rows(buttons))
    await query.answer()


@router.callback_query(PickMentor.filter())
async def mentor_picked(
    query: CallbackQuery, callback_data: PickMentor, state: FSMContext, session: AsyncSession
) -> None:
    mentee = await get_participant_by_id(session, callback_data.mentee_id)
    mentor = await get_participant_by_id(session, callback_data.mentor_id)
    if mentee is None or mentor is None or not mentee.mentee_profile or not mentor.mentor_profile:
        raise InvalidValue(STALE)
    # A list from an earlier /pair: the mentee may have been paired since. Said now, not after
    # the forms and the type are chosen (the proposal itself checks again).
    if await open_pair_of_mentee(session, mentee.id) is not None:
        raise AlreadyDecided(MENTEE_TAKEN)
    if callback_data.join_pair_id:
        await state.set_state(PairForming.confirming)
        await state.set_data(
            {
                "mentee_id": mentee.id,
                "mentor_id": mentor.id,
                "join_pair_id": callback_data.join_pair_id,
            }
        )
        summary = _(
            "Add <b>{mentee}</b> to group #{pair} of <b>{mentor}</b>? The newcomer is asked for "
            "consent first."
        ).format(
            mentee=escape(name_in(mentee.display_name, Case.ACCUSATIVE)),  # «добавить кого»
            pair=callback_data.join_pair_id,
            mentor=escape(name_in(mentor.display_name, Case.GENITIVE)),  # «группу наставника …»
        )
        await chat_of(query).answer(summary, reply_markup=confirm_keyboard())
        await query.answer()
        return
    shared = [
        f for f in mentee.mentee_profile.mentee_forms if f in mentor.mentor_profile.mentor_forms
    ]
    answers = {"mentee_id": mentee.id, "mentor_id": mentor.id, "pair_forms": shared}
    await PROPOSAL.start(Turn(chat_of(query), state), answers)
    await query.answer()


async def _proposal_summary(turn: Turn) -> None:
    await turn.state.set_state(PairForming.confirming)
    data = await turn.answers()
    names = await names_of(turn.session, [data["mentor_id"], data["mentee_id"]])
    summary = _(
        "<b>Check the proposal</b>\nMentor: {mentor}\nMentee: {mentee}\nForms: {forms}\n"
        "Pair type: {type}\n\nOnce sent, both are asked for consent."
    ).format(
        mentor=names.get(data["mentor_id"], "—"),
        mentee=names.get(data["mentee_id"], "—"),
        forms=forms_text(data["pair_forms"]),
        type=label(FIELDS["pair_type"].option(data["pair_type"])),
    )
    await turn.message.answer(summary, reply_markup=confirm_keyboard())


PROPOSAL = Form(
    [
        Step(PairForming.choosing_forms, "pair_forms"),
        Step(PairForming.choosing_type, "pair_type"),
    ],
    _proposal_summary,
)
PROPOSAL.register(router)


def confirm_keyboard() -> InlineKeyboardMarkup:
    return button_rows(
        [
            (_("✅ Send the proposal"), ProposalConfirm(send=True)),
            (_("✖ Cancel"), ProposalConfirm(send=False)),
        ]
    )


@router.callback_query(ProposalConfirm.filter(), PairForming.confirming)
async def proposal_confirmed(
    query: CallbackQuery, callback_data: ProposalConfirm, state: FSMContext, context: Context
) -> None:
    data = await state.get_data()
    await state.clear()
    if not callback_data.send:  # under a message too old to edit: said as a new message
        shown_text = query.message.html_text if isinstance(query.message, Message) else ""
        cancelled = _("✖ Cancelled; nothing was sent.")
        await show_outcome(query, f"{shown_text}\n\n{cancelled}" if shown_text else cancelled)
        await query.answer()
        return
    join = data.get("join_pair_id")
    pair = await propose_pair(
        context.session,
        context.actor,
        mentee_id=data["mentee_id"],
        mentor_id=data["mentor_id"],
        forms=data.get("pair_forms", []),
        pair_type=data.get("pair_type", "teacher_teacher"),
        join_pair_id=join,
        needs_bank_approval=context.settings.pairing_needs_bank_approval,
    )
    await query.answer()
    if join:
        text = _("Proposed; I am asking the new member for consent.")
        await show_decided(query, context.stamp, _("📨 Proposal sent"), text=text)
        await ask_pair_consent(context.notifier, pair)
        return
    names = await pair_names(context.session, pair)
    text = _("Proposed. Both are asked for consent; I will tell you their answers.")
    await show_decided(
        query, context.stamp, _("📨 Proposal sent"), text=f"{text}\n\n{pair_card(pair, names)}"
    )
    await ask_pair_consent(context.notifier, pair)


@router.callback_query(ProposalConfirm.filter())
async def stale_proposal(query: CallbackQuery) -> None:
    """A «Send» under a summary from an earlier /pair: nothing is sent twice or by accident."""
    await query.answer(
        _("This proposal is no longer open. Start again with /pair."), show_alert=True
    )


@router.callback_query(PairApproval.filter(), EntersOrders(), PairOf())
async def approval_started(query: CallbackQuery, pair: Pair, state: FSMContext) -> None:
    await _ask_order_number(query, state, {"pair_id": pair.id})
    await remember_origin(state, query.message)


@router.callback_query(JoinApproval.filter(), EntersOrders())
async def join_approval_started(
    query: CallbackQuery, callback_data: JoinApproval, state: FSMContext, session: AsyncSession
) -> None:
    """A newcomer agreed to join an approved group: the order that makes them a member."""
    await waiting_join(session, callback_data.pair_id, callback_data.mentee_id)
    await _ask_order_number(
        query, state, {"pair_id": callback_data.pair_id, "mentee_id": callback_data.mentee_id}
    )
    await remember_origin(state, query.message)


@router.callback_query(ReplacementOrder.filter(), EntersOrders())
async def replacement_order_started(
    query: CallbackQuery, callback_data: ReplacementOrder, state: FSMContext, session: AsyncSession
) -> None:
    """A change of mentor is fixed by an order like the pair itself: number, then date."""
    replacement = await waiting_replacement_order(session, callback_data.replacement_id)
    await _ask_order_number(query, state, {"replacement_id": replacement.id})
    await remember_origin(state, query.message)


async def _ask_order_number(
    query: CallbackQuery, state: FSMContext, order_of: dict[str, int]
) -> None:
    """Every order (a pair's, a newcomer's, a change of mentor's): its number, then its date;
    `order_of` says what the order fixes."""
    await ORDER.start(Turn(chat_of(query), state), dict(order_of))
    await query.answer()


async def _order_number(turn: Turn) -> Any:
    # «№ 45-о» typed with its sign would read «Приказ № № 45-о»: the sign is the template's.
    typed = (turn.text or "").strip().lstrip("№#").strip() or turn.text
    return FIELDS["order_number"].clean(typed)


async def _order_date(turn: Turn) -> Any:
    context: Context = turn.deps["context"]
    require_order_entry(context.participant, context.settings.order_entered_by)
    today = context.stamp.at.date()
    order_date = parse_date(turn.text, today, "past")
    if not await plausible(turn.sent, turn.state, order_date, order_date_doubt(order_date, today)):
        return HOLD
    return order_date.isoformat()


async def _ordered(turn: Turn) -> None:
    """The order is recorded: a pair's, a newcomer's in an approved group, a change of mentor's."""
    context: Context = turn.deps["context"]
    session, actor, message = context.session, context.actor, turn.message
    notifier, settings = context.notifier, context.settings
    data = await turn.answers()
    order_date = date.fromisoformat(data["order_date"])
    if data.get("mentee_id"):  # a newcomer to an approved group: their own order
        pair = await approve_join(
            session,
            actor,
            data["pair_id"],
            data["mentee_id"],
            order_number=data["order_number"],
            order_date=order_date,
            staff_chat_ids=await curator_telegram_ids(session, settings.curator_ids),
        )
        await turn.state.clear()
        names = await pair_names(session, pair)
        await message.answer(
            _("The newcomer is a member of the group now.") + "\n\n" + pair_card(pair, names)
        )
        await show_outcome_later(
            context.bot, data, context.stamp, _("✅ The newcomer joins the group by order")
        )
        member = next(m for m in pair.members if m.mentee_id == data["mentee_id"])
        await notifier.notices("pair.joined", member.id, to_curators=False)
        await notifier.notices("join.ordered", member.id, to_curators=False)
        return
    if data.get("replacement_id"):
        replacement = await record_replacement_order(
            session,
            actor,
            data["replacement_id"],
            order_number=data["order_number"],
            order_date=order_date,
            staff_chat_ids=await curator_telegram_ids(session, settings.curator_ids),
        )
        await turn.state.clear()
        await message.answer(
            _("The change of mentor is recorded by order No. {number} of {date}.").format(
                number=escape(replacement.order_number or ""), date=day(order_date)
            )
        )
        await show_outcome_later(
            context.bot, data, context.stamp, _("✅ The change of mentor is recorded by order")
        )
        await notifier.notices("replacement.ordered", replacement.id, to_curators=False)
        return
    pair = await approve_pair(
        session,
        actor,
        data["pair_id"],
        order_number=data["order_number"],
        order_date=order_date,
        staff_chat_ids=await curator_telegram_ids(session, settings.curator_ids),
    )
    await turn.state.clear()
    names = await pair_names(session, pair)
    await message.answer(_("The pair is approved.") + "\n\n" + pair_card(pair, names))
    await show_outcome_later(
        context.bot, data, context.stamp, _("✅ The pair is approved by order")
    )
    await notifier.notices("pair.approved", pair.id, to_curators=False)
    await notifier.notices("pair.ordered", pair.id, to_curators=False)


ORDER = Form(
    [
        Step(PairApproving.entering_order_number, "order_number", read=_order_number),
        Step(
            PairApproving.entering_order_date,
            "order_date",
            question=N_("Date of the order (DD.MM.YYYY):"),
            read=_order_date,
        ),
    ],
    _ordered,
)
ORDER.register(router)
