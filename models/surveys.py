"""The monitoring questionnaire after a programme ends (roadmap stage 6)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Text, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access import Actor
from models.base import Base, utcnow
from models.errors import InvalidValue, WrongState
from models.fields import FIELDS
from models.i18n_marker import N_
from models.programmes import FINISHED, get_programme

# Rated 1-5; the texts are gettext ids shown to the participant.
SURVEY_QUESTIONS: dict[str, str] = {
    "goals": N_("How fully were the programme's goals reached?"),
    "support": N_("How useful was the mentor's support (or the mentee's work)?"),
    "organisation": N_("How well was the programme organised (plan, deadlines, meetings)?"),
    "growth": N_("How much did your professional skills grow?"),
}


class SurveyAnswer(Base):
    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("programme_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    role: Mapped[str] = mapped_column(Text)
    ratings: Mapped[dict[str, int]] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


async def answered(session: AsyncSession, programme_id: int, participant_id: int) -> bool:
    found = await session.scalar(
        select(SurveyAnswer.id).where(
            SurveyAnswer.programme_id == programme_id,
            SurveyAnswer.participant_id == participant_id,
        )
    )
    return found is not None


async def submit_survey(
    session: AsyncSession,
    actor: Actor,
    programme_id: int,
    ratings: dict[str, int],
    comment: str | None,
) -> SurveyAnswer:
    programme = await get_programme(session, actor, programme_id)
    role = programme.pair.require_member(actor, curator_allowed=False)
    if programme.status not in FINISHED:
        raise WrongState(N_("The questionnaire opens when the programme ends."))
    if set(ratings) != set(SURVEY_QUESTIONS) or not all(
        isinstance(v, int) and 1 <= v <= 5 for v in ratings.values()
    ):
        raise InvalidValue(N_("Rate every question from 1 to 5."))
    me = actor.require_participant()
    if await answered(session, programme_id, me):
        raise WrongState(N_("You have already answered this questionnaire. Thank you!"))
    answer = SurveyAnswer(
        programme_id=programme_id,
        participant_id=me,
        role=role,
        ratings=ratings,
        comment=FIELDS["survey_comment"].coerce(comment),
    )
    session.add(answer)
    await session.commit()
    return answer
