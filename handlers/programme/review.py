"""The draft goes to the mentee(s) (§8.1.2), then to the curator (§6.4.9)."""

from __future__ import annotations

from datetime import date

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from handlers.context import Context
from handlers.forms import Form, Step, Turn
from handlers.loaded import ProgrammeOf
from handlers.notify import Notifier
from handlers.outcome import remember_origin, show_decided, show_outcome_later
from models.access import Actor
from models.enums import ProgrammeStatus, Side
from models.errors import WrongState
from models.programmes import (
    Programme,
    respond_to_draft,
    review_programme,
    submission_occasion,
)
from rendering.ui import ProgrammeAction, ProgrammeVerb, chat_of

router = Router(name=__name__)


class Commenting(StatesGroup):
    entering_comment = State()  # the mentee's comments, or the curator's reason to return


async def send_draft_to_mentees(notifier: Notifier, programme: Programme, today: date) -> None:
    """The draft queued with its submission (models.programmes.submit_programme), sent now."""
    occasion = submission_occasion(programme)
    await notifier.notices(
        "programme.submitted", programme.id, occasion=occasion, to_curators=False, today=today
    )


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.AGREE))
async def draft_agreed(
    query: CallbackQuery, callback_data: ProgrammeAction, context: Context
) -> None:
    programme = await respond_to_draft(
        context.session, context.actor, callback_data.programme_id, agree=True
    )
    await show_decided(query, context.stamp, _("✅ Agreed with the programme"))
    await query.answer(_("Thank you, your agreement is recorded."))
    if programme.status != ProgrammeStatus.AGREED:
        return
    # queued with the agreement (models.programmes.respond_to_draft): the mentor and the curators
    occasion = submission_occasion(programme)
    await context.notifier.notices(
        "programme.agreed", programme.id, occasion=occasion, today=context.today
    )


@router.callback_query(
    ProgrammeAction.filter(F.action.in_({ProgrammeVerb.COMMENT, ProgrammeVerb.RETURN})),
    ProgrammeOf(),
)
async def comment_started(
    query: CallbackQuery,
    callback_data: ProgrammeAction,
    state: FSMContext,
    programme: Programme,
    actor: Actor,
) -> None:
    expected = (
        ProgrammeStatus.SUBMITTED
        if callback_data.action == ProgrammeVerb.COMMENT
        else ProgrammeStatus.AGREED
    )
    side = programme.pair.require_member(actor)
    if programme.status != expected or (side == Side.CURATOR) != (
        callback_data.action == ProgrammeVerb.RETURN
    ):
        raise WrongState()
    data = {"programme_id": programme.id, "action": callback_data.action}
    await COMMENT.start(Turn(chat_of(query), state), data)
    await remember_origin(state, query.message)  # it shows the outcome once the comment is in
    await query.answer()


async def _commented(turn: Turn) -> None:
    """The mentee's comments on the draft, or the curator's reason to return it."""
    context: Context = turn.deps["context"]
    state, message = turn.state, turn.message
    data = await state.get_data()
    comment = str(data["comment"])
    if data["action"] == "comment":
        programme = await respond_to_draft(
            context.session, context.actor, data["programme_id"], agree=False, comment=comment
        )
    else:
        programme = await review_programme(
            context.session, context.actor, data["programme_id"], approve=False, comment=comment
        )
    await state.clear()
    await message.answer(_("Sent to the mentor."))
    returned = data["action"] == "return"
    outcome = _("↩ Returned to the mentor") if returned else _("💬 Comments sent to the mentor")
    await show_outcome_later(context.bot, data, context.stamp, outcome)
    by = "curator" if returned else "mentee"
    occasion = f"{by}.{submission_occasion(programme)}"
    await context.notifier.notices(
        "programme.returned", programme.id, occasion=occasion, to_curators=False
    )


COMMENT = Form([Step(Commenting.entering_comment, "comment")], _commented)
COMMENT.register(router)


@router.callback_query(ProgrammeAction.filter(F.action == ProgrammeVerb.APPROVE))
async def programme_approved(
    query: CallbackQuery, callback_data: ProgrammeAction, context: Context
) -> None:
    programme = await review_programme(
        context.session, context.actor, callback_data.programme_id, approve=True
    )
    await show_decided(query, context.stamp, _("✅ Programme approved"))
    await query.answer(_("Approved."))
    await context.notifier.notices("programme.approved", programme.id, to_curators=False)
