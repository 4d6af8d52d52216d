"""/start and the personal-data consent that comes before anything is stored."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.middlewares import Stamp
from handlers.curator.desk import show_desk
from handlers.drafts import offer_to_resume
from handlers.forms import Turn
from handlers.notify import Notifier
from handlers.onboarding.registration import REGISTRATION
from handlers.outcome import show_decided
from models.access import Actor
from models.consent import decline_personal_data_consent, give_personal_data_consent
from models.enums import ConsentKind
from models.invites import use_invite
from models.participant import Participant, ensure_participant
from models.staff import claim_invite
from rendering.texts import consent_document, intro_text
from rendering.ui import ConsentAnswer, chat_of, shown, yes_no_keyboard

router = Router(name=__name__)


def _consent_keyboard(version: str) -> InlineKeyboardMarkup:
    return yes_no_keyboard(
        ConsentAnswer(agree=True, version=version),
        _("I agree"),
        ConsentAnswer(agree=False, version=version),
        _("I do not agree"),
    )


@router.message(CommandStart())
async def cmd_start(
    message: Message,
    state: FSMContext,
    participant: Participant | None,
    notifier: Notifier,
    actor: Actor | None = None,
    stamp: Stamp | None = None,
) -> None:
    session, settings, i18n = notifier.session, notifier.settings, notifier.i18n
    is_curator = actor is not None and actor.is_curator
    today = stamp.at.date() if stamp is not None else None
    words = (message.text or "").split(maxsplit=1)
    link = words[1].strip() if len(words) > 1 else None  # a deep link's payload, if any
    if await offer_to_resume(message, state):
        return
    await state.clear()
    invited = await use_invite(session, link) if link else None
    if invited is not None:
        await state.update_data(invited_role=invited)  # the role question is skipped
    user_id = message.from_user.id if message.from_user else message.chat.id
    participant = participant or await ensure_participant(session, user_id)
    if link:
        await claim_invite(session, link, participant)  # a personal link from the list
    if participant.is_registered:
        await message.answer(
            _("Welcome back, {name}! /profile shows your profile, /help what I can do.").format(
                name=escape(participant.display_name)
            )
        )
        if is_curator and today is not None:
            await show_desk(message, session, today)
        return
    if participant.has_consent:
        lead = _("Let us finish your registration. /cancel stops at any time.")
        await REGISTRATION.ask(Turn(message, state), REGISTRATION.steps[0], lead=lead)
        return
    await message.answer(intro_text(settings.organization_name))
    document = consent_document(ConsentKind.PERSONAL_DATA, settings.organization_name, i18n)
    await message.answer(document.text, reply_markup=_consent_keyboard(document.version))


@router.callback_query(ConsentAnswer.filter(F.agree))
async def consent_given(
    query: CallbackQuery,
    callback_data: ConsentAnswer,
    state: FSMContext,
    participant: Participant | None,
    notifier: Notifier,
    stamp: Stamp,
) -> None:
    session, i18n, settings = notifier.session, notifier.i18n, notifier.settings
    participant = participant or await ensure_participant(session, query.from_user.id)
    if participant.has_consent:
        await query.answer(_("You have already given this consent."))
        return
    document = consent_document(ConsentKind.PERSONAL_DATA, settings.organization_name, i18n)
    if callback_data.version != document.version:
        await query.answer(_("The consent text has been updated. Please read the new version."))
        await chat_of(query).answer(document.text, reply_markup=_consent_keyboard(document.version))
        return
    await give_personal_data_consent(session, participant, document)
    await show_decided(query, stamp, _("✅ Agreed"))
    await query.answer(_("Consent recorded."))
    lead = _(
        "Thank you, your consent is recorded. Now a few questions about you: it takes "
        "3–5 minutes. /cancel stops at any time."
    )
    await REGISTRATION.ask(Turn(shown(query), state), REGISTRATION.steps[0], lead=lead)


@router.callback_query(ConsentAnswer.filter(~F.agree))
async def consent_declined(
    query: CallbackQuery,
    session: AsyncSession,
    participant: Participant | None,
    stamp: Stamp,
) -> None:
    participant = participant or await ensure_participant(session, query.from_user.id)
    if participant.has_consent:
        await query.answer(
            _("You have already given consent. Use /consent to withdraw it."), show_alert=True
        )
        return
    await decline_personal_data_consent(session, participant)
    await show_decided(query, stamp, _("✖ Declined"))
    await query.answer()
    await chat_of(query).answer(
        _(
            "Understood. Nothing about you has been stored except your Telegram id. Taking part "
            "is voluntary; if you change your mind, send /start."
        )
    )
