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
from datetime import date, datetime
from html import escape
from typing import Any, NamedTuple

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.sender import Delivery, Outcome, Sender, sender_for
from models.approvals import BankDecision, BankRole
from models.base import utcnow
from models.best_cases import CaseDescription, CaseStatus
from models.changes import ProgrammeChange, everyone
from models.choice import MentorWish
from models.director import DIRECTOR_DECIDES, director_telegram_ids
from models.enums import (
    ActivityStatus,
    ChangeStatus,
    MentorStatus,
    MessageKind,
    PairStatus,
    ProgrammeStatus,
    RequestStatus,
)
from models.journal import Meeting, PairMessage, meetings_of
from models.library import Material
from models.names import Case
from models.outbox import (
    OutboxMessage,
    OutboxStatus,
    attempting,
    claim_notices,
    expand_curator_notices,
    mark,
)
from models.outbox import mark_unreachable as mark_person_unreachable
from models.pairs import OPEN_PAIR, MentorReplacement, Pair, PairMember
from models.participant import (
    Participant,
    curator_telegram_ids,
    get_participant_by_id,
    locales_of,
)
from models.profiles import MentorProfile
from models.programmes import (
    RUNNING,
    Activity,
    Programme,
    programme_of_pair,
    submission_occasion,
)
from models.progress import ActivityProgress, report_occasion, review_occasion
from models.requests import Request
from models.roadmap import Roadmap, RoadmapEvent
from rendering import rights_notices
from rendering.case_views import case_card, decision_buttons
from rendering.replacement import render_offer, replacement_candidates
from rendering.texts import format_value, shorten
from rendering.ui import (
    ActivityVerb,
    JoinApproval,
    MessageReply,
    PairApproval,
    PairPurpose,
    PairReply,
    PartAction,
    PickPair,
    ProgrammeAction,
    ProgrammeVerb,
    ReplacementOrder,
    RequestAction,
    RequestVerb,
    button_rows,
    change_answer_buttons,
    label,
    report_button,
)
from rendering.views import (
    card_renderer,
    day,
    decision_keyboard,
    forms_text,
    name_in,
    names_of,
    pair_card,
    pair_names,
    programme_view,
    request_activity,
    request_card,
    request_names,
    roles_of,
)

logger = logging.getLogger(__name__)
Rendered = tuple[str, InlineKeyboardMarkup | None]
Media = tuple[str, str]  # ("photo" | "document", Telegram's file id)
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
            draft = PickPair(action=PairPurpose.PROGRAMME, pair_id=pair_id)
            return text.format(**order), button_rows([(_("📝 Draft the programme"), draft)])
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


async def _join_answered(session: AsyncSession, member_id: int, chat_id: int) -> Render | None:
    """To the curators: a newcomer's answer about joining an approved group; agreed, with the
    button to enter the order (moot once the order is entered)."""
    member = await session.get(PairMember, member_id)
    if member is None or member.joined_at is not None:
        return None
    who = (await names_of(session, [member.mentee_id])).get(member.mentee_id, "—")
    pair_id, reason = member.pair_id, member.decline_reason
    declined = member.declined_at is not None

    def render() -> Rendered:
        if declined:
            note = _("{name} declined to join group #{id}.").format(name=who, id=pair_id)
            if reason:
                note += " " + _("Reason: {reason}").format(reason=escape(reason))
            return note, None
        note = _(
            "{name} agreed to join group #{id}. They become a member once a new or "
            "supplementary order covers them: enter its number and date."
        ).format(name=who, id=pair_id)
        order = JoinApproval(pair_id=pair_id, mentee_id=member.mentee_id)
        return note, button_rows([(_("Enter the order"), order)])

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
    helper = await rights_notices.helper_of(session, programme.pair_id, chat_id)
    if helper is not None:  # neutral: the reason is the members' and the curator's
        return lambda: rights_notices.programme_finished_for_helper(helper, completed=False)

    def render() -> Rendered:
        return _("The curator ended your programme (§10.1.3): {comment}").format(
            comment=escape(programme.end_comment or "")
        ), None

    return render


async def _change(session: AsyncSession, change_id: int, chat_id: int) -> Render | None:
    """A change proposal (§10.2): to the others with the buttons while it is open; its outcome
    once decided."""
    proposal = await session.get(ProgrammeChange, change_id)
    if proposal is None:
        return None
    helper = await rights_notices.helper_of(session, proposal.programme.pair_id, chat_id)
    if helper is not None:  # a co-mentor hears only of a change applied
        if proposal.status != ChangeStatus.AGREED:
            return None
        return lambda: rights_notices.programme_changed_for_helper(helper, proposal)
    card = await card_renderer(session, proposal)
    person = await session.scalar(select(Participant.id).where(Participant.telegram_id == chat_id))
    waiting = proposal.status == ChangeStatus.OPEN and proposal.vote_of(person) is None
    in_pair = person in {*everyone(proposal.programme), proposal.author_id}
    if not in_pair and proposal.status == ChangeStatus.OPEN:
        return None  # the curators are told the pair's decision, not the proposal

    def render() -> Rendered:
        if not in_pair:  # a curator: the pair's decision, with its history
            history = ProgrammeAction(
                action=ProgrammeVerb.CHANGES, programme_id=proposal.programme_id
            )
            text = _("A programme change was decided by the pair (§10.2).") + "\n\n" + card()
            return text, button_rows([(_("History of changes"), history)])
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


