"""Notices about a decision, rendered at delivery from the ids in the outbox row.

The domain writes a notice row in the decision's own transaction (`models.outbox.queue_notice`):
a crash after the commit cannot lose it, and the row stores no name and no typed text — only
which notice and which object. Right after the commit the handler sends them at once
(`send_notices`); whatever that could not send (the process stopped, Telegram refused for a
while) the scheduler's delivery sends later, each exactly once. Rendering reads the object as
it is now, in the recipient's language: a person erased since is never named.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from html import escape

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.sender import Delivery, Outcome, Sender, sender_for
from handlers.ui import change_answer_buttons, label
from handlers.views import day, names_of, request_card
from models.approvals import BankDecision
from models.base import utcnow
from models.changes import ProgrammeChange
from models.choice import MentorWish
from models.enums import ChangeStatus, MentorStatus, RequestStatus
from models.mentor_rights import KIND_LABELS, MentorProposal
from models.outbox import OutboxMessage, OutboxStatus, attempting, claim_notices, mark
from models.outbox import mark_unreachable as mark_person_unreachable
from models.pairs import Pair, PairMember
from models.participant import Participant, locales_of
from models.profiles import MentorProfile
from models.programmes import Programme
from models.requests import Request

logger = logging.getLogger(__name__)
Rendered = tuple[str, InlineKeyboardMarkup | None]
# (session, object id, recipient's chat id) -> a render function, or None: nothing to say
Render = Callable[[], Rendered]
Renderer = Callable[[AsyncSession, int, int], Awaitable[Render | None]]


async def _pair_approved(session: AsyncSession, pair_id: int, chat_id: int) -> Render | None:
    pair = await session.get(Pair, pair_id)
    if pair is None or pair.order_date is None:
        return None
    mentor = await session.get(Participant, pair.mentor_id)
    to_mentor = mentor is not None and mentor.telegram_id == chat_id
    order = {
        "number": escape((pair.order_number or "").lstrip("№# ")),
        "date": day(pair.order_date),
    }

    def render() -> Rendered:
        # Each side is told what is theirs to do.
        if to_mentor:
            text = _(
                "Your mentoring pair is approved by order No. {number} of {date}. Draft the "
                "personalised programme together with your mentee: /programme."
            )
        else:
            text = _(
                "Your mentoring pair is approved by order No. {number} of {date}. Your mentor "
                "drafts the personalised programme with you; the draft will come here for you "
                "to agree or comment."
            )
        return text.format(**order), None

    return render


async def _pair_joined(session: AsyncSession, member_id: int, chat_id: int) -> Render | None:
    member = await session.get(PairMember, member_id)
    if member is None or member.joined_at is None or member.order_date is None:
        return None
    newcomer = await session.get(Participant, member.mentee_id)
    to_newcomer = newcomer is not None and newcomer.telegram_id == chat_id
    params = {
        "id": member.pair_id,
        "number": escape((member.order_number or "").lstrip("№# ")),
        "date": day(member.order_date),
        "name": escape(newcomer.display_name) if newcomer else "—",
    }

    def render() -> Rendered:
        if to_newcomer:
            text = _(
                "You are a member of mentoring group #{id} by order No. {number} of {date}. "
                "Your part of the programme: /plan."
            )
        else:
            text = _(
                "{name} joined your mentoring group #{id} by order No. {number} of {date}; "
                "they take part in the programme and its agreements from now on."
            )
        return text.format(**params), None

    return render


async def _request_decided(session: AsyncSession, request_id: int, chat_id: int) -> Render | None:
    request = await session.get(Request, request_id)
    if request is None:
        return None
    approved = request.status == RequestStatus.APPROVED

    def render() -> Rendered:
        template = (
            _("Request #{id} ({kind}) is approved: {comment}")
            if approved
            else _("Request #{id} ({kind}) is rejected: {comment}")
        )
        return template.format(
            id=request.id, kind=label(request.kind), comment=escape(request.decision_comment or "")
        ), None

    return render


async def _mentor_decided(
    session: AsyncSession, participant_id: int, chat_id: int
) -> Render | None:
    profile = await session.get(MentorProfile, participant_id)
    if profile is None or profile.status == MentorStatus.CANDIDATE:
        return None
    accepted = profile.status == MentorStatus.ACCEPTED

    def render() -> Rendered:
        if accepted:
            return _(
                "Good news: the curator has accepted you into the bank of mentors. The curator "
                "will offer you a mentee; you will be asked before any pair is formed."
            ), None
        return _(
            "The curator has not accepted your mentor application this time. You stay in the "
            "programme; you can apply again later from /profile."
        ), None

    return render


async def _programme_ended(session: AsyncSession, programme_id: int, chat_id: int) -> Render | None:
    programme = await session.get(Programme, programme_id)
    if programme is None or programme.ended_at is None:
        return None

    def render() -> Rendered:
        return _("The curator ended your programme (§10.1.3): {comment}").format(
            comment=escape(programme.end_comment or "")
        ), None

    return render


async def _change(session: AsyncSession, change_id: int, chat_id: int):  # type: ignore[no-untyped-def]
    """A change proposal (§10.2): to the others with the buttons while it is open; its outcome
    once decided."""
    from handlers.changes import card_renderer  # the card lives with the change handlers

    proposal = await session.get(ProgrammeChange, change_id)
    if proposal is None:
        return None
    card = await card_renderer(session, proposal)
    person = await session.scalar(select(Participant.id).where(Participant.telegram_id == chat_id))
    waiting = proposal.status == ChangeStatus.OPEN and proposal.vote_of(person) is None

    def render() -> Rendered:
        if waiting:
            head = _(
                "A change to your programme is proposed (§10.2). It takes effect when the mentor "
                "and every mentee agree; one refusal rejects it."
            )
            return f"{head}\n\n{card()}", change_answer_buttons(proposal.id)
        if proposal.status == ChangeStatus.AGREED:
            head = _("Everyone agreed: the change is applied.")
        elif proposal.status == ChangeStatus.REJECTED:
            head = _("The proposal is not agreed: the programme stays as it was.")
        elif proposal.status == ChangeStatus.WITHDRAWN:
            head = _("The proposal is withdrawn: nothing changes.")
        else:
            head = ""
        return f"{head}\n\n{card()}".strip(), None

    return render


async def _bank_returned(session: AsyncSession, decision_id: int, chat_id: int):  # type: ignore[no-untyped-def]
    row = await session.get(BankDecision, decision_id)
    person = await session.get(Participant, row.participant_id) if row is not None else None
    if row is None or person is None or not person.full_name or row.resubmitted_at is not None:
        return None  # erased, or already sent again: nothing to fix

    def render() -> Rendered:
        text = _(
            "The director returned the bank entry of {name} (№{id}): {comment}\n"
            "Fix it and send it again: /approvals."
        )
        comment = escape(row.comment or "")
        name = escape(person.full_name or "")
        return text.format(name=name, id=person.id, comment=comment), None

    return render


async def _request_copy(session: AsyncSession, request_id: int, chat_id: int):  # type: ignore[no-untyped-def]
    request = await session.get(Request, request_id)
    if request is None:
        return None
    names = await names_of(session, [request.author_id])

    def render() -> Rendered:
        return _(
            "A copy for the director: an application addressed to the curator and the director "
            "(§7.1.3, §8.1.5). The curator decides it; the decision will come here too."
        ) + "\n\n" + request_card(request, names), None

    return render


async def _wish_created(session: AsyncSession, wish_id: int, chat_id: int):  # type: ignore[no-untyped-def]
    wish = await session.get(MentorWish, wish_id)
    if wish is None or not wish.reason:
        return None  # erased meanwhile
    names = await names_of(session, [wish.mentee_id, wish.mentor_id])
    if wish.mentee_id not in names or wish.mentor_id not in names:
        return None

    def render() -> Rendered:
        return _(
            "{mentee} asks for {mentor} as a mentor: «{reason}». Form the pair: /pair."
        ).format(
            mentee=names[wish.mentee_id],
            mentor=names[wish.mentor_id],
            reason=escape(wish.reason or ""),
        ), None

    return render


async def _proposal_created(session: AsyncSession, proposal_id: int, chat_id: int):  # type: ignore[no-untyped-def]
    proposal = await session.get(MentorProposal, proposal_id)
    if proposal is None or not proposal.text:
        return None  # erased meanwhile
    names = await names_of(session, [proposal.mentor_id, proposal.mentee_id])

    def render() -> Rendered:
        return _(
            "The mentor {mentor} proposes {kind} for {mentee} (§7.2.6, §7.2.7): {text}"
        ).format(
            mentor=names.get(proposal.mentor_id, "—"),
            mentee=names.get(proposal.mentee_id, "—"),
            kind=_(KIND_LABELS.get(proposal.kind, proposal.kind)),
            text=escape(proposal.text or ""),
        ), None

    return render


RENDERERS: dict[str, Renderer] = {
    "change.proposed": _change,
    "change.decided": _change,
    "pair.approved": _pair_approved,
    "pair.joined": _pair_joined,
    "request.decided": _request_decided,
    "mentor.decided": _mentor_decided,
    "programme.ended": _programme_ended,
    "bank.returned": _bank_returned,
    "request.copy": _request_copy,
    "wish.created": _wish_created,
    "proposal.created": _proposal_created,
}


async def render_notice(
    session: AsyncSession, i18n: I18n, message: OutboxMessage
) -> Rendered | None:
    """The text and buttons of a notice row, in its recipient's language (None: its object is
    gone, nothing to say)."""
    payload = message.payload or {}
    renderer = RENDERERS.get(str(payload.get("notice")))
    if renderer is None:
        return None
    render = await renderer(session, int(payload.get("id") or 0), message.chat_id)
    if render is None:
        return None
    locale = (await locales_of(session, [message.chat_id])).get(message.chat_id)
    with i18n.context(), i18n.use_locale(locale or i18n.default_locale):
        return render()


async def send_notices(
    bot: Bot, session: AsyncSession, i18n: I18n, notice: str, object_id: int
) -> None:
    """Send the notices of a decision just committed, now. What is not sent here stays in the
    outbox for the scheduler's delivery."""
    sender = sender_for(bot)
    for message in await claim_notices(session, notice, object_id, utcnow()):
        await deliver_notice(session, i18n, sender, message)


