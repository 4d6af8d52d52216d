"""Co-mentors (§7.1.1): the mentor of an approved pair brings in another teacher of the college
to help the mentee, with that teacher's consent.

Who may be invited: any registered participant (a teacher of the college who gave the
personal-data consent), not only the bank of mentors: §7.1.1 speaks of «other pedagogical
workers», and a co-mentor is not appointed by order, has no capacity and no mentor's duties.

What a co-mentor may do: read the pair's programme (/plan, marked as co-mentor) and log
meetings in its journal. Nothing a member does: `Pair.side_of` and `Pair.require_member` do
not know co-mentors, so votes, approvals, reports and checks, change proposals, requests,
questions and questionnaires stay the mentor's and the mentees'. The two openings are explicit:
`reader_side` (reading a programme) and `journal_side` (logging a meeting).

The mentor invites and may end it; the invitee agrees or declines (a guarded decision: two
presses decide once); the co-mentor may leave; a curator (or the director) may remove them;
withdrawing a consent ends it. Every step is audited; the notices go through the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, BindParameter, ForeignKey, Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access import Actor
from models.audit import audit
from models.banks import find_people
from models.base import Base, utcnow
from models.concurrency import decision
from models.enums import CoMentorStatus, PairStatus, Side
from models.errors import AccessDenied, InvalidValue, NotFound, WrongState, already_decided
from models.i18n_marker import N_
from models.outbox import queue_notice
from models.pairs import Pair, get_pair
from models.participant import Participant, enum_column, get_participant_by_id

OPEN = (CoMentorStatus.INVITED, CoMentorStatus.ACCEPTED)
MAX_OPEN = 3  # co-mentors (invited or agreed) of one pair at a time
MAX_FOUND = 8  # people offered for one typed name
CARD_ROWS = 10  # a person's co-mentorships shown on the curator's card, newest first


class CoMentor(Base):
    __tablename__ = "co_mentors"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    invited_by: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    status: Mapped[CoMentorStatus] = mapped_column(
        enum_column(CoMentorStatus), default=CoMentorStatus.INVITED
    )
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[int | None] = mapped_column(BigInteger)  # a Telegram id (a curator's)
    # Checked in every UPDATE: two presses on the invitation decide once (models.concurrency).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


def _open_rows(pair_id: int) -> Select[CoMentor]:
    return select(CoMentor).where(CoMentor.pair_id == pair_id, CoMentor.status.in_(OPEN))


async def co_mentors_of(session: AsyncSession, pair_id: int) -> list[CoMentor]:
    """The pair's co-mentors, invited or agreed, in the order they were invited."""
    return list(await session.scalars(_open_rows(pair_id).order_by(CoMentor.id)))


def co_mentored_pair_ids(participant_id: int | BindParameter[int]) -> Select[int]:
    """SQL: the pairs this person helps as an agreed co-mentor."""
    return select(CoMentor.pair_id).where(
        CoMentor.participant_id == participant_id, CoMentor.status == CoMentorStatus.ACCEPTED
    )


async def tell_co_mentors(
    session: AsyncSession,
    notice: str,
    object_id: int,
    pair_id: int,
    now: datetime | None = None,
    *,
    but: int | None = None,
) -> None:
    """Queue a notice about the pair's course to its agreed co-mentors (no commit): the same
    notice the members get, rendered for a helper at delivery. Which ones: the programme
    approved, changed by agreement, completed or ended, and a meeting logged by someone else
    (`but`, its author) — what a helper needs to read the plan and join the journal; not the
    members' own business (reports and checks, votes, requests, questions, questionnaires)."""
    helpers = await session.scalars(
        select(CoMentor.participant_id).where(
            CoMentor.pair_id == pair_id, CoMentor.status == CoMentorStatus.ACCEPTED
        )
    )
    told = [pid for pid in helpers if pid != but]
    if told:
        await queue_notice(session, notice, object_id, told, now)


