"""What needs the curator today: the counts behind the curator's desk (§6.4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.approvals import returned_count, waiting_count
from models.best_cases import CaseDescription, CaseStatus
from models.choice import open_wish_count
from models.enums import (
    ActivityStatus,
    MentorStatus,
    PairStatus,
    ParticipantStatus,
    ProgrammeStatus,
    RequestStatus,
)
from models.pairs import Pair, joins_waiting
from models.participant import Participant
from models.profiles import MentorProfile
from models.programmes import Activity, Programme
from models.requests import Request
from models.roadmap import Roadmap
from models.staff import StaffMember
from models.statistics import academic_year


@dataclass(frozen=True)
class Desk:
    candidates: int  # mentor candidates waiting for a decision (§6.2, §6.4.5)
    pairs_awaiting_order: int  # everyone agreed; the director's order is missing (§9.2), also
    # for a newcomer to an approved group
    programmes_to_approve: int  # agreed by the pair; waiting for the curator (§9.3)
    requests: int  # requests with the curator (§10)
    overdue_activities: int  # open activities of running programmes past their deadline
    programmes_past_end: int  # running programmes whose end date has passed
    unreachable: int  # people who blocked the bot
    listed_unregistered: int = 0  # teachers on the yearly list not registered yet (§6.4.2)
    roadmap_to_approve: int = 0  # this year's roadmap, not yet approved by the director
    bank_to_approve: int = 0  # bank entries waiting for the director's approval (§6.3.3)
    bank_returned: int = 0  # bank entries the director returned to the curator
    wishes: int = 0  # mentees without a pair who asked for a mentor (§9.1.2)
    cases_to_approve: int = 0  # best practices' descriptions waiting for the curator (§6.4.6)

    @property
    def empty(self) -> bool:
        return not any(vars(self).values())


async def curator_desk(session: AsyncSession, today: date) -> Desk:
    """One count per thing that waits for the curator, in one round trip."""
    count = func.count()
    running = Programme.status == ProgrammeStatus.APPROVED
    row = (
        await session.execute(
            select(
                select(count)
                .select_from(MentorProfile)
                .join(Participant, Participant.id == MentorProfile.participant_id)
                .where(
                    MentorProfile.status == MentorStatus.CANDIDATE,
                    Participant.status == ParticipantStatus.ACTIVE,
                )
                .scalar_subquery(),
                select(count)
                .select_from(Pair)
                .where(Pair.status == PairStatus.ACCEPTED)
                .scalar_subquery(),
                select(count)
                .select_from(Programme)
                .where(Programme.status == ProgrammeStatus.AGREED)
                .scalar_subquery(),
                select(count)
                .select_from(Request)
                .where(Request.status == RequestStatus.PENDING)
                .scalar_subquery(),
                select(count)
                .select_from(Activity)
                .join(Programme, Programme.id == Activity.programme_id)
                .where(
                    running,
                    Activity.status != ActivityStatus.CONFIRMED,
                    Activity.deadline < today,
                )
                .scalar_subquery(),
                select(count)
                .select_from(Programme)
                .where(running, Programme.end_date < today)
                .scalar_subquery(),
                select(count)
                .select_from(Participant)
                .where(
                    Participant.unreachable_at.is_not(None),
                    Participant.status == ParticipantStatus.ACTIVE,
                )
                .scalar_subquery(),
                select(count)
                .select_from(StaffMember)
                .outerjoin(Participant, Participant.id == StaffMember.participant_id)
                .where(
                    StaffMember.participant_id.is_(None)
                    | (Participant.status != ParticipantStatus.ACTIVE)
                )
                .scalar_subquery(),
                select(count)
                .select_from(Roadmap)
                .where(Roadmap.year == academic_year(today)[0].year, Roadmap.approved_at.is_(None))
                .scalar_subquery(),
                waiting_count(),
                returned_count(),
                open_wish_count(),
                select(count)
                .select_from(CaseDescription)
                .where(CaseDescription.status == CaseStatus.SUBMITTED)
                .scalar_subquery(),
            )
        )
    ).one()
    values = [int(value or 0) for value in row]
    values[1] += len(await joins_waiting(session))  # a newcomer's supplementary order (§6.3.5)
    return Desk(*values)