def curator_buttons(request: Request) -> InlineKeyboardMarkup:
    return button_rows(
        [
            (_("Approve"), RequestAction(action=RequestVerb.APPROVE, request_id=request.id)),
            (_("Reject"), RequestAction(action=RequestVerb.REJECT, request_id=request.id)),
        ]
    )


async def _person_of_chat(session: AsyncSession, chat_id: int) -> Participant | None:
    return await session.scalar(select(Participant).where(Participant.telegram_id == chat_id))


async def _pair_consent(session: AsyncSession, pair_id: int, chat_id: int) -> Render | None:
    """A consent request: each person gets the proposal, the other side's questionnaire and
    agree/decline. A mentor asked to take over a pair sees the mentees and their programme —
    the mentor being replaced is not shown as if current."""
    pair = await session.get(Pair, pair_id)
    person = await _person_of_chat(session, chat_id)
    if pair is None or person is None or pair.status not in OPEN_PAIR:
        return None
    names = await pair_names(session, pair)
    takes_over = person.id == pair.pending_mentor_id
    as_mentor = person.id == pair.mentor_id or takes_over
    mentee = await get_participant_by_id(session, pair.mentee_ids[-1]) if pair.mentee_ids else None
    mentor = await get_participant_by_id(session, pair.mentor_id)
    programme = await programme_of_pair(session, pair.id) if takes_over else None
    if mentee is None or mentor is None:
        return None
    if not takes_over:  # asked once: nothing to ask who has answered already
        member = next((m for m in pair.members if m.mentee_id == person.id), None)
        if person.id == pair.mentor_id:
            answered = bool(pair.mentor_accepted_at or pair.mentor_declined_at)
            answered = answered or pair.status != PairStatus.PROPOSED
        else:
            answered = member is None or bool(member.accepted_at or member.declined_at)
        if answered:
            return None

    def buttons() -> list[tuple[str, PairReply]]:
        return [
            (_("I agree"), PairReply(pair_id=pair.id, accept=True)),
            (_("I decline"), PairReply(pair_id=pair.id, accept=False)),
        ]

    profile = mentee.mentee_profile

    def about_mentee() -> str:
        return _("Mentee: {name}\nDifficulties: {difficulties}\nWants to learn: {goals}").format(
            name=escape(mentee.display_name),
            difficulties=format_value("difficulties", profile and profile.difficulties),
            goals=format_value("learning_goals", profile and profile.learning_goals),
        )

    def render() -> Rendered:
        if takes_over:
            lines = [
                _(
                    "The curator asks you to take over as mentor of {mentees}. Taking part is "
                    "voluntary: do you agree?"
                ).format(mentees=", ".join(names.get(i, "—") for i in pair.mentee_ids)),
                "",
                _("Forms: {forms}").format(forms=forms_text(pair.forms)),
                _("Pair type: {type}").format(type=label(pair.pair_type)),
            ]
            if programme is not None:
                done, total = programme.progress
                lines.append(
                    _("Programme ({status}): {start} – {end}, done {done} of {total}").format(
                        status=label(programme.status),
                        start=day(programme.start_date),
                        end=day(programme.end_date),
                        done=done,
                        total=total,
                    )
                )
                lines.append(_("Goal: {goal}").format(goal=escape(shorten(programme.goal))))
            else:
                lines.append(_("The programme is not drafted yet."))
            return "\n".join([*lines, "", about_mentee()]), button_rows(buttons())
        if as_mentor:
            about = about_mentee()
        else:
            about = _("Mentor: {name}\nCompetences: {competences}").format(
                name=escape(mentor.display_name),
                competences=format_value(
                    "competences", mentor.mentor_profile and mentor.mentor_profile.competences
                ),
            )
        text = "{intro}\n\n{card}\n\n{about}".format(
            intro=_(
                "The curator proposes a mentoring pair. Taking part is voluntary: do you agree?"
            ),
            card=pair_card(pair, names),
            about=about,
        )
        return text, button_rows(buttons())

    return render


async def _pair_answered(
    session: AsyncSession, pair_id: int, chat_id: int, payload: dict[str, Any]
) -> Render | None:
    """To the curators: who agreed or declined, and when everyone agreed, the order to enter."""
    # Read afresh: this session may hold the pair as it was before a concurrent answer (the
    # handler that sends right after its own commit can deliver the other answer's notice too).
    pair = await session.get(Pair, pair_id, populate_existing=True)
    if pair is None:
        return None
    names = await pair_names(session, pair)
    by = int(payload.get("by") or 0)
    who = (await names_of(session, [by])).get(by, "—")
    reason = pair.mentor_decline_reason if by == pair.mentor_id else None
    member = next((m for m in pair.members if m.mentee_id == by), None)
    if member is not None:
        reason = member.decline_reason
    accepted, everyone = bool(payload.get("accept")), bool(payload.get("everyone"))

    def render() -> Rendered:
        card = pair_card(pair, names)
        if not accepted:
            note = _("{name} declined the pair.").format(name=who)
            if reason:
                note += " " + _("Reason: {reason}").format(reason=escape(reason))
            return f"{note}\n\n{card}", None
        if everyone and pair.status == PairStatus.ACCEPTED:
            note = _("Everyone agreed. Enter the director's order to approve the pair.")
            approve = button_rows([(_("Approve by order"), PairApproval(pair_id=pair.id))])
            return f"{note}\n\n{card}", approve
        return _("{name} agreed.").format(name=who) + f"\n\n{card}", None

    return render