async def deliver_notice(
    session: AsyncSession, i18n: I18n, sender: Sender, message: OutboxMessage
) -> Outcome:
    """Render and send one claimed notice row; record the outcome."""
    rendered = await render_notice(session, i18n, message)
    if rendered is None:
        await mark(session, message, OutboxStatus.FAILED, utcnow(), error="nothing to say")
        return Outcome(Delivery.REFUSED, error="nothing to say")
    text, markup = rendered

    async def mark_attempt() -> None:
        await attempting(session, message, utcnow())

    outcome = await sender.deliver_once(
        message.chat_id, text, reply_markup=markup, before_send=mark_attempt
    )
    now = utcnow()
    if outcome.delivery == Delivery.SENT:
        await mark(session, message, OutboxStatus.SENT, now)
    elif outcome.delivery == Delivery.UNREACHABLE:
        await mark(session, message, OutboxStatus.UNREACHABLE, now, error=outcome.error)
        await mark_person_unreachable(session, message.chat_id, now)
    elif outcome.delivery == Delivery.REFUSED:
        await mark(session, message, OutboxStatus.FAILED, now, error=outcome.error)
    else:
        await mark(
            session,
            message,
            OutboxStatus.PENDING,
            now,
            error=outcome.error,
            retry_after=outcome.retry_after,
        )
    return outcome
