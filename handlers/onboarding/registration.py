"""The registration form: profile, role, mentee and mentor questionnaires, mentor consent.
Its questions are the fields of models/fields.py; the order depends on the role."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram import Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from handlers.forms import STALE, Form, Question, Step, Turn
from handlers.notify import Notifier
from handlers.onboarding.finish import finish_registration
from models.departments import canonical_name, directory
from models.enums import ConsentKind, Role
from models.errors import InvalidValue
from models.fields import FIELDS, check_difficulties
from models.i18n_marker import N_
from models.participant import Participant, save_profile
from models.profiles import register_mentor, save_mentee_questionnaire
from rendering.texts import consent_document
from rendering.ui import BACK, FormOption, Keyboard, step_keyboard

router = Router(name=__name__)
MENTOR_CONSENT = "mentor_consent"  # the consent step's answer: AGREE or DISAGREE
AGREE, DISAGREE = "agree", "disagree"
DEPARTMENT_OPTIONS = "department_options"  # FSM data: the directory's names, offered as buttons


class Registration(StatesGroup):
    entering_full_name = State()
    entering_position = State()
    entering_department = State()
    entering_subjects = State()
    entering_experience = State()
    choosing_qualification = State()
    choosing_role = State()
    choosing_difficulties = State()
    entering_other_difficulties = State()
    entering_learning_goals = State()
    choosing_mentee_forms = State()
    entering_competences = State()
    entering_mentor_subjects = State()
    choosing_mentor_forms = State()
    entering_capacity = State()
    confirming_mentor_consent = State()


def _participant(turn: Turn) -> Participant:
    participant: Participant | None = turn.deps.get("participant")
    if participant is None:
        raise InvalidValue(STALE)
    return participant


async def _registered_still(turn: Turn) -> None:
    """Every answer: the person is still known (not erased meanwhile)."""
    if turn.deps.get("participant") is None:
        await turn.state.clear()
        raise InvalidValue(N_("Please start again with /start."))


# The directory of departments as buttons (a name typed by hand is still taken).


async def department_question(turn: Turn, text: str, *, back: bool) -> Question:
    """The department's question (`text`) with the directory's names as buttons."""
    names = [d.name for d in await directory(turn.session)][:30]
    await turn.state.update_data({DEPARTMENT_OPTIONS: names})
    spec = FIELDS["department"]
    if not names:
        return text, step_keyboard(spec, back=back)
    builder = Keyboard()
    for index, name in enumerate(names):
        builder.button(text=name[:60], callback_data=FormOption(field=spec.key, code=str(index)))
    if back:
        builder.button(text=_("⬅ Back"), callback_data=FormOption(field=spec.key, code=BACK))
    builder.adjust(1)
    return text + "\n" + _("Choose yours below; if it is not there, type its name."), (
        builder.as_markup()
    )


async def department_typed(turn: Turn) -> Any:
    """The directory's spelling of a department typed by hand."""
    return await canonical_name(turn.session, str(FIELDS["department"].clean(turn.text)))


async def department_picked(turn: Turn, code: str) -> Any:
    options = (await turn.answers()).get(DEPARTMENT_OPTIONS) or []
    if not code.isdigit() or not 0 <= int(code) < len(options):
        raise InvalidValue(STALE)
    return options[int(code)]


async def _department(turn: Turn) -> Question:
    step = REGISTRATION.step_at(Registration.entering_department.state)
    back = REGISTRATION.neighbour(await turn.answers(), step, -1) is not None
    return await department_question(turn, _(FIELDS["department"].prompt), back=back)


# The parts saved as soon as they are answered, and the mentor's consent.


async def _profile_saved(turn: Turn) -> None:
    data = await turn.answers()
    await save_profile(turn.session, _participant(turn), data)
    if data.get("invited_role"):
        await turn.state.update_data(role=data["invited_role"])  # preselected by an invitation


async def _difficulties_checked(turn: Turn) -> None:
    data = await turn.answers()
    check_difficulties(data.get("difficulties"), data.get("difficulties_other"))


async def _mentee_saved(turn: Turn) -> None:
    await save_mentee_questionnaire(turn.session, _participant(turn), await turn.answers())