async def _pair_replaced(session: AsyncSession, replacement_id: int, chat_id: int) -> Render | None:
    """A new mentor took over: the old mentor gets a neutral notice (no reason, no comment),
    the mentees their new mentor, the curators the order to enter."""
    replacement = await session.get(MentorReplacement, replacement_id)
    if replacement is None:
        return None
    pair = await session.get(Pair, replacement.pair_id)
    person = await _person_of_chat(session, chat_id)
    if pair is None:
        return None
    names = await names_of(
        session, [replacement.old_mentor_id, replacement.new_mentor_id, *pair.mentee_ids]
    )
    pair_people = await pair_names(session, pair)
    person_id = person.id if person is not None else None
    mentees = ", ".join(names.get(i, "—") for i in pair.mentee_ids) or "—"
    new_mentor = names.get(replacement.new_mentor_id, "—")

    def render() -> Rendered:
        if person_id == replacement.old_mentor_id:
            return _(
                "From {date} the mentoring of {mentees} continues with another mentor. "
                "Thank you for your work!"
            ).format(date=day(replacement.replaced_at.date()), mentees=mentees), None
        if person_id in pair.mentee_ids:
            return _(
                "Your new mentor is {name}. Your programme and its history stay with you."
            ).format(name=new_mentor), None
        note = _("{name} accepted to become the new mentor.").format(name=new_mentor)
        if replacement.order_date is not None:
            return f"{note}\n\n{pair_card(pair, pair_people)}", None
        note += "\n" + _("Enter the director's order for the change of mentor.")
        markup = button_rows(
            [(_("Enter the order"), ReplacementOrder(replacement_id=replacement.id))]
        )
        return f"{note}\n\n{pair_card(pair, pair_people)}", markup

    return render


async def _replacement_declined(
    session: AsyncSession, pair_id: int, chat_id: int, payload: dict[str, Any]
) -> Render | None:
    pair = await session.get(Pair, pair_id)
    if pair is None or pair.status not in OPEN_PAIR:
        return None
    by = int(payload.get("by") or 0)
    who = (await names_of(session, [by])).get(by, "—")
    ranked = await replacement_candidates(session, pair)
    mentees = await names_of(session, pair.mentee_ids)

    def render() -> Rendered:
        text, markup = render_offer(pair, ranked, mentees)
        return _("{name} declined to take over the pair.").format(name=who) + "\n\n" + text, markup

    return render


async def _request_view(
    session: AsyncSession, request_id: int, status: RequestStatus
) -> tuple[Request, dict[int, str], Activity | None] | None:
    request = await session.get(Request, request_id)
    if request is None or request.status != status:
        return None  # decided or withdrawn since: nothing to ask
    return request, await request_names(session, request), await request_activity(session, request)


async def _request_new(session: AsyncSession, request_id: int, chat_id: int) -> Render | None:
    """To whoever decides the request, with the buttons; a request the director decides
    (§4.3) reaches the other curators as a copy for information, without them."""
    found = await _request_view(session, request_id, RequestStatus.PENDING)
    if found is None:
        return None
    request, names, activity = found
    only_informed = request.kind in DIRECTOR_DECIDES and chat_id not in set(
        await director_telegram_ids(session)
    )

    def render() -> Rendered:
        card = request_card(request, names, activity)
        if only_informed:
            return _(
                "For your information: an application to the director (§4.3); the director "
                "decides it."
            ) + "\n\n" + card, None
        return _("A new request needs your decision.") + "\n\n" + card, curator_buttons(request)

    return render


async def _request_partner(session: AsyncSession, request_id: int, chat_id: int) -> Render | None:
    found = await _request_view(session, request_id, RequestStatus.AWAITING_PARTNER)
    if found is None:
        return None
    request, names, activity = found

    def render() -> Rendered:
        buttons = [
            (_("I agree"), RequestAction(action=RequestVerb.AGREE, request_id=request.id)),
            (
                _("I do not agree"),
                RequestAction(action=RequestVerb.DISAGREE, request_id=request.id),
            ),
        ]
        card = request_card(request, names, activity)
        return _("Your partner asks for a change; do you agree?") + "\n\n" + card, button_rows(
            buttons
        )

    return render


async def _request_partner_answered(
    session: AsyncSession, request_id: int, chat_id: int
) -> Render | None:
    request = await session.get(Request, request_id)
    if request is None or request.partner_answered_at is None:
        return None
    agreed = request.status != RequestStatus.WITHDRAWN

    def render() -> Rendered:
        if agreed:
            return _("Your partner agreed to request #{id}; it goes to the curator.").format(
                id=request.id
            ), None
        return _("Your partner did not agree to request #{id}; it is withdrawn.").format(
            id=request.id
        ), None

    return render


async def _update_skipped(
    session: AsyncSession, update_id: int, chat_id: int, payload: dict[str, Any]
) -> Render | None:
    user = payload.get("user")
    person = await _person_of_chat(session, int(user)) if user else None
    sender = person.display_name if person is not None else None
    tries = int(payload.get("tries") or 0)

    def render() -> Rendered:
        who = escape(name_in(sender, Case.GENITIVE)) if sender else "—"  # «от Иванова …»
        return ngettext(
            "A message from {name} (update {id}) stopped the bot {tries} time in a row and "
            "was skipped so that everyone else is answered. Nothing of it was saved; the "
            "person may need to send it again in another way. The log names the update.",
            "A message from {name} (update {id}) stopped the bot {tries} times in a row and "
            "was skipped so that everyone else is answered. Nothing of it was saved; the "
            "person may need to send it again in another way. The log names the update.",
            tries,
        ).format(name=who, id=update_id, tries=tries), None

    return render


