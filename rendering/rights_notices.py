"""Notices of the mentor's rights, rendered at delivery from the ids in the outbox row
(rendering.notices.RENDERERS): the mentor's proposals and their answer (§7.2.6, §7.2.7), the
co-mentors' invitation, answer and end (§7.1.1)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.changes import ProgrammeChange
from models.comentors import CoMentor
from models.enums import CoMentorStatus, ProposalStatus
from models.mentor_rights import KIND_LABELS, MentorProposal
from models.pairs import Pair
from models.participant import Participant
from rendering.ui import CoMentorAction, CoMentorVerb, ProposalAnswer, button_rows, label
from rendering.views import change_lines, names_of

Rendered = tuple[str, InlineKeyboardMarkup | None]
Render = Callable[[], Rendered]


async def _telegram_id(session: AsyncSession, participant_id: int) -> int | None:
    return await session.scalar(
        select(Participant.telegram_id).where(Participant.id == participant_id)
    )


async def proposal_created(session: AsyncSession, proposal_id: int, chat_id: int) -> Render | None:
    """To the curators and the director: the proposal, with «Accept» / «Decline» while open."""
    proposal = await session.get(MentorProposal, proposal_id)
    if proposal is None or not proposal.text:
        return None  # erased meanwhile
    names = await names_of(session, [proposal.mentor_id, proposal.mentee_id])

    def render() -> Rendered:
        text = _(
            "The mentor {mentor} proposes {kind} for {mentee} (§7.2.6, §7.2.7): {text}"
        ).format(
            mentor=names.get(proposal.mentor_id, "—"),
            mentee=names.get(proposal.mentee_id, "—"),
            kind=_(KIND_LABELS.get(proposal.kind, proposal.kind)),
            text=escape(proposal.text or ""),
        )
        if proposal.status != ProposalStatus.OPEN:  # answered before this copy was sent
            return text + "\n\n" + label(proposal.status), None
        buttons = [
            (_("✅ Accept"), ProposalAnswer(proposal_id=proposal.id, accept=True)),
            (_("✖ Decline"), ProposalAnswer(proposal_id=proposal.id, accept=False)),
        ]
        return text, button_rows(buttons)

    return render


async def proposal_decided(session: AsyncSession, proposal_id: int, chat_id: int) -> Render | None:
    """To the mentor: the answer and its comment."""
    proposal = await session.get(MentorProposal, proposal_id)
    if proposal is None or proposal.status == ProposalStatus.OPEN:
        return None
    names = await names_of(session, [proposal.mentee_id])
    accepted = proposal.status == ProposalStatus.ACCEPTED

    def render() -> Rendered:
        values = {
            "kind": _(KIND_LABELS.get(proposal.kind, proposal.kind)),
            "mentee": names.get(proposal.mentee_id, "—"),
            "comment": escape(proposal.decision_comment or "—"),
        }
        if accepted:
            text = _("Your proposal ({kind}) for {mentee} is accepted. Comment: {comment}")
        else:
            text = _("Your proposal ({kind}) for {mentee} is declined. Comment: {comment}")
        return text.format(**values), None

    return render


async def _co_mentor_view(
    session: AsyncSession, co_mentor_id: int
) -> tuple[CoMentor, Pair, dict[int, str]] | None:
    row = await session.get(CoMentor, co_mentor_id)
    pair = await session.get(Pair, row.pair_id) if row is not None else None
    if row is None or pair is None:
        return None
    names = await names_of(session, [row.participant_id, pair.mentor_id, *pair.mentee_ids])
    if row.participant_id not in names:
        return None
    return row, pair, names


def _mentees(pair: Pair, names: dict[int, str]) -> str:
    return ", ".join(names.get(i, "—") for i in pair.mentee_ids) or "—"


async def comentor_invited(session: AsyncSession, co_mentor_id: int, chat_id: int) -> Render | None:
    """To the invited teacher: what a co-mentor does, «Agree» / «Decline» while it waits."""
    found = await _co_mentor_view(session, co_mentor_id)
    if found is None:
        return None
    row, pair, names = found

    def render() -> Rendered:
        text = _(
            "The mentor {mentor} invites you to help their mentee {mentees} as a co-mentor "
            "(§7.1.1). A co-mentor sees the pair's programme (/plan) and logs meetings in its "
            "journal (/meeting); nothing is decided for you. Do you agree?"
        ).format(mentor=names.get(pair.mentor_id, "—"), mentees=_mentees(pair, names))
        if row.status != CoMentorStatus.INVITED:
            return text + "\n\n" + label(row.status), None
        buttons = [
            (_("I agree"), CoMentorAction(action=CoMentorVerb.ACCEPT, item=row.id)),
            (_("I decline"), CoMentorAction(action=CoMentorVerb.DECLINE, item=row.id)),
        ]
        return text, button_rows(buttons)

    return render


async def comentor_answered(
    session: AsyncSession, co_mentor_id: int, chat_id: int
) -> Render | None:
    """To the mentor: the answer; to the curators: who joined the pair, with «Remove»."""
    found = await _co_mentor_view(session, co_mentor_id)
    if found is None:
        return None
    row, pair, names = found
    to_mentor = await _telegram_id(session, pair.mentor_id) == chat_id
    values = {
        "name": names[row.participant_id],
        "mentor": names.get(pair.mentor_id, "—"),
        "mentees": _mentees(pair, names),
        "pair": pair.id,
    }

    def render() -> Rendered:
        if to_mentor:
            if row.status == CoMentorStatus.DECLINED:
                return _("{name} declined to be a co-mentor of your pair.").format(**values), None
            return _(
                "{name} agreed to be a co-mentor of your pair: they see the programme and log "
                "meetings. /comentor lists your co-mentors."
            ).format(**values), None
        text = _(
            "{name} is now a co-mentor of pair №{pair} (mentor {mentor}, mentee {mentees}), "
            "invited by the mentor with their consent (§7.1.1)."
        ).format(**values)
        if row.status != CoMentorStatus.ACCEPTED:
            return text + "\n\n" + label(row.status), None
        remove = CoMentorAction(action=CoMentorVerb.END, item=row.id)
        return text, button_rows([(_("Remove the co-mentor"), remove)])

    return render


async def comentor_ended(session: AsyncSession, co_mentor_id: int, chat_id: int) -> Render | None:
    found = await _co_mentor_view(session, co_mentor_id)
    if found is None:
        return None
    row, pair, names = found

    def render() -> Rendered:
        return _(
            "{name} is no longer a co-mentor of pair №{pair} (mentor {mentor}, mentee {mentees})."
        ).format(
            name=names[row.participant_id],
            pair=pair.id,
            mentor=names.get(pair.mentor_id, "—"),
            mentees=_mentees(pair, names),
        ), None

    return render


# The pair's course, told to its agreed co-mentors (§7.1.1; which notices: models.comentors.
# tell_co_mentors). The members' renderers in rendering.notices ask `helper_of` first: a
# recipient who helps the pair gets these texts; one removed since gets nothing.
Helper = tuple[int, str]  # the pair's number and its mentor's name


async def helper_of(session: AsyncSession, pair_id: int, chat_id: int) -> Helper | None:
    """The pair and its mentor when this chat is an agreed co-mentor of it, else None."""
    found = await session.scalar(
        select(CoMentor.id)
        .join(Participant, Participant.id == CoMentor.participant_id)
        .where(
            CoMentor.pair_id == pair_id,
            CoMentor.status == CoMentorStatus.ACCEPTED,
            Participant.telegram_id == chat_id,
        )
        .limit(1)
    )
    pair = await session.get(Pair, pair_id) if found is not None else None
    if pair is None:
        return None
    names = await names_of(session, [pair.mentor_id])
    return pair.id, names.get(pair.mentor_id, "—")


def programme_approved_for_helper(helper: Helper) -> Rendered:
    return _(
        "The curator approved the programme of pair №{pair} (mentor {mentor}) that you help "
        "(§7.1.1). /plan shows it; /meeting logs a meeting."
    ).format(pair=helper[0], mentor=helper[1]), None


def programme_changed_for_helper(helper: Helper, change: ProgrammeChange) -> Rendered:
    """What changed, not why nor who said what: the reason and the answers are the members'."""
    lines = [
        _(
            "The programme of pair №{pair} (mentor {mentor}) that you help has changed: "
            "everyone agreed (§10.2)."
        ).format(pair=helper[0], mentor=helper[1]),
        "",
    ]
    for number, item in enumerate(change.changes, 1):
        first, *rest = change_lines(item)
        lines += [f"{number}. {first}", *rest]
    if change.revision is not None:
        lines.append(_("Applied: the programme's version {n}.").format(n=change.revision))
    return "\n".join(lines), None


def programme_finished_for_helper(helper: Helper, *, completed: bool) -> Rendered:
    if completed:
        text = _(
            "The programme of pair №{pair} (mentor {mentor}) that you help is completed: the "
            "plan is fully done (§10.1.1). Your help to this pair ends with it. Thank you!"
        )
    else:
        text = _(
            "The programme of pair №{pair} (mentor {mentor}) that you help has ended early. "
            "Your help to this pair ends with it. Thank you!"
        )
    return text.format(pair=helper[0], mentor=helper[1]), None


def meeting_for_helper(helper: Helper, held_on: str, topic: str, author: str) -> Rendered:
    return _(
        "A meeting was logged in the journal of pair №{pair} (mentor {mentor}) that you help: "
        "{date}, «{topic}» (logged by {author})."
    ).format(
        pair=helper[0], mentor=helper[1], date=held_on, topic=escape(topic), author=author
    ), None
