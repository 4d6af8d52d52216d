"""The description of a best practice (§6.4.6; roadmap stage 6, the final round table choosing
best practices and the collection of practices): for a completed programme, its goal, what was
done, the results and the lessons, written by the pair's mentor or by the curator with the
methodical council, and approved by the curator. Only an approved description makes the
programme a best case: the site section's best-case page and the year's report use it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access import Actor
from models.audit import audit
from models.base import Base, utcnow
from models.concurrency import decision
from models.enums import ProgrammeStatus
from models.errors import AccessDenied, AlreadyDecided, InvalidValue, NotFound, WrongState
from models.fields import printable
from models.i18n_marker import N_
from models.outbox import queue_notice, queue_notice_to_chats
from models.participant import enum_column
from models.programmes import Programme

PART_LENGTH = 1500  # each of the four parts; the four fit one Telegram message
PARTS = ("goal", "done", "results", "lessons")


class CaseStatus(StrEnum):
    SUBMITTED = "submitted"  # waits for the curator's approval
    APPROVED = "approved"
    RETURNED = "returned"  # the curator sent it back to be rewritten


class CaseDescription(Base):
    """One description per programme; rewriting it sends it for approval again."""

    __tablename__ = "case_descriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), unique=True
    )
    goal: Mapped[str] = mapped_column(Text, default="")
    done: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CaseStatus] = mapped_column(
        enum_column(CaseStatus), default=CaseStatus.SUBMITTED
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    written_by: Mapped[int] = mapped_column(BigInteger)
    written_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


def clean_part(text: str | None) -> str:
    value = printable(text or "").strip()
    if not value:
        raise InvalidValue(N_("Please send the answer as text."))
    if len(value) > PART_LENGTH:
        raise InvalidValue(N_("The text is too long: at most {n} characters."), n=PART_LENGTH)
    return value


async def _completed(session: AsyncSession, programme_id: int) -> Programme:
    programme = await session.get(Programme, programme_id)
    if programme is None or programme.status != ProgrammeStatus.COMPLETED:
        raise NotFound(N_("Only a completed programme can be described as a best practice."))
    return programme


async def may_describe(session: AsyncSession, actor: Actor, programme: Programme) -> bool:
    """The curator (with the methodical council) or the mentor of the programme's pair."""
    if actor.is_curator:
        return True
    return actor.participant_id is not None and programme.pair.mentor_id == actor.participant_id


async def open_for_writing(session: AsyncSession, actor: Actor, programme_id: int) -> Programme:
    """The programme whose description this person starts writing (checked again on saving)."""
    programme = await _completed(session, programme_id)
    if not await may_describe(session, actor, programme):
        raise AccessDenied(
            N_("A best practice is described by the programme's mentor or the curator.")
        )
    return programme


async def describable(session: AsyncSession, actor: Actor) -> list[Programme]:
    """Completed programmes this mentor may describe (the curator uses /publish)."""
    if actor.participant_id is None:
        return []
    rows = await session.scalars(
        select(Programme)
        .where(Programme.status == ProgrammeStatus.COMPLETED)
        .order_by(Programme.id.desc())
        .limit(200)
    )
    return [p for p in rows if p.pair.mentor_id == actor.participant_id][:10]


async def description_of(session: AsyncSession, programme_id: int) -> CaseDescription | None:
    return await session.scalar(
        select(CaseDescription).where(CaseDescription.programme_id == programme_id)
    )