async def _meeting_logged(session: AsyncSession, meeting_id: int, chat_id: int) -> Render | None:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        return None
    helper = await rights_notices.helper_of(session, meeting.pair_id, chat_id)
    if helper is not None:
        author = (await names_of(session, [meeting.author_id])).get(meeting.author_id, "—")
        held_on, topic = day(meeting.held_on), meeting.topic
        return lambda: rights_notices.meeting_for_helper(helper, held_on, topic, author)

    def render() -> Rendered:
        return _("A meeting was logged in your journal: {date}, «{topic}».").format(
            date=day(meeting.held_on), topic=escape(meeting.topic)
        ), None

    return render


async def _message_sent(session: AsyncSession, message_id: int, chat_id: int) -> Render | None:
    """A mentee's question to the mentor (with «Reply»), or a proposal (the mentor and the
    curators), relayed from the stored message: an erased author or text reads «—»."""
    sent = await session.get(PairMessage, message_id)
    if sent is None:
        return None
    name = (await names_of(session, [sent.author_id])).get(sent.author_id, "—")
    person = await _person_of_chat(session, chat_id)
    pair = await session.get(Pair, sent.pair_id)
    to_mentor = person is not None and pair is not None and person.id == pair.mentor_id
    question = sent.kind == MessageKind.QUESTION

    def render() -> Rendered:
        if question:
            text = _("{name} asks: {text}").format(name=name, text=escape(sent.text))
            reply = [(_("Reply"), MessageReply(message_id=sent.id))] if to_mentor else []
            return text, button_rows(reply) if reply else None
        return _("{name} proposes an improvement to the programme: {text}").format(
            name=name, text=escape(sent.text)
        ), None

    return render


async def _message_answered(session: AsyncSession, message_id: int, chat_id: int) -> Render | None:
    answered = await session.get(PairMessage, message_id)
    if answered is None or answered.answered_at is None:
        return None

    def render() -> Rendered:
        return _("Your mentor replied to «{question}»:\n{answer}").format(
            question=escape(answered.text[:200]), answer=escape(answered.answer or "")
        ), None

    return render


async def _programme_approved(
    session: AsyncSession, programme_id: int, chat_id: int
) -> Render | None:
    programme = await session.get(Programme, programme_id)
    if programme is None or programme.approved_at is None:
        return None
    helper = await rights_notices.helper_of(session, programme.pair_id, chat_id)
    if helper is not None:
        return lambda: rights_notices.programme_approved_for_helper(helper)

    def render() -> Rendered:
        return _(
            "The curator approved the programme. /plan shows it; the mentee reports activities "
            "with /done."
        ), None

    return render


async def _programme_completed(
    session: AsyncSession, programme_id: int, chat_id: int
) -> Render | None:
    programme = await session.get(Programme, programme_id)
    if programme is None or programme.status != ProgrammeStatus.COMPLETED:
        return None
    helper = await rights_notices.helper_of(session, programme.pair_id, chat_id)
    if helper is not None:
        return lambda: rights_notices.programme_finished_for_helper(helper, completed=True)

    def render() -> Rendered:
        return _(
            "Congratulations: the programme is completed, the plan is fully done (§10.1.1)."
        ), None

    return render


async def _programme_ended_by(
    session: AsyncSession, programme_id: int, chat_id: int
) -> Render | None:
    """To the curators: who ended a programme early (the name of the curator as a participant,
    read now; a curator named only in the settings is «a curator»)."""
    programme = await session.get(Programme, programme_id)
    if programme is None or programme.ended_at is None:
        return None
    by = await _person_of_chat(session, programme.ended_by or 0)
    name = escape(by.display_name) if by is not None and by.full_name else None

    def render() -> Rendered:
        return _("Programme #{id} ended by {name}.").format(
            id=programme.id, name=name or _("a curator")
        ), None

    return render


async def _draft(
    session: AsyncSession, programme_id: int, payload: dict[str, Any], status: ProgrammeStatus
) -> Programme | None:
    """The programme of a draft notice, while the draft is still the one it is about."""
    programme = await session.get(Programme, programme_id)
    if (
        programme is None
        or programme.status != status
        or submission_occasion(programme) != payload.get("at")
    ):
        return None  # answered, returned or sent again since: moot
    return programme


async def _programme_view(
    session: AsyncSession, programme: Programme, today: date
) -> Callable[[], str]:
    names = await names_of(session, [programme.pair.mentor_id, *programme.pair.mentee_ids])
    meetings = await meetings_of(session, programme.pair_id)
    return lambda: programme_view(programme, names, today, meetings)


