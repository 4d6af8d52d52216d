"""Changing an approved programme by mutual consent (§10.2): either side proposes adding,
editing or removing an activity, other forms or another end date; the mentor and every mentee
answer «Согласен» / «Не согласен»; the curator is told of the outcome and sees the history."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InaccessibleMessage, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.middlewares import Stamp
from handlers.confirm import Confirmed, ask_confirmation
from handlers.onboarding.options import STALE, press_option, show_answer, typed_option
from handlers.outcome import remember_origin, show_decided, show_outcome_later
from models.access import Actor
from models.changes import (
    ACTIVITY_FIELDS,
    Change,
    ProgrammeChange,
    answer_change,
    changes_of,
    check_can_answer,
    check_can_propose,
    preview_change,
    withdraw_change,
)
from models.changes import propose_change as propose
from models.enums import ActivityStatus, ChangeStatus
from models.errors import InvalidValue
from models.fields import FIELDS, parse_date
from rendering.notices import send_notices
from rendering.ui import (
    SKIP,
    ChangeAnswer,
    ChangeMenu,
    ChangeOp,
    ChangeWithdraw,
    FormOption,
    ProgrammeAction,
    ProgrammeVerb,
    button_rows,
    chat_of,
    prompt_of,
    set_buttons,
    step_keyboard,
)
from rendering.views import change_field_label, change_lines, day, render_card

router = Router(name=__name__)


class Proposing(StatesGroup):
    add_title = State()
    add_description = State()
    add_deadline = State()
    add_responsible = State()
    add_expected = State()
    edit_value = State()
    choosing_forms = State()
    end_date = State()
    reason = State()


class Refusing(StatesGroup):
    comment = State()


# ---------------------------------------------------------------- composing


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.CHANGE))
async def change_started(
    query: CallbackQuery,
    callback_data: ProgrammeAction,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    programme = await check_can_propose(session, actor, callback_data.programme_id)
    await state.clear()
    await query.answer()
    labels = {
        ChangeOp.ADD: _("➕ Add an activity"),
        ChangeOp.EDIT: _("✏ Change an activity"),
        ChangeOp.REMOVE: _("🗑 Remove an activity"),
        ChangeOp.FORMS: _("Change the forms of mentoring"),
        ChangeOp.END_DATE: _("Move the end date"),
    }
    buttons = [(labels[op], ChangeMenu(programme_id=programme.id, op=op)) for op in ChangeOp]
    await chat_of(query).answer(
        _(
            "What should change in the programme? The change takes effect when the mentor and "
            "every mentee agree (§10.2). /cancel stops."
        ),
        reply_markup=button_rows(buttons),
    )


@router.callback_query(ChangeMenu.filter())
async def change_step(
    query: CallbackQuery,
    callback_data: ChangeMenu,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    programme = await check_can_propose(session, actor, callback_data.programme_id)
    op = callback_data.op
    data: dict[str, Any] = {"programme_id": programme.id, "op": op.value, "values": {}}
    if op in ("edit", "remove"):
        open_activities = [a for a in programme.activities if a.status != ActivityStatus.CONFIRMED]
        activity = next((a for a in open_activities if a.id == callback_data.activity_id), None)
        if activity is None:
            if callback_data.activity_id:
                raise InvalidValue(STALE)
            if not open_activities:
                await query.answer(_("There is no open activity to change."), show_alert=True)
                return
            buttons = [
                (
                    f"{a.title[:50]} ({day(a.deadline)})",
                    ChangeMenu(programme_id=programme.id, op=op, activity_id=a.id),
                )
                for a in open_activities
            ]
            await query.answer()
            await chat_of(query).answer(_("Which activity?"), reply_markup=button_rows(buttons))
            return
        data["activity_id"] = activity.id
        if op == "edit" and callback_data.field not in ACTIVITY_FIELDS:
            if callback_data.field:
                raise InvalidValue(STALE)
            buttons = [
                (
                    change_field_label(key),
                    ChangeMenu(
                        programme_id=programme.id, op=op, activity_id=activity.id, field=key
                    ),
                )
                for key in ACTIVITY_FIELDS
            ]
            await query.answer()
            await chat_of(query).answer(
                _("What should change in «{title}»?").format(title=activity.title[:100]),
                reply_markup=button_rows(buttons),
            )
            return
        data["field"] = callback_data.field
    await query.answer()
    await state.set_data(data)
    message = chat_of(query)
    if op == "add":
        await state.set_state(Proposing.add_title)
        await message.answer(prompt_of("activity_title"))
    elif op == "remove":
        await _ask_reason(message, state)
    elif op == "forms":
        spec = FIELDS["pair_forms"]
        await state.update_data({spec.key: list(programme.forms)})
        await state.set_state(Proposing.choosing_forms)
        await message.answer(_(spec.prompt), reply_markup=step_keyboard(spec, programme.forms))
    elif op == "end_date":
        await state.set_state(Proposing.end_date)
        await message.answer(
            _("The new end date of the programme (DD.MM.YYYY); now {date}:").format(
                date=day(programme.end_date)
            )
        )
    else:  # edit one field
        field = callback_data.field
        await state.set_state(Proposing.edit_value)
        if field == "responsible":
            spec = FIELDS["responsible"]
            await message.answer(_(spec.prompt), reply_markup=step_keyboard(spec))
        elif field == "deadline":
            await message.answer(_("The new deadline (DD.MM.YYYY):"))
        else:
            await message.answer(
                _("The new value of «{field}»:").format(field=change_field_label(field))
            )


async def _ask_reason(message: Message | InaccessibleMessage, state: FSMContext) -> None:
    await state.set_state(Proposing.reason)
    await message.answer(_("Why is the change needed? One or two sentences for the others:"))


async def _set_value(state: FSMContext, key: str, value: object) -> None:
    data = await state.get_data()
    await state.update_data(values={**data.get("values", {}), key: value})


@router.message(Proposing.add_title, F.text)
async def add_title_entered(message: Message, state: FSMContext) -> None:
    await _set_value(state, "title", FIELDS["activity_title"].clean(message.text))
    await state.set_state(Proposing.add_description)
    spec = FIELDS["activity_description"]
    await message.answer(_(spec.prompt), reply_markup=step_keyboard(spec))


@router.message(Proposing.add_description, F.text)
async def add_description_entered(message: Message, state: FSMContext) -> None:
    await _set_value(state, "description", FIELDS["activity_description"].clean(message.text))
    await state.set_state(Proposing.add_deadline)
    await message.answer(_("Deadline of the activity (DD.MM.YYYY):"))


@router.callback_query(FormOption.filter(F.code == SKIP), Proposing.add_description)
async def add_description_skipped(query: CallbackQuery, state: FSMContext) -> None:
    await show_answer(query, FIELDS["activity_description"], None)
    await state.set_state(Proposing.add_deadline)
    await chat_of(query).answer(_("Deadline of the activity (DD.MM.YYYY):"))


@router.message(Proposing.add_deadline, F.text)
async def add_deadline_entered(message: Message, state: FSMContext) -> None:
    await _set_value(state, "deadline", parse_date(message.text).isoformat())
    await state.set_state(Proposing.add_responsible)
    spec = FIELDS["responsible"]
    await message.answer(_(spec.prompt), reply_markup=step_keyboard(spec))


@router.callback_query(FormOption.filter(), Proposing.add_responsible)
async def add_responsible_chosen(
    query: CallbackQuery, callback_data: FormOption, state: FSMContext
) -> None:
    spec = FIELDS["responsible"]
    if callback_data.field != spec.key:
        raise InvalidValue(STALE)
    responsible = spec.option(callback_data.code).value
    await _set_value(state, "responsible", responsible)
    await show_answer(query, spec, responsible)
    await state.set_state(Proposing.add_expected)
    expected = FIELDS["expected_result"]
    await chat_of(query).answer(_(expected.prompt), reply_markup=step_keyboard(expected))


@router.message(Proposing.add_expected, F.text)
async def add_expected_entered(message: Message, state: FSMContext) -> None:
    await _set_value(state, "expected_result", FIELDS["expected_result"].clean(message.text))
    await _ask_reason(message, state)


@router.callback_query(FormOption.filter(F.code == SKIP), Proposing.add_expected)
async def add_expected_skipped(query: CallbackQuery, state: FSMContext) -> None:
    await show_answer(query, FIELDS["expected_result"], None)
    await _ask_reason(chat_of(query), state)


@router.message(Proposing.edit_value, F.text)
async def edit_value_entered(message: Message, state: FSMContext) -> None:
    field = (await state.get_data())["field"]
    if field == "deadline":
        value: object = parse_date(message.text).isoformat()
    elif field == "responsible":
        spec = FIELDS["responsible"]
        option = typed_option(spec, message.text or "")
        if option is None:
            await message.answer(_(spec.prompt), reply_markup=step_keyboard(spec))
            return
        value = option.value
    else:
        key = {"title": "activity_title", "description": "activity_description"}.get(field, field)
        value = FIELDS[key].clean(message.text)
    await _set_value(state, field, value)
    await _ask_reason(message, state)


@router.callback_query(FormOption.filter(), Proposing.edit_value)
async def edit_responsible_chosen(
    query: CallbackQuery, callback_data: FormOption, state: FSMContext
) -> None:
    spec = FIELDS["responsible"]
    if callback_data.field != spec.key or (await state.get_data()).get("field") != "responsible":
        raise InvalidValue(STALE)
    responsible = spec.option(callback_data.code).value
    await _set_value(state, "responsible", responsible)
    await show_answer(query, spec, responsible)
    await _ask_reason(chat_of(query), state)


@router.callback_query(FormOption.filter(), Proposing.choosing_forms)
async def forms_chosen(query: CallbackQuery, callback_data: FormOption, state: FSMContext) -> None:
    spec = FIELDS["pair_forms"]
    if callback_data.field != spec.key:
        raise InvalidValue(STALE)
    answer = await press_option(query, state, spec, callback_data.code, back=False)
    if answer is None:
        return
    await _set_value(state, "forms", answer.value)
    await show_answer(query, spec, answer.value)
    await _ask_reason(chat_of(query), state)


@router.message(Proposing.end_date, F.text)
async def end_date_entered(message: Message, state: FSMContext) -> None:
    await _set_value(state, "end_date", parse_date(message.text).isoformat())
    await _ask_reason(message, state)


def _change_from(data: dict[str, Any]) -> Change:
    values = dict(data.get("values") or {})
    for key in ("deadline", "end_date"):
        if key in values:
            values[key] = date.fromisoformat(values[key])
    return Change(op=data["op"], activity_id=data.get("activity_id"), values=values)


@router.message(Proposing.reason, F.text)
async def reason_entered(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
) -> None:
    """The summary with each change's before → after; nothing is sent before «✅»."""
    data = await state.get_data()
    reason = FIELDS["request_reason"].text(message.text) or ""
    items = await preview_change(
        session,
        actor,
        data["programme_id"],
        [_change_from(data)],
        max_months=settings.programme_max_months,
    )
    lines = [_("<b>Send the change proposal?</b>"), ""]
    for number, item in enumerate(items, 1):
        first, *rest = change_lines(item)
        lines += [f"{number}. {first}", *rest]
    lines += [
        "",
        _("Reason: {reason}").format(reason=escape(reason)),
        "",
        _("It takes effect when the mentor and every mentee agree (§10.2)."),
    ]
    payload = {**data, "reason": reason}
    await ask_confirmation(
        message, state, "change", "\n".join(lines), _("✅ Send the proposal"), payload
    )


