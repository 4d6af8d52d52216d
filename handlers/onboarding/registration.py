"""The registration form: profile, role, mentee and mentor questionnaires, mentor consent."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.middlewares import Stamp
from handlers.notify import Notifier
from handlers.onboarding.finish import finish_registration
from handlers.onboarding.options import (
    STALE,
    answer_line,
    press_option,
    show_answer,
    typed_option,
)
from handlers.onboarding.steps import (
    BUTTON_STEPS,
    DEPARTMENT_OPTIONS,
    FIELD_OF_STEP,
    MENTOR_CONSENT,
    TYPED_STEPS,
    DepartmentPick,
    Registration,
    ask,
    neighbour,
    prompt,
    registration_step,
)
from handlers.outcome import show_decided
from models.departments import canonical_name, directory
from models.enums import ConsentKind
from models.errors import InvalidValue
from models.fields import FIELDS, check_difficulties
from models.i18n_marker import N_
from models.participant import Participant, save_profile
from models.profiles import register_mentor, save_mentee_questionnaire
from rendering.texts import consent_document
from rendering.ui import (
    BACK,
    FormOption,
    MentorConsentAnswer,
    chat_of,
    show_outcome,
    shown,
)

router = Router(name=__name__)


async def advance(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    participant: Participant | None,
    notifier: Notifier,
) -> None:
    """Save a finished part of the form, then ask the next question or finish."""
    if participant is None:
        await state.clear()
        raise InvalidValue(N_("Please start again with /start."))
    current = await state.get_state()
    data = await state.get_data()
    if current == Registration.choosing_qualification.state:
        await save_profile(session, participant, data)
    elif current == Registration.choosing_mentee_forms.state:
        await save_mentee_questionnaire(session, participant, data)
    following = neighbour(current, data, +1)
    if following == Registration.choosing_role and data.get("invited_role"):
        await state.update_data(role=data["invited_role"])  # preselected by an invitation
        following = neighbour(following.state, await state.get_data(), +1)
    if following == Registration.entering_department:
        names = [d.name for d in await directory(session)][:30]
        await state.update_data({DEPARTMENT_OPTIONS: names})
    if following is None:
        await finish_registration(message, state, session, participant, notifier)
    else:
        await ask(message, state, following, notifier.settings.organization_name, notifier.i18n)


@router.callback_query(DepartmentPick.filter(), Registration.entering_department)
async def department_picked(
    query: CallbackQuery,
    callback_data: DepartmentPick,
    state: FSMContext,
    session: AsyncSession,
    participant: Participant | None,
    notifier: Notifier,
) -> None:
    options = (await state.get_data()).get(DEPARTMENT_OPTIONS) or []
    if not 0 <= callback_data.index < len(options):
        raise InvalidValue(STALE)
    name = options[callback_data.index]
    await state.update_data(department=name)
    await show_outcome(query, answer_line(FIELDS["department"], name))
    await query.answer()
    await advance(shown(query), state, session, participant, notifier)


@router.message(StateFilter(*TYPED_STEPS), F.text)
async def answer_typed(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    participant: Participant | None,
    notifier: Notifier,
) -> None:
    key = FIELD_OF_STEP[await state.get_state()]
    value = FIELDS[key].clean(message.text)
    if key == "department":  # the directory's spelling of a department typed by hand
        value = await canonical_name(session, str(value))
    await state.update_data({key: value})
    await advance(message, state, session, participant, notifier)


@router.message(StateFilter(*TYPED_STEPS))
async def answer_not_text(message: Message) -> None:
    await message.answer(_("Please send the answer as text."))


@router.message(StateFilter(*BUTTON_STEPS), F.text)
async def typed_instead_of_tapping(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    participant: Participant | None,
    notifier: Notifier,
) -> None:
    """A one-choice answer typed as its label or number is taken as if tapped; otherwise the
    same question comes again with its buttons and one line on what is expected."""
    current = await state.get_state()
    key = FIELD_OF_STEP.get(current or "")
    if key is not None and FIELDS[key].kind == "choice":
        option = typed_option(FIELDS[key], message.text or "")
        if option is not None:
            await state.update_data({key: option.value})
            await message.answer(answer_line(FIELDS[key], option.value))
            await advance(message, state, session, participant, notifier)
            return
    step = registration_step(current)
    assert step is not None  # the filter admits registration steps only
    organization = notifier.settings.organization_name
    text, markup = prompt(step, await state.get_data(), organization, notifier.i18n)
    hint = _("Please choose with a button below (or send /cancel to stop).")
    await message.answer(f"{hint}\n\n{text}", reply_markup=markup)


@router.message(StateFilter(*BUTTON_STEPS))
async def sent_instead_of_tapping(message: Message) -> None:
    await message.answer(_("Please tap one of the buttons above, or send /cancel to stop."))


@router.callback_query(FormOption.filter(F.code == BACK), StateFilter(Registration))
async def back_pressed(
    query: CallbackQuery,
    callback_data: FormOption,
    state: FSMContext,
    settings: Settings,
    i18n: I18n,
) -> None:
    current = await state.get_state()
    expected = FIELD_OF_STEP.get(current, MENTOR_CONSENT)
    previous = neighbour(current, await state.get_data(), -1)
    if callback_data.field != expected or previous is None:
        raise InvalidValue(STALE)
    await ask(shown(query), state, previous, settings.organization_name, i18n, edit=True)
    await query.answer()


@router.callback_query(FormOption.filter(), StateFilter(Registration))
async def option_pressed(
    query: CallbackQuery,
    callback_data: FormOption,
    state: FSMContext,
    session: AsyncSession,
    participant: Participant | None,
    notifier: Notifier,
) -> None:
    current = await state.get_state()
    key = FIELD_OF_STEP.get(current)
    if key != callback_data.field:
        raise InvalidValue(STALE)
    spec = FIELDS[key]
    data = await state.get_data()
    back = neighbour(current, data, -1) is not None
    answer = await press_option(query, state, spec, callback_data.code, back=back)
    if answer is None:
        return
    if key == "difficulties_other":
        check_difficulties(data.get("difficulties"), answer.value)
    await state.update_data({key: answer.value})
    await show_answer(query, spec, answer.value)
    await advance(shown(query), state, session, participant, notifier)


@router.callback_query(MentorConsentAnswer.filter(), Registration.confirming_mentor_consent)
async def mentor_consent_answered(
    query: CallbackQuery,
    callback_data: MentorConsentAnswer,
    state: FSMContext,
    session: AsyncSession,
    participant: Participant | None,
    notifier: Notifier,
    stamp: Stamp,
) -> None:
    if participant is None:
        raise InvalidValue(STALE)
    if callback_data.agree:
        document = consent_document(
            ConsentKind.MENTORING, notifier.settings.organization_name, notifier.i18n
        )
        await register_mentor(session, participant, await state.get_data(), document)
        note = _("✅ You agreed (version {version}).").format(version=document.version)
    else:
        note = _(
            "You did not agree, so you are not added to the bank of mentors. You can apply "
            "later from /profile."
        )
    await show_decided(query, stamp, _("✅ Agreed") if callback_data.agree else _("✖ Declined"))
    await query.answer()
    await chat_of(query).answer(note)
    await finish_registration(shown(query), state, session, participant, notifier)