async def _programme_submitted(
    session: AsyncSession, programme_id: int, chat_id: int, payload: dict[str, Any], today: date
) -> Render | None:
    """The draft to a mentee (§8.1.2), with agree / send comments; moot once they answered."""
    programme = await _draft(session, programme_id, payload, ProgrammeStatus.SUBMITTED)
    person = await _person_of_chat(session, chat_id)
    if programme is None or person is None or person.id in programme.agreed_by:
        return None
    view = await _programme_view(session, programme, today)

    def render() -> Rendered:
        buttons = [
            (_("I agree"), ProgrammeAction(action=ProgrammeVerb.AGREE, programme_id=programme.id)),
            (
                _("Send comments"),
                ProgrammeAction(action=ProgrammeVerb.COMMENT, programme_id=programme.id),
            ),
        ]
        intro = _("Your mentor has drafted your programme. Read it and agree, or send comments.")
        return f"{intro}\n\n{view()}", button_rows(buttons)

    return render


async def _programme_agreed(
    session: AsyncSession, programme_id: int, chat_id: int, payload: dict[str, Any], today: date
) -> Render | None:
    """Every mentee agreed: the mentor is told, the curators get the programme to approve."""
    programme = await _draft(session, programme_id, payload, ProgrammeStatus.AGREED)
    if programme is None:
        return None
    mentor = await get_participant_by_id(session, programme.pair.mentor_id)
    if mentor is not None and mentor.telegram_id == chat_id:
        return lambda: (
            _("The mentee agreed to the programme; it now goes to the curator."),
            None,
        )
    view = await _programme_view(session, programme, today)

    def render() -> Rendered:
        buttons = [
            (
                _("Approve the programme"),
                ProgrammeAction(action=ProgrammeVerb.APPROVE, programme_id=programme.id),
            ),
            (
                _("Return with a comment"),
                ProgrammeAction(action=ProgrammeVerb.RETURN, programme_id=programme.id),
            ),
        ]
        return _(
            "A programme is agreed and waits for your approval."
        ) + f"\n\n{view()}", button_rows(buttons)

    return render


async def _part_evidence(
    session: AsyncSession, part_id: int, chat_id: int, payload: dict[str, Any]
) -> Media | None:
    """The evidence file of a report, after the notice that announces it; read from the part
    at delivery (an erased file id is never sent), moot like the notice."""
    part = await session.get(ActivityProgress, part_id)
    if (
        part is None
        or part.status != ActivityStatus.REPORTED
        or report_occasion(part) != payload.get("at")
        or not part.evidence_file_id
    ):
        return None
    return ("photo" if part.evidence_kind == "photo" else "document", part.evidence_file_id)


async def _programme_survey(
    session: AsyncSession, programme_id: int, chat_id: int
) -> Render | None:
    """The monitoring questionnaire offered once the programme has ended."""
    programme = await session.get(Programme, programme_id)
    if programme is None or programme.ended_at is None:
        return None

    return lambda: survey_offer(programme_id)


def survey_offer(programme_id: int) -> Rendered:
    return _(
        "The programme has ended. Please answer a short monitoring questionnaire: four "
        "ratings from 1 to 5 and, if you like, a comment."
    ), survey_button(programme_id)


def survey_button(programme_id: int) -> InlineKeyboardMarkup:
    return button_rows(
        [
            (
                _("Answer the questionnaire"),
                ProgrammeAction(action=ProgrammeVerb.SURVEY, programme_id=programme_id),
            )
        ]
    )


async def _programme_returned(
    session: AsyncSession, programme_id: int, chat_id: int, payload: dict[str, Any]
) -> Render | None:
    """To the mentor: the mentee's comments on the draft, or the curator's return. Moot once the
    draft was sent again (a later submission)."""
    programme = await session.get(Programme, programme_id)
    if (
        programme is None
        or programme.status != ProgrammeStatus.DRAFT
        or submission_occasion(programme) != payload.get("at")
    ):
        return None
    by_curator = payload.get("by") == "curator"
    comment = escape((programme.curator_comment if by_curator else programme.mentee_comment) or "")

    def render() -> Rendered:
        if by_curator:
            intro = _(
                "The curator returned the programme: {comment}\n\n"
                "Change the draft and send it again with /programme."
            )
        else:
            intro = _(
                "The mentee sent comments on the draft: {comment}\n\n"
                "Change the draft and send it again with /programme."
            )
        return intro.format(comment=comment), None

    return render


async def _part_reported(
    session: AsyncSession, part_id: int, chat_id: int, payload: dict[str, Any]
) -> Render | None:
    """To the other side: a part was reported done, with the buttons to confirm or return it.
    Moot once it was checked or reported again, or its author was erased."""
    part = await session.get(ActivityProgress, part_id)
    if (
        part is None
        or part.status != ActivityStatus.REPORTED
        or report_occasion(part) != payload.get("at")
    ):
        return None
    activity = await session.get(Activity, part.activity_id)
    programme = await session.get(Programme, activity.programme_id) if activity else None
    author = await get_participant_by_id(session, part.reported_by or 0)
    if activity is None or programme is None or author is None:
        return None
    by_mentor = part.reported_by == programme.pair.mentor_id

    def render() -> Rendered:
        if by_mentor:
            text = _(
                "Your mentor {name} reported an activity done: «{title}»\nComment: {comment}"
                "\nConfirm it if it took place for you."
            )
        else:
            text = _("{name} reported an activity done: «{title}»\nComment: {comment}")
        text = text.format(
            name=escape(author.display_name),
            title=escape(activity.title),
            comment=escape(part.report_comment or ""),
        )
        if part.evidence_file_id:
            text += "\n" + _("Evidence is attached below.")
        return text, review_buttons(activity.id, part.mentee_id)

    return render