@router.callback_query(Confirmed("change"))
async def change_confirmed(
    query: CallbackQuery,
    confirmed: dict[str, Any],
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
    settings: Settings,
    stamp: Stamp,
) -> None:
    proposal = await propose(
        session,
        actor,
        confirmed["programme_id"],
        [_change_from(confirmed)],
        reason=confirmed["reason"],
        max_months=settings.programme_max_months,
    )
    await query.answer()
    await show_decided(query, stamp, _("📨 Sent to the others."))
    card = await render_card(session, proposal)
    await chat_of(query).answer(
        _("Sent to the others: the change takes effect when everyone agrees (§10.2).")
        + "\n\n"
        + card,
        reply_markup=button_rows(
            [(_("↩ Withdraw the proposal"), ChangeWithdraw(change_id=proposal.id))]
        ),
    )
    await send_notices(bot, session, i18n, "change.proposed", proposal.id)


@router.callback_query(ChangeWithdraw.filter())
async def change_withdrawn(
    query: CallbackQuery,
    callback_data: ChangeWithdraw,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
    settings: Settings,
    stamp: Stamp,
) -> None:
    proposal = await withdraw_change(session, actor, callback_data.change_id)
    await show_decided(query, stamp, _("↩ Withdrawn"))
    await query.answer(_("The proposal is withdrawn: nothing changes."))
    await _tell_outcome(session, proposal, bot, i18n, settings)