async def is_co_mentor(session: AsyncSession, pair: Pair, participant_id: int | None) -> bool:
    """An agreed co-mentor of this running pair."""
    if participant_id is None or pair.status != PairStatus.ACTIVE:
        return False
    found = await session.scalar(
        co_mentored_pair_ids(participant_id).where(CoMentor.pair_id == pair.id).limit(1)
    )
    return found is not None


async def reader_side(session: AsyncSession, pair: Pair, actor: Actor) -> Side:
    """Who may read the pair's programme: its members and the curators (`require_member`), and
    its agreed co-mentors (Side.CO_MENTOR); anyone else is refused."""
    side = pair.side_of(actor.participant_id)
    if side is not None:
        return side
    if await is_co_mentor(session, pair, actor.participant_id):
        return Side.CO_MENTOR
    return pair.require_member(actor)


async def journal_side(session: AsyncSession, pair: Pair, actor: Actor) -> Side:
    """Who may log a meeting of the pair: its mentor, its mentees and its co-mentors."""
    side = pair.side_of(actor.participant_id)
    if side is not None:
        return side
    if await is_co_mentor(session, pair, actor.participant_id):
        return Side.CO_MENTOR
    raise AccessDenied()


async def co_mentorships_of(
    session: AsyncSession, participant_id: int
) -> list[tuple[CoMentor, Pair]]:
    """The running pairs this person helps as an agreed co-mentor, newest first."""
    rows = await session.execute(
        select(CoMentor, Pair)
        .join(Pair, Pair.id == CoMentor.pair_id)
        .where(
            CoMentor.participant_id == participant_id,
            CoMentor.status == CoMentorStatus.ACCEPTED,
            Pair.status == PairStatus.ACTIVE,
        )
        .order_by(Pair.id.desc())
    )
    return [(row, pair) for row, pair in rows.all()]


async def co_mentorships_around(
    session: AsyncSession, participant_id: int
) -> list[tuple[CoMentor, Pair]]:
    """For the curator's card: every invitation this person had as a co-mentor, and every
    co-mentor of the pairs they mentor now, in any state, newest first (at most CARD_ROWS)."""
    rows = await session.execute(
        select(CoMentor, Pair)
        .join(Pair, Pair.id == CoMentor.pair_id)
        .where(or_(CoMentor.participant_id == participant_id, Pair.mentor_id == participant_id))
        .order_by(CoMentor.id.desc())
        .limit(CARD_ROWS)
    )
    return [(row, pair) for row, pair in rows.all()]


async def mentors_pair(session: AsyncSession, actor: Actor, pair_id: int) -> Pair:
    """A running pair this person mentors; anyone else is refused."""
    pair = await get_pair(session, pair_id)
    if pair.side_of(actor.participant_id) != Side.MENTOR:
        raise AccessDenied()
    if pair.status != PairStatus.ACTIVE:
        raise WrongState(N_("Co-mentors join an approved, running pair."))
    return pair


async def candidates(
    session: AsyncSession, actor: Actor, pair_id: int, name: str
) -> list[Participant]:
    """Registered teachers matching the typed name whom the mentor may invite to this pair."""
    pair = await mentors_pair(session, actor, pair_id)
    taken = {pair.mentor_id, *pair.mentee_ids}
    taken |= {row.participant_id for row in await co_mentors_of(session, pair.id)}
    found = [
        person
        for person in await find_people(session, name)
        if person.is_registered and person.id not in taken
    ]
    return found[:MAX_FOUND]