def review_buttons(activity_id: int, mentee_id: int) -> InlineKeyboardMarkup:
    ids = {"activity_id": activity_id, "mentee_id": mentee_id}
    return button_rows(
        [
            (_("Confirm"), PartAction(action=ActivityVerb.CONFIRM, **ids)),
            (_("Return with a comment"), PartAction(action=ActivityVerb.RETURN, **ids)),
        ]
    )


async def _part_reviewed(
    session: AsyncSession, part_id: int, chat_id: int, payload: dict[str, Any]
) -> Render | None:
    """To whoever reported a part: the other side confirmed it or returned it with a comment.
    Moot once the part was reported (or checked) again since."""
    part = await session.get(ActivityProgress, part_id)
    if part is None or part.reviewed_at is None or review_occasion(part) != payload.get("at"):
        return None
    activity = await session.get(Activity, part.activity_id)
    programme = await session.get(Programme, activity.programme_id) if activity else None
    if activity is None or programme is None:
        return None
    by_mentor = part.reported_by == programme.pair.mentor_id
    who = (await names_of(session, [part.reviewed_by])).get(part.reviewed_by or 0, "—")
    confirmed = part.status == ActivityStatus.CONFIRMED

    def render() -> Rendered:
        title = escape(activity.title)
        if confirmed:
            if by_mentor:
                return _("{name} confirmed «{title}».").format(name=who, title=title), None
            return _("Your mentor confirmed «{title}».").format(title=title), None
        comment = escape(part.review_comment or "")
        # the report again, from the notice itself (not only by typing /done)
        again = button_rows([report_button(activity.id)])
        if by_mentor:
            return _("{name} returned «{title}»: {comment}\nReport it again with /done.").format(
                name=who, title=title, comment=comment
            ), again
        return _(
            "Your mentor returned «{title}» for rework: {comment}\nReport it again with /done."
        ).format(title=title, comment=comment), again

    return render


async def _plan_done(session: AsyncSession, programme_id: int, chat_id: int) -> Render | None:
    """Every activity confirmed: the pair is offered to complete the programme."""
    programme = await session.get(Programme, programme_id)
    if programme is None or programme.status not in RUNNING or not programme.plan_done:
        return None

    def render() -> Rendered:
        return _("Every activity of the plan is confirmed. Complete the programme?"), button_rows(
            [
                (
                    _("🏁 Complete the programme"),
                    ProgrammeAction(action=ProgrammeVerb.COMPLETE, programme_id=programme_id),
                )
            ]
        )

    return render


async def _registered(
    session: AsyncSession, participant_id: int, chat_id: int, payload: dict[str, Any]
) -> Render | None:
    """To the curators: a new registration (or a questionnaire added), with the buttons to
    accept a mentor candidate; rendered from the person as they are now."""
    from rendering.texts import registration_notice

    person = await get_participant_by_id(session, participant_id)
    if person is None or person.full_name is None:
        return None  # erased since
    updated = bool(payload.get("updated"))

    def render() -> Rendered:
        notice = registration_notice(person, roles_of(person), updated=updated)
        return notice, decision_keyboard(person)

    return render


async def _bank_returned(session: AsyncSession, decision_id: int, chat_id: int) -> Render | None:
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


async def _bank_approved(session: AsyncSession, decision_id: int, chat_id: int) -> Render | None:
    """To the curators: the director approved a bank entry (§6.3.3), from the decision row."""
    row = await session.get(BankDecision, decision_id)
    person = await session.get(Participant, row.participant_id) if row is not None else None
    if row is None or person is None or not person.full_name:
        return None  # erased since

    def render() -> Rendered:
        if row.role == BankRole.MENTOR:
            text = _("The director approved {name} (№{id}) in the bank of mentors.")
        else:
            text = _("The director approved {name} (№{id}) in the bank of mentees.")
        return text.format(name=escape(person.full_name or ""), id=person.id), None

    return render


async def _request_copy(session: AsyncSession, request_id: int, chat_id: int) -> Render | None:
    request = await session.get(Request, request_id)
    if request is None:
        return None
    names = await request_names(session, request)

    def render() -> Rendered:
        return _(
            "A copy for the director: an application addressed to the curator and the director "
            "(§7.1.3, §8.1.5). The curator decides it; the decision will come here too."
        ) + "\n\n" + request_card(request, names), None

    return render


async def _wish_created(session: AsyncSession, wish_id: int, chat_id: int) -> Render | None:
    wish = await session.get(MentorWish, wish_id)
    if wish is None or not wish.reason or wish.withdrawn_at is not None:
        return None  # erased or withdrawn meanwhile
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


async def _case_submitted(session: AsyncSession, row_id: int, chat_id: int) -> Render | None:
    """To the curators: a best practice's description to approve or return."""
    row = await session.get(CaseDescription, row_id)
    if row is None or row.status != CaseStatus.SUBMITTED:
        return None  # decided or rewritten meanwhile
    programme = await session.get(Programme, row.programme_id)
    if programme is None:
        return None
    author = (await names_of(session, [row.author_id])).get(row.author_id or 0, "—")

    def render() -> Rendered:
        head = _("{author} described a best practice for approval (§6.4.6):").format(author=author)
        return head + "\n\n" + case_card(programme, row), decision_buttons(programme.id)

    return render