# ---------------------------------------------------------------- answering


@router.callback_query(ChangeAnswer.filter(F.agree))
async def change_agreed(
    query: CallbackQuery,
    callback_data: ChangeAnswer,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
    settings: Settings,
    stamp: Stamp,
) -> None:
    proposal = await answer_change(
        session,
        actor,
        callback_data.change_id,
        agree=True,
        max_months=settings.programme_max_months,
    )
    await show_decided(query, stamp, _("✅ Agreed"))
    await _answered(query, session, proposal, bot, i18n, settings)


@router.callback_query(ChangeAnswer.filter(~F.agree))
async def change_refusing(
    query: CallbackQuery,
    callback_data: ChangeAnswer,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
) -> None:
    """«Не согласен»: checked now (a stale button is told at once), then an optional comment."""
    proposal = await check_can_answer(session, actor, callback_data.change_id)
    await state.set_state(Refusing.comment)
    await state.set_data({"change_id": proposal.id})
    await remember_origin(state, query.message)  # shows the refusal once it is recorded
    await query.answer()
    spec = FIELDS["change_comment"]
    await chat_of(query).answer(_(spec.prompt), reply_markup=step_keyboard(spec))


async def _refuse(
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    comment: str | None,
    bot: Bot,
    stamp: Stamp,
) -> ProgrammeChange:
    data = await state.get_data()
    proposal = await answer_change(session, actor, data["change_id"], agree=False, comment=comment)
    await state.clear()
    await show_outcome_later(bot, data, stamp, _("✖ Did not agree"))
    return proposal