async def write_description(
    session: AsyncSession,
    actor: Actor,
    programme_id: int,
    parts: dict[str, str],
    curator_chat_ids: Collection[int],
    now: datetime | None = None,
) -> CaseDescription:
    """Write (or rewrite) the description; it goes to the curators for approval, and a
    rewritten approved one leaves the site and the report until approved again."""
    programme = await open_for_writing(session, actor, programme_id)
    cleaned = {key: clean_part(parts.get(key)) for key in PARTS}
    now = now or utcnow()
    row = await description_of(session, programme_id)
    if row is None:
        row = CaseDescription(programme_id=programme_id)
        session.add(row)
    for key, value in cleaned.items():
        setattr(row, key, value)
    row.status = CaseStatus.SUBMITTED
    row.author_id = actor.participant_id
    row.written_by, row.written_at = actor.telegram_id, now
    row.decided_by = row.decided_at = None
    programme.best_case = False  # a best case is only what the curator approved
    await session.flush()
    audit(session, actor.telegram_id, "case.write", "programme", programme_id)
    others = set(curator_chat_ids) - {actor.telegram_id}
    await queue_notice_to_chats(session, "case.submitted", row.id, others, now)
    await session.commit()
    return row


async def _submitted(session: AsyncSession, actor: Actor, programme_id: int) -> CaseDescription:
    actor.require_curator()
    row = await description_of(session, programme_id)
    if row is None:
        raise NotFound()
    if row.status != CaseStatus.SUBMITTED:
        raise AlreadyDecided()
    return row


@decision
async def approve_description(
    session: AsyncSession, actor: Actor, programme_id: int, now: datetime | None = None
) -> CaseDescription:
    """The curator approves: the programme becomes a best case on the site and in the report."""
    row = await _submitted(session, actor, programme_id)
    programme = await _completed(session, programme_id)
    row.status = CaseStatus.APPROVED
    row.decided_by, row.decided_at = actor.telegram_id, now or utcnow()
    programme.best_case = True
    audit(session, actor.telegram_id, "case.approve", "programme", programme_id)
    if row.author_id is not None and row.written_by != actor.telegram_id:
        await queue_notice(session, "case.decided", row.id, [row.author_id], row.decided_at)
    await session.commit()
    return row


@decision
async def return_description(
    session: AsyncSession, actor: Actor, programme_id: int, now: datetime | None = None
) -> CaseDescription:
    """The curator sends it back to be rewritten (the author is told)."""
    row = await _submitted(session, actor, programme_id)
    row.status = CaseStatus.RETURNED
    row.decided_by, row.decided_at = actor.telegram_id, now or utcnow()
    audit(session, actor.telegram_id, "case.return", "programme", programme_id)
    if row.author_id is not None and row.written_by != actor.telegram_id:
        await queue_notice(session, "case.decided", row.id, [row.author_id], row.decided_at)
    await session.commit()
    return row


async def waiting_descriptions(session: AsyncSession) -> list[CaseDescription]:
    return list(
        await session.scalars(
            select(CaseDescription)
            .where(CaseDescription.status == CaseStatus.SUBMITTED)
            .order_by(CaseDescription.id)
        )
    )


@dataclass(frozen=True)
class BestPractice:
    programme: Programme
    description: CaseDescription


async def best_practices(
    session: AsyncSession, start: date | None = None, end: date | None = None
) -> list[BestPractice]:
    """Published best cases: completed programmes marked best with an approved description;
    with a period, those whose programme ended in it (the year's report)."""
    rows = await session.execute(
        select(Programme, CaseDescription)
        .join(CaseDescription, CaseDescription.programme_id == Programme.id)
        .where(
            Programme.status == ProgrammeStatus.COMPLETED,
            Programme.best_case.is_(True),
            CaseDescription.status == CaseStatus.APPROVED,
        )
        .order_by(Programme.id)
    )
    found = []
    for programme, description in rows.all():
        ended = (programme.ended_at or description.decided_at or description.written_at).date()
        if start is not None and end is not None and not start <= ended <= end:
            continue
        found.append(BestPractice(programme, description))
    return found


def require_approved(row: CaseDescription | None) -> None:
    """The site's best-case mark stands on an approved description."""
    if row is None or row.status != CaseStatus.APPROVED:
        raise WrongState(
            N_(
                "A best case needs its description (goal, what was done, results, lessons) "
                "approved first: «Describe» it."
            )
        )