async def _case_decided(session: AsyncSession, row_id: int, chat_id: int) -> Render | None:
    """To the author: the curator approved or returned the description."""
    row = await session.get(CaseDescription, row_id)
    if row is None or row.status == CaseStatus.SUBMITTED:
        return None  # rewritten meanwhile

    def render() -> Rendered:
        if row.status == CaseStatus.APPROVED:
            text = _(
                "The curator approved your description of programme №{id}: it is a best "
                "case on the college site and in the year's report."
            )
            return text.format(id=row.programme_id), None
        text = _(
            "The curator returned your description of programme №{id} to be rewritten: "
            "/library, «Describe»."
        )
        return text.format(id=row.programme_id), None

    return render


async def _event_material(session: AsyncSession, material_id: int, chat_id: int) -> Render | None:
    """To an event's guests: a material attached to the event after the invitation."""
    material = await session.get(Material, material_id)
    event = await session.get(RoadmapEvent, material.event_id or 0) if material else None
    if material is None or event is None:
        return None  # deleted meanwhile

    def render() -> Rendered:
        return _(
            "A material for «{event}», the event you are invited to: «{title}». It is in /library."
        ).format(event=escape(event.title), title=escape(material.title)), None

    return render


async def _pair_ordered(session: AsyncSession, pair_id: int, chat_id: int) -> Render | None:
    """To the other curators and the director: who entered the order fixing a pair (§6.3.5)."""
    pair = await session.get(Pair, pair_id)
    if pair is None or pair.order_date is None:
        return None
    names = await pair_names(session, pair)
    who = await session.scalar(
        select(Participant.full_name).where(Participant.telegram_id == pair.approved_by)
    )
    ordered_on = pair.order_date

    def render() -> Rendered:
        text = _(
            "Pair №{id} is approved by the director's order No. {number} of {date}; "
            "entered by {who}."
        ).format(
            id=pair.id,
            number=escape((pair.order_number or "").lstrip("№# ")),
            date=day(ordered_on),
            who=escape(who or "—"),
        )
        return text + "\n\n" + pair_card(pair, names), None

    return render


async def _join_ordered(session: AsyncSession, member_id: int, chat_id: int) -> Render | None:
    """To the other curators and the director: a newcomer's order to a group (§6.3.5)."""
    member = await session.get(PairMember, member_id)
    if member is None or member.order_date is None:
        return None
    names = await names_of(session, [member.mentee_id])
    who = await session.scalar(
        select(Participant.full_name).where(Participant.telegram_id == member.approved_by)
    )
    ordered_on = member.order_date

    def render() -> Rendered:
        return _(
            "{name} joined group №{id} by the director's order No. {number} of {date}; "
            "entered by {who}."
        ).format(
            name=names.get(member.mentee_id, "—"),
            id=member.pair_id,
            number=escape((member.order_number or "").lstrip("№# ")),
            date=day(ordered_on),
            who=escape(who or "—"),
        ), None

    return render


async def _replacement_ordered(
    session: AsyncSession, replacement_id: int, chat_id: int
) -> Render | None:
    """To the other curators and the director: the order fixing a change of mentor."""
    replacement = await session.get(MentorReplacement, replacement_id)
    if replacement is None or replacement.order_date is None:
        return None
    names = await names_of(session, [replacement.old_mentor_id, replacement.new_mentor_id])
    ordered_on = replacement.order_date

    def render() -> Rendered:
        return _(
            "The change of mentor in pair №{id} ({old} → {new}) is fixed by the director's "
            "order No. {number} of {date}."
        ).format(
            id=replacement.pair_id,
            old=names.get(replacement.old_mentor_id, "—"),
            new=names.get(replacement.new_mentor_id, "—"),
            number=escape((replacement.order_number or "").lstrip("№# ")),
            date=day(ordered_on),
        ), None

    return render


async def _roadmap_approved(session: AsyncSession, roadmap_id: int, chat_id: int) -> Render | None:
    """To the curators: the director approved the year's roadmap (§6.3.4)."""
    roadmap = await session.get(Roadmap, roadmap_id)
    if roadmap is None or roadmap.approved_at is None:
        return None
    who = await session.scalar(
        select(Participant.full_name).where(Participant.telegram_id == roadmap.approved_by)
    )

    def render() -> Rendered:
        return _(
            "The director {who} approved the roadmap of {year}/{next} (§6.3.4): /roadmap."
        ).format(who=escape(who or "—"), year=roadmap.year, next=roadmap.year + 1), None

    return render