@router.message(Refusing.comment, F.text)
async def refusal_comment_entered(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
    settings: Settings,
    stamp: Stamp,
) -> None:
    comment = FIELDS["change_comment"].clean(message.text)
    proposal = await _refuse(state, session, actor, str(comment), bot, stamp)
    await message.answer(await _outcome_text(session, proposal))
    await _tell_outcome(session, proposal, bot, i18n, settings)


@router.callback_query(FormOption.filter(F.code == SKIP), Refusing.comment)
async def refusal_comment_skipped(
    query: CallbackQuery,
    state: FSMContext,
    session: AsyncSession,
    actor: Actor,
    bot: Bot,
    i18n: I18n,
    settings: Settings,
    stamp: Stamp,
) -> None:
    proposal = await _refuse(state, session, actor, None, bot, stamp)
    await set_buttons(query, None)
    await query.answer(_("Your answer is recorded."))
    await chat_of(query).answer(await _outcome_text(session, proposal))
    await _tell_outcome(session, proposal, bot, i18n, settings)


async def _outcome_text(session: AsyncSession, proposal: ProgrammeChange) -> str:
    card = await render_card(session, proposal)
    if proposal.status == ChangeStatus.AGREED:
        head = _("Everyone agreed: the change is applied.")
    elif proposal.status == ChangeStatus.REJECTED:
        head = _("The proposal is not agreed: the programme stays as it was.")
    elif proposal.status == ChangeStatus.WITHDRAWN:
        head = _("The proposal is withdrawn: nothing changes.")
    else:
        head = _("Your agreement is recorded; the change waits for the others.")
    return f"{head}\n\n{card}"


async def _answered(
    query: CallbackQuery,
    session: AsyncSession,
    proposal: ProgrammeChange,
    bot: Bot,
    i18n: I18n,
    settings: Settings,
) -> None:
    await query.answer(_("Your answer is recorded."))
    await chat_of(query).answer(await _outcome_text(session, proposal))
    await _tell_outcome(session, proposal, bot, i18n, settings)


async def _tell_outcome(
    session: AsyncSession, proposal: ProgrammeChange, bot: Bot, i18n: I18n, settings: Settings
) -> None:
    """The others and the curators, queued with the decision (the curators get the card)."""
    if proposal.status == ChangeStatus.OPEN:
        return
    await send_notices(bot, session, i18n, "change.decided", proposal.id, settings=settings)


# ---------------------------------------------------------------- history


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.CHANGES))
async def change_history(
    query: CallbackQuery, callback_data: ProgrammeAction, session: AsyncSession, actor: Actor
) -> None:
    proposals = await changes_of(session, actor, callback_data.programme_id)
    await query.answer()
    if not proposals:
        await chat_of(query).answer(_("No change has been proposed to this programme yet."))
        return
    for proposal in proposals[-10:]:
        await chat_of(query).answer(await render_card(session, proposal))
