"""The mentor's rights (§7.1.2, §7.2.6, §7.2.7): the mentor sees the card of their mentee
(profile, questionnaire, history), proposes to encourage the mentee or recommends them for a
professional contest (or proposes measures); the proposals go to the curator and the director,
are recorded and answered by the curator or the director (accepted or declined with a comment,
a guarded decision), and counted by kind and outcome in the year's report."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access import Actor
from models.audit import audit
from models.base import Base, utcnow
from models.concurrency import decision
from models.enums import PairStatus, ProposalStatus
from models.errors import AccessDenied, InvalidValue, NotFound, already_decided
from models.fields import FIELDS
from models.i18n_marker import N_
from models.outbox import queue_notice, queue_notice_to_chats
from models.pairs import Pair, get_pair
from models.participant import Participant, enum_column, get_participant_by_id

MAX_TEXT = 2000


class ProposalKind(StrEnum):
    ENCOURAGE = "encourage"  # §7.2.6: encouragement
    CONTEST = "contest"  # §7.2.7: a regional or federal professional contest
    MEASURE = "measure"  # §7.2.6: measures of disciplinary influence


KIND_LABELS = {
    ProposalKind.ENCOURAGE.value: N_("encouragement"),
    ProposalKind.CONTEST.value: N_("a recommendation for a contest"),
    ProposalKind.MEASURE.value: N_("measures"),
}


class MentorProposal(Base):
    __tablename__ = "mentor_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The answer of the curator or the director (§7.2.6, §7.2.7): guarded by `version`.
    status: Mapped[ProposalStatus] = mapped_column(
        enum_column(ProposalStatus), default=ProposalStatus.OPEN, server_default="open"
    )
    decided_by: Mapped[int | None] = mapped_column(BigInteger)  # a Telegram id
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


async def _my_mentee(
    session: AsyncSession, actor: Actor, pair_id: int, mentee_id: int
) -> tuple[Pair, Participant]:
    """The mentee of an approved pair this person mentors; anyone else is refused."""
    me = actor.require_participant()
    pair = await get_pair(session, pair_id)
    if pair.mentor_id != me or mentee_id not in pair.mentee_ids or pair.status != PairStatus.ACTIVE:
        raise AccessDenied()
    mentee = await get_participant_by_id(session, mentee_id)
    if mentee is None:
        raise AccessDenied()
    return pair, mentee


async def mentee_card(
    session: AsyncSession, actor: Actor, pair_id: int, mentee_id: int
) -> Participant:
    """§7.1.2: the mentor opens the mentee's card; the view is audited (the mentee sees it)."""
    _pair, mentee = await _my_mentee(session, actor, pair_id, mentee_id)
    audit(session, actor.telegram_id, "participant.view", "participant", mentee.id)
    await session.commit()
    return mentee


async def propose(
    session: AsyncSession,
    actor: Actor,
    pair_id: int,
    mentee_id: int,
    kind: str,
    text: str,
    recipients: Collection[int],
    now: datetime | None = None,
) -> MentorProposal:
    """Record the mentor's proposal and notify the curators and the director (outbox)."""
    try:
        kind = ProposalKind(kind)
    except ValueError:
        raise InvalidValue() from None
    text = " ".join((text or "").split())
    if not text:
        raise InvalidValue(N_("Write what you propose and why."))
    if len(text) > MAX_TEXT:
        raise InvalidValue(N_("The text is too long: at most {n} characters."), n=MAX_TEXT)
    pair, mentee = await _my_mentee(session, actor, pair_id, mentee_id)
    now = now or utcnow()
    proposal = MentorProposal(
        pair_id=pair.id,
        mentor_id=pair.mentor_id,
        mentee_id=mentee.id,
        kind=kind.value,
        text=text,
        created_at=now,
    )
    session.add(proposal)
    await session.flush()
    audit(session, actor.telegram_id, "proposal.create", "participant", mentee.id, kind=kind)
    others = set(recipients) - {actor.telegram_id}
    await queue_notice_to_chats(session, "proposal.created", proposal.id, others, now)
    await session.commit()
    return proposal


async def check_open(session: AsyncSession, actor: Actor, proposal_id: int) -> MentorProposal:
    """A proposal the curator or the director may still answer (asked before the comment)."""
    actor.require_curator()
    proposal = await session.get(MentorProposal, proposal_id)
    if proposal is None:
        raise NotFound()
    if proposal.status != ProposalStatus.OPEN:
        raise already_decided(proposal.status)
    return proposal


@decision
async def decide_proposal(
    session: AsyncSession,
    actor: Actor,
    proposal_id: int,
    *,
    accept: bool,
    comment: str,
    now: datetime | None = None,
) -> MentorProposal:
    """The curator or the director accepts or declines the proposal with a comment; the mentor
    is told (outbox). Two answers at the same moment: the first stands, the other is told."""
    cleaned = FIELDS["comment"].text(comment)
    proposal = await check_open(session, actor, proposal_id)
    proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.DECLINED
    proposal.decided_by, proposal.decided_at = actor.telegram_id, now or utcnow()
    proposal.decision_comment = cleaned
    audit(
        session,
        actor.telegram_id,
        "proposal.decide",
        "participant",
        proposal.mentee_id,
        proposal=proposal.id,
        status=proposal.status,
    )
    await queue_notice(session, "proposal.decided", proposal.id, [proposal.mentor_id], now)
    await session.commit()
    return proposal


async def proposals_for(
    session: AsyncSession, pair_id: int, mentee_id: int, limit: int = 10
) -> list[MentorProposal]:
    """The latest proposals about this mentee in this pair (the card's history), oldest first."""
    rows = await session.scalars(
        select(MentorProposal)
        .where(MentorProposal.pair_id == pair_id, MentorProposal.mentee_id == mentee_id)
        .order_by(MentorProposal.id.desc())
        .limit(limit)
    )
    return list(reversed(list(rows)))


async def proposal_counts(session: AsyncSession, start: datetime, end: datetime) -> dict[str, int]:
    """Proposals made in [start, end), by kind (the year's report)."""
    rows = await session.execute(
        select(MentorProposal.kind, func.count())
        .where(MentorProposal.created_at >= start, MentorProposal.created_at < end)
        .group_by(MentorProposal.kind)
    )
    return {kind: count for kind, count in rows.all()}