RENDERERS: dict[str, Renderer] = {
    "pair.ordered": _pair_ordered,
    "join.ordered": _join_ordered,
    "replacement.ordered": _replacement_ordered,
    "roadmap.approved": _roadmap_approved,
    "event.material": _event_material,
    "case.submitted": _case_submitted,
    "case.decided": _case_decided,
    "change.proposed": _change,
    "change.decided": _change,
    "pair.approved": _pair_approved,
    "pair.joined": _pair_joined,
    "pair.join_answered": _join_answered,
    "request.decided": _request_decided,
    "mentor.decided": _mentor_decided,
    "programme.ended": _programme_ended,
    "pair.consent": _pair_consent,
    "pair.replaced": _pair_replaced,
    "request.new": _request_new,
    "request.partner": _request_partner,
    "request.partner_answered": _request_partner_answered,
    "meeting.logged": _meeting_logged,
    "message.sent": _message_sent,
    "message.answered": _message_answered,
    "bank.returned": _bank_returned,
    "bank.approved": _bank_approved,
    "request.copy": _request_copy,
    "wish.created": _wish_created,
    "proposal.created": rights_notices.proposal_created,
    "proposal.decided": rights_notices.proposal_decided,
    "comentor.invited": rights_notices.comentor_invited,
    "comentor.answered": rights_notices.comentor_answered,
    "comentor.ended": rights_notices.comentor_ended,
    "programme.plan_done": _plan_done,
    "programme.approved": _programme_approved,
    "programme.completed": _programme_completed,
    "programme.survey": _programme_survey,
    "programme.ended_by": _programme_ended_by,
}
# these read more than the object id from the payload (who answered, how)
WITH_PAYLOAD: dict[str, Callable[..., Awaitable[Callable[[], Rendered] | None]]] = {
    "pair.answered": _pair_answered,
    "pair.replacement_declined": _replacement_declined,
    "update.skipped": _update_skipped,
    "participant.registered": _registered,
    "part.reviewed": _part_reviewed,
    "part.reported": _part_reported,
    "programme.returned": _programme_returned,
}
# these show the programme, whose view marks what is overdue: they read today's date in the
# bot's timezone, given by whoever delivers (the handler's `today`, the scheduler's clock)
WITH_DAY: dict[str, Callable[..., Awaitable[Callable[[], Rendered] | None]]] = {
    "programme.submitted": _programme_submitted,
    "programme.agreed": _programme_agreed,
}
# these are a file, not a text: (photo | document, Telegram's file id), read at delivery
MEDIA: dict[str, Callable[..., Awaitable[Media | None]]] = {
    "part.evidence": _part_evidence,
}


class Notice(NamedTuple):
    """A notice as delivered: its text and buttons, or a file (sent with no caption)."""

    text: str
    markup: InlineKeyboardMarkup | None
    media: Media | None = None


async def render_notice(
    session: AsyncSession, i18n: I18n, message: OutboxMessage, today: date
) -> Notice | None:
    """The text and buttons of a notice row, in its recipient's language (None: its object is
    gone, nothing to say). `today` is the date in the bot's timezone."""
    payload = message.payload or {}
    name, object_id = str(payload.get("notice")), int(payload.get("id") or 0)
    if name in MEDIA:
        media = await MEDIA[name](session, object_id, message.chat_id, payload)
        return None if media is None else Notice("", None, media)
    if name in WITH_DAY:
        render = await WITH_DAY[name](session, object_id, message.chat_id, payload, today)
    elif name in WITH_PAYLOAD:
        render = await WITH_PAYLOAD[name](session, object_id, message.chat_id, payload)
    elif name in RENDERERS:
        render = await RENDERERS[name](session, object_id, message.chat_id)
    else:
        return None
    if render is None:
        return None
    locale = (await locales_of(session, [message.chat_id])).get(message.chat_id)
    with i18n.context(), i18n.use_locale(locale or i18n.default_locale):
        return Notice(*render())


async def send_notices(
    bot: Bot,
    session: AsyncSession,
    i18n: I18n,
    notice: str,
    object_id: int,
    *,
    settings: Settings | None = None,
    occasion: str | int | None = None,
    today: date | None = None,
) -> None:
    """Send the notices of a decision just committed, now. What is not sent here stays in the
    outbox for the scheduler's delivery. With `settings`, notices queued «to every curator»
    are first expanded into one row per curator. `today` (the handler's, in the bot's
    timezone) is needed by the notices that show a programme (WITH_DAY)."""
    sender = sender_for(bot)
    if settings is not None:
        curators = await curator_telegram_ids(session, settings.curator_ids)
        await expand_curator_notices(session, curators, utcnow())
        today = today or utcnow().astimezone(settings.timezone).date()
    if today is None and notice in WITH_DAY:
        raise TypeError(f"the {notice} notice shows a programme: give today's date")
    for message in await claim_notices(session, notice, object_id, utcnow(), occasion):
        await deliver_notice(session, i18n, sender, message, today or utcnow().date())


async def deliver_notice(
    session: AsyncSession, i18n: I18n, sender: Sender, message: OutboxMessage, today: date
) -> Outcome:
    """Render and send one claimed notice row; record the outcome."""
    rendered = await render_notice(session, i18n, message, today)
    if rendered is None:
        await mark(session, message, OutboxStatus.FAILED, utcnow(), error="nothing to say")
        return Outcome(Delivery.REFUSED, error="nothing to say")

    async def mark_attempt() -> None:
        await attempting(session, message, utcnow())

    outcome = await sender.deliver_once(
        message.chat_id,
        rendered.text,
        rendered.media,
        reply_markup=rendered.markup,
        before_send=mark_attempt,
    )
    await record_outcome(session, message, outcome, utcnow())
    return outcome


async def record_outcome(
    session: AsyncSession, message: OutboxMessage, outcome: Outcome, now: datetime
) -> None:
    """The outbox row after one try to send it (a decision's notice sent now, or the
    scheduler's delivery): sent, with its message id (a decision on one curator's copy edits
    the others, handlers.outcome); the person unreachable (the curators hear of it at the next
    sweep); refused for what it is (failed: the same message would be refused again); or
    pending again, for the next try."""
    if outcome.delivery == Delivery.SENT:
        await mark(session, message, OutboxStatus.SENT, now, sent_message_id=outcome.message_id)
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
