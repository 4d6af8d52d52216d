"""The end of the registration form: the person is registered and the curators are told."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.notify import Notifier
from models.enums import MentorStatus
from models.participant import Participant, complete_registration
from models.staff import link_on_registration
from rendering.texts import profile_card


def memos(participant: Participant) -> list[str]:
    """Short memos for each role: what the programme is, rights and duties, the bot."""
    found = []
    if participant.mentee_profile is not None:
        found.append(
            _(
                "<b>Memo for a mentee</b>\n"
                "A mentor supports you for 3 to 12 months under a personalised programme; the "
                "pair is fixed by the director's order (§9.2).\n"
                "<b>Your rights</b> (§8.1): take part in drafting the programme, ask your mentor "
                "for help, propose improvements, ask the curator for another mentor.\n"
                "<b>Your duties</b> (§8.2): carry out the plan's activities on time, follow your "
                "mentor's advice, work on the difficulties together.\n"
                "<b>In the bot</b>: /plan your programme and deadlines, /done report an activity, "
                "/ask a question to the mentor, /request a request to the curator, /help more."
            )
        )
    if participant.mentor_profile is not None:
        found.append(
            _(
                "<b>Memo for a mentor</b>\n"
                "You are appointed a mentor with your written consent by the director's order "
                "(§6.2) and draft a personalised programme with your mentee.\n"
                "<b>Your rights</b> (§7.1): involve colleagues with their consent, check your "
                "mentee's work, ask to be released from mentoring.\n"
                "<b>Your duties</b> (§7.2): follow the college's rules, bring the newcomer into "
                "the team, support them in methods, contests and innovation.\n"
                "<b>In the bot</b>: /programme draft the plan, /plan confirm or return reports, "
                "/meeting log a meeting, /request a request to the curator, /help more."
            )
        )
    return found


async def finish_registration(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    participant: Participant,
    notifier: Notifier,
) -> None:
    adding_role = bool((await state.get_data()).get("adding_role"))
    await state.clear()
    await complete_registration(session, participant, updated=adding_role)
    await link_on_registration(session, participant)  # on the yearly list under this name
    if adding_role:
        done = _("Saved. Your questionnaire is in the bank now.")
    else:
        done = _("Thank you, registration is complete!")
    await message.answer(f"{done}\n\n{profile_card(participant)}")
    for memo in memos(participant):  # roadmap stages 2–3; the DOCX is in the curator's /docs
        await message.answer(memo)
    if participant.mentor_profile is not None and participant.mentor_profile.status == (
        MentorStatus.CANDIDATE
    ):
        await message.answer(
            _("The curator will review your mentor application; I will tell you the decision.")
        )
    await notifier.notices("participant.registered", participant.id)
