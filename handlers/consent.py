"""/consent: what was agreed and when; withdrawal with confirmation (then data is erased)."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import remove_curator_menu
from bot.config import Settings
from bot.forms import scrub_forms
from handlers.forms import STALE
from handlers.notify import Notifier
from models.consent import active_consent, consent_history
from models.enums import ConsentKind
from models.erasure import ERASED_TRACES
from models.errors import InvalidValue
from models.participant import Participant
from models.withdrawal import withdraw_consent
from rendering.texts import consent_lines
from rendering.ui import ConsentAction, ConsentVerb, Keyboard, label, show_outcome, yes_no_keyboard

router = Router(name=__name__)


@router.message(Command("consent"))
async def cmd_consent(
    message: Message, session: AsyncSession, participant: Participant | None, settings: Settings
) -> None:
    history = [] if participant is None else await consent_history(session, participant.id)
    builder = Keyboard()
    for consent in history:
        if consent.is_active:
            builder.button(
                text=_("Withdraw: {kind}").format(kind=label(consent.kind)),
                callback_data=ConsentAction(action=ConsentVerb.WITHDRAW, kind=consent.kind),
            )
    builder.adjust(1)
    text = "<b>{title}</b>\n{lines}".format(
        title=_("Your consents"), lines=consent_lines(history, settings.timezone)
    )
    if not history:
        text += "\n" + _("Send /start to read the consent and join the programme.")
    await message.answer(text, reply_markup=builder.as_markup())


async def _active(
    session: AsyncSession, participant: Participant | None, kind: ConsentKind
) -> Participant:
    if participant is None or await active_consent(session, participant.id, kind) is None:
        raise InvalidValue(STALE)
    return participant


@router.callback_query(ConsentAction.filter(F.action == ConsentVerb.WITHDRAW))
async def withdrawal_requested(
    query: CallbackQuery,
    callback_data: ConsentAction,
    session: AsyncSession,
    participant: Participant | None,
) -> None:
    await _active(session, participant, callback_data.kind)
    if callback_data.kind == ConsentKind.PERSONAL_DATA:
        question = _(
            "Withdraw the consent to personal data processing?\n\nYour profile and "
            "questionnaires will be erased and your participation in the programme will end. "
            "This cannot be undone, but you can register again later."
        )
    else:
        question = _(
            "Withdraw the consent to act as a mentor?\n\nYou will leave the bank of mentors; "
            "your profile and other data stay."
        )
    keyboard = yes_no_keyboard(
        ConsentAction(action=ConsentVerb.CONFIRM, kind=callback_data.kind),
        _("Yes, withdraw"),
        ConsentAction(action=ConsentVerb.KEEP, kind=callback_data.kind),
        _("No, keep it"),
    )
    await show_outcome(query, question, reply_markup=keyboard)
    await query.answer()


@router.callback_query(ConsentAction.filter(F.action == ConsentVerb.KEEP))
async def withdrawal_cancelled(query: CallbackQuery) -> None:
    await show_outcome(query, _("Nothing has changed: your consent stays in force."))
    await query.answer()


@router.callback_query(ConsentAction.filter(F.action == ConsentVerb.CONFIRM))
async def withdrawal_confirmed(
    query: CallbackQuery,
    callback_data: ConsentAction,
    state: FSMContext,
    session: AsyncSession,
    participant: Participant | None,
    notifier: Notifier,
) -> None:
    participant = await _active(session, participant, callback_data.kind)
    name = escape(participant.display_name)  # for the curators' notice; erased from the DB
    kind = callback_data.kind
    had_role = participant.staff_role is not None
    affected = await withdraw_consent(session, participant, kind)
    if had_role and participant.staff_role is None:
        await remove_curator_menu(notifier.bot, notifier.i18n, participant.telegram_id)
    await state.clear()
    # drafts of others still naming them or quoting them: the traces replaced (bot.forms)
    await scrub_forms(state.storage, session.info.pop(ERASED_TRACES, []))
    if kind == ConsentKind.PERSONAL_DATA:
        done = _(
            "Consent withdrawn. Your personal data has been erased and your participation has "
            "ended. If you want to come back, send /start."
        )
    else:
        done = _("Consent withdrawn: you are no longer in the bank of mentors.")
    await show_outcome(query, done)
    await query.answer()

    def render() -> tuple[str, None]:
        if kind == ConsentKind.PERSONAL_DATA:
            notice = _(
                "{name} withdrew the consent to personal data processing: their data has been "
                "erased and their participation has ended."
            )
        else:
            notice = _(
                "{name} withdrew the consent to act as a mentor and left the bank of mentors."
            )
        return notice.format(name=name), None

    # Direct on purpose (handlers.notify): the person was erased in the same transaction, so a
    # notice rendered at delivery could not name them; after an erasure a refused one is not
    # queued (its text would keep the name).
    queue = kind != ConsentKind.PERSONAL_DATA
    await notifier.curators(render, queue_if_refused=queue)

    def to_partners() -> tuple[str, None]:
        return _(
            "Your mentoring pair has ended early: {name} left the programme (§10.1.2). "
            "The curator will contact you."
        ).format(name=name), None

    await notifier.participants(affected, to_partners, queue_if_refused=queue)
