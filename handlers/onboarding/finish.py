"""The end of the registration form: the person is registered and the curators are told."""

from __future__ import annotations

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from handlers.notify import notify_curators
from handlers.texts import profile_card, registration_notice
from handlers.ui import MentorDecision, label, yes_no_keyboard
from models.enums import MentorStatus, Role
from models.participant import Participant, complete_registration
from models.staff import link_on_registration


def roles_of(participant: Participant) -> list[str]:
    roles = []
    if participant.mentee_profile is not None:
        roles.append(label(Role.MENTEE))
    if participant.mentor_profile is not None:
        roles.append(label(Role.MENTOR))
    return roles


def decision_keyboard(participant: Participant) -> InlineKeyboardMarkup | None:
    mentor = participant.mentor_profile
    if mentor is None or mentor.status != MentorStatus.CANDIDATE:
        return None
    return yes_no_keyboard(
        MentorDecision(participant_id=participant.id, accept=True),
        _("Accept into the bank of mentors"),
        MentorDecision(participant_id=participant.id, accept=False),
        _("Reject"),
    )


async def finish_registration(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    participant: Participant,
    bot: Bot,
    settings: Settings,
    i18n: I18n,
) -> None:
    adding_role = bool((await state.get_data()).get("adding_role"))
    await state.clear()
    await complete_registration(session, participant)
    await link_on_registration(session, participant)  # on the yearly list under this name
    if adding_role:
        done = _("Saved. Your questionnaire is in the bank now.")
    else:
        done = _("Thank you, registration is complete!")
    await message.answer(f"{done}\n\n{profile_card(participant)}")
    if participant.mentor_profile is not None and participant.mentor_profile.status == (
        MentorStatus.CANDIDATE
    ):
        await message.answer(
            _("The curator will review your mentor application; I will tell you the decision.")
        )

    def render() -> tuple[str, InlineKeyboardMarkup | None]:
        notice = registration_notice(participant, roles_of(participant), updated=adding_role)
        return notice, decision_keyboard(participant)

    await notify_curators(bot, session, settings, i18n, render)