@decision
async def invite_co_mentor(
    session: AsyncSession,
    actor: Actor,
    pair_id: int,
    participant_id: int,
    now: datetime | None = None,
) -> CoMentor:
    """The mentor invites a teacher (§7.1.1); the teacher is asked for consent (outbox)."""
    now = now or utcnow()
    pair = await mentors_pair(session, actor, pair_id)
    person = await get_participant_by_id(session, participant_id)
    if person is None or not person.is_registered:
        raise NotFound(N_("There is no registered participant with this number."))
    if person.id == pair.mentor_id or person.id in pair.mentee_ids:
        raise InvalidValue(N_("This person is already in the pair."))
    current = await co_mentors_of(session, pair.id)
    if any(row.participant_id == person.id for row in current):
        raise WrongState(N_("This teacher is already invited to the pair."))
    if len(current) >= MAX_OPEN:
        raise WrongState(N_("A pair has at most {n} co-mentors."), n=MAX_OPEN)
    # The pair's version: two invitations at the same moment cannot both pass the checks above.
    pair.updated_at = now
    row = CoMentor(
        pair_id=pair.id, participant_id=person.id, invited_by=pair.mentor_id, invited_at=now
    )
    session.add(row)
    await session.flush()
    audit(session, actor.telegram_id, "comentor.invite", "pair", pair.id, participant=person.id)
    await queue_notice(session, "comentor.invited", row.id, [person.id], now)
    await session.commit()
    return row


async def get_co_mentor(session: AsyncSession, co_mentor_id: int) -> CoMentor:
    row = await session.get(CoMentor, co_mentor_id)
    if row is None:
        raise NotFound()
    return row


async def check_invited(session: AsyncSession, actor: Actor, co_mentor_id: int) -> CoMentor:
    """The invitation is this person's and still waits for their answer."""
    row = await get_co_mentor(session, co_mentor_id)
    if row.participant_id != actor.participant_id:
        raise AccessDenied()
    if row.status != CoMentorStatus.INVITED:
        raise already_decided(row.status)
    return row


@decision
async def answer_invitation(
    session: AsyncSession,
    actor: Actor,
    co_mentor_id: int,
    *,
    accept: bool,
    now: datetime | None = None,
) -> CoMentor:
    """The invited teacher agrees or declines; two presses at once decide once (version)."""
    now = now or utcnow()
    row = await check_invited(session, actor, co_mentor_id)
    pair = await get_pair(session, row.pair_id)
    if accept and pair.status != PairStatus.ACTIVE:
        raise WrongState(N_("This pair is no longer running: the invitation has lapsed."))
    row.status = CoMentorStatus.ACCEPTED if accept else CoMentorStatus.DECLINED
    row.answered_at = now
    action = "comentor.accept" if accept else "comentor.decline"
    audit(session, actor.telegram_id, action, "pair", pair.id, participant=row.participant_id)
    # the mentor hears the answer; the curators are told who joined the pair (and may remove)
    await queue_notice(
        session, "comentor.answered", row.id, [pair.mentor_id], now, to_curators=accept
    )
    await session.commit()
    return row


@decision
async def end_co_mentorship(
    session: AsyncSession, actor: Actor, co_mentor_id: int, now: datetime | None = None
) -> CoMentor:
    """The mentor withdraws an invitation or ends the help, the co-mentor leaves, or a curator
    (the director too) removes them."""
    now = now or utcnow()
    row = await get_co_mentor(session, co_mentor_id)
    pair = await get_pair(session, row.pair_id)
    me = actor.participant_id
    if me not in (pair.mentor_id, row.participant_id) and not actor.is_curator:
        raise AccessDenied()
    if row.status not in OPEN:
        raise already_decided(row.status)
    was = row.status
    row.status, row.ended_at, row.ended_by = CoMentorStatus.ENDED, now, actor.telegram_id
    audit(
        session,
        actor.telegram_id,
        "comentor.remove",
        "pair",
        pair.id,
        participant=row.participant_id,
    )
    told = [p for p in (pair.mentor_id, row.participant_id) if p != me]
    curators = was == CoMentorStatus.ACCEPTED and not actor.is_curator
    await queue_notice(session, "comentor.ended", row.id, told, now, to_curators=curators)
    await session.commit()
    return row


async def end_for_person(session: AsyncSession, participant_id: int, now: datetime) -> None:
    """A withdrawn consent ends the person's co-mentorships and invitations (no commit)."""
    await session.execute(
        update(CoMentor)
        .where(CoMentor.participant_id == participant_id, CoMentor.status.in_(OPEN))
        .values(status=CoMentorStatus.ENDED, ended_at=now, version=CoMentor.version + 1)
        .execution_options(synchronize_session="fetch")
    )