def _consent_document(turn: Turn) -> Any:
    settings: Settings = turn.deps["settings"]
    i18n: I18n = turn.deps["i18n"]
    return consent_document(ConsentKind.MENTORING, settings.organization_name, i18n)


async def _consent_question(turn: Turn) -> Question:
    step = REGISTRATION.step_at(Registration.confirming_mentor_consent.state)
    builder = Keyboard()
    builder.button(text=_("I agree"), callback_data=FormOption(field=MENTOR_CONSENT, code=AGREE))
    builder.button(
        text=_("I do not agree"), callback_data=FormOption(field=MENTOR_CONSENT, code=DISAGREE)
    )
    if REGISTRATION.neighbour(await turn.answers(), step, -1) is not None:
        builder.button(text=_("⬅ Back"), callback_data=FormOption(field=MENTOR_CONSENT, code=BACK))
    builder.adjust(1)
    return _consent_document(turn).text, builder.as_markup()


async def _consent_pressed(turn: Turn, code: str) -> Any:
    _participant(turn)
    if code not in (AGREE, DISAGREE):
        raise InvalidValue(STALE)
    return code


async def _consent_answered(turn: Turn) -> None:
    data = await turn.answers()
    if data[MENTOR_CONSENT] == AGREE:
        document = _consent_document(turn)
        await register_mentor(turn.session, _participant(turn), data, document)
        note = _("✅ You agreed (version {version}).").format(version=document.version)
    else:
        note = _(
            "You did not agree, so you are not added to the bank of mentors. You can apply "
            "later from /profile."
        )
    await turn.message.answer(note)


def _consent_outcome(answer: Any) -> str:
    return _("✅ Agreed") if answer == AGREE else _("✖ Declined")


async def _finished(turn: Turn) -> None:
    notifier: Notifier = turn.deps["notifier"]
    await finish_registration(turn.sent, turn.state, turn.session, _participant(turn), notifier)


R = Registration
PROFILE_STEPS = (
    Step(R.entering_full_name, "full_name"),
    Step(R.entering_position, "position"),
    Step(
        R.entering_department,
        "department",
        question=_department,
        read=department_typed,
        press=department_picked,
    ),
    Step(R.entering_subjects, "subjects"),
    Step(R.entering_experience, "experience_years"),
    Step(R.choosing_qualification, "qualification", after=_profile_saved),
)
ROLE_STEP = Step(R.choosing_role, "role")
MENTEE_STEPS = (
    Step(R.choosing_difficulties, "difficulties"),
    Step(R.entering_other_difficulties, "difficulties_other", after=_difficulties_checked),
    Step(R.entering_learning_goals, "learning_goals"),
    Step(R.choosing_mentee_forms, "mentee_forms", after=_mentee_saved),
)
MENTOR_STEPS = (
    Step(R.entering_competences, "competences"),
    Step(R.entering_mentor_subjects, "mentor_subjects"),
    Step(R.choosing_mentor_forms, "mentor_forms"),
    Step(R.entering_capacity, "capacity"),
    Step(
        R.confirming_mentor_consent,
        MENTOR_CONSENT,
        question=_consent_question,
        press=_consent_pressed,
        decided=_consent_outcome,
        after=_consent_answered,
    ),
)


def flow(data: dict[str, Any]) -> Sequence[Step]:
    """The steps this person goes through: adding a role later skips the profile, a role
    given by an invitation is not asked."""
    role = data.get("role")
    steps: list[Step] = [] if data.get("adding_role") else list(PROFILE_STEPS)
    if not data.get("adding_role") and not data.get("invited_role"):
        steps.append(ROLE_STEP)
    if role in (Role.MENTEE, Role.BOTH):
        steps += MENTEE_STEPS
    if role in (Role.MENTOR, Role.BOTH):
        steps += MENTOR_STEPS
    return steps


REGISTRATION = Form(
    (*PROFILE_STEPS, ROLE_STEP, *MENTEE_STEPS, *MENTOR_STEPS),
    _finished,
    back=True,
    order=flow,
    guard=_registered_still,
)
REGISTRATION.register(router)
