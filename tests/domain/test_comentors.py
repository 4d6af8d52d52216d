"""Co-mentors (§7.1.1): the mentor of an approved pair invites a registered teacher, who agrees
or declines; an agreed co-mentor reads the programme and logs meetings and nothing a member
does; the mentor, the co-mentor or a curator ends it; a withdrawn consent ends it; the audit and
the year's report see it all. Then the curator's or the director's answer to a mentor's
proposal (§7.2.6, §7.2.7)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import AuditEntry
from models.changes import Change, answer_change, propose_change
from models.comentors import (
    CoMentor,
    answer_invitation,
    candidates,
    end_co_mentorship,
    invite_co_mentor,
    reader_side,
)
from models.enums import CoMentorStatus, ConsentKind, ProposalStatus, Side
from models.erasure import erase_person
from models.errors import AccessDenied, AlreadyDecided, InvalidValue, NotFound, WrongState
from models.journal import log_meeting, meetings_of, send_message
from models.mentor_rights import MentorProposal, decide_proposal, propose
from models.outbox import OutboxMessage
from models.participant import Participant
from models.privacy import personal_data
from models.programmes import (
    Programme,
    get_programme,
    programmes_of,
    report_activity,
    vote_completion,
)
from models.requests import create_request, decide_request
from models.statistics import collect_statistics
from models.withdrawal import withdraw_consent
from tests.factories import (
    CURATOR,
    actor,
    make_accepted_pair,
    make_running_programme,
    make_teacher,
)

TODAY = date(2026, 10, 1)


async def _running(session: AsyncSession) -> tuple[Programme, Participant, Participant]:
    programme = await make_running_programme(session, activities=1)
    mentor = await session.get(Participant, programme.pair.mentor_id)
    mentee = await session.get(Participant, programme.pair.mentee_ids[0])
    assert mentor is not None
    assert mentee is not None
    return programme, mentor, mentee


async def _notices(session: AsyncSession, notice: str) -> list[int]:
    rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [r.chat_id for r in rows if (r.payload or {}).get("notice") == notice]


async def _meeting(session: AsyncSession, who: Participant, pair_id: int, topic: str) -> None:
    await log_meeting(
        session,
        actor(who),
        pair_id,
        held_on=TODAY,
        topic=topic,
        done="разобрали урок",
        result="план урока",
        next_assignment=None,
        today=TODAY,
    )


async def test_an_agreed_co_mentor_reads_and_logs_meetings_and_nothing_more(
    session: AsyncSession,
) -> None:
    programme, mentor, mentee = await _running(session)
    pair = programme.pair
    helper = await make_teacher(session, mentee=False, full_name="Козлова Ольга Ивановна")
    assert [p.id for p in await candidates(session, actor(mentor), pair.id, "козл")] == [helper.id]
    row = await invite_co_mentor(session, actor(mentor), pair.id, helper.id)
    assert await _notices(session, "comentor.invited") == [helper.telegram_id]
    # invited, not yet agreed: no access at all
    with pytest.raises(AccessDenied):
        await get_programme(session, actor(helper), programme.id, to_read=True)
    assert await programmes_of(session, helper.id, co_mentored=True) == []
    row = await answer_invitation(session, actor(helper), row.id, accept=True)
    assert row.status == CoMentorStatus.ACCEPTED
    # the mentor is told; the curators are told (one row for all of them, expanded at delivery)
    answered = await session.scalars(select(OutboxMessage))
    told = [
        (r.kind, r.chat_id)
        for r in answered
        if (r.payload or {}).get("notice") == "comentor.answered"
    ]
    assert sorted(told) == [("notice", mentor.telegram_id), ("notice.curators", 0)]

    # reading: /plan's list and the programme opened to read, marked as a co-mentor
    assert [p.id for p in await programmes_of(session, helper.id, co_mentored=True)] == [
        programme.id
    ]
    assert await programmes_of(session, helper.id) == []  # the default list stays the members'
    read = await get_programme(session, actor(helper), programme.id, to_read=True)
    assert await reader_side(session, read.pair, actor(helper)) == Side.CO_MENTOR
    assert pair.side_of(helper.id) is None
    # the journal: a co-mentor logs a meeting; the mentor and the mentee are told
    await _meeting(session, helper, pair.id, "Открытый урок с коллегой")
    assert [m.author_id for m in await meetings_of(session, pair.id)] == [helper.id]
    assert sorted(await _notices(session, "meeting.logged")) == sorted(
        [mentor.telegram_id, mentee.telegram_id]
    )
    # nothing a member does
    with pytest.raises(AccessDenied):
        await get_programme(session, actor(helper), programme.id)  # an action's access check
    with pytest.raises(AccessDenied):
        await report_activity(session, actor(helper), programme.activities[0].id, comment="сделано")
    with pytest.raises(AccessDenied):
        await vote_completion(session, actor(helper), programme.id)
    with pytest.raises(AccessDenied):
        await propose_change(
            session,
            actor(helper),
            programme.id,
            [Change("forms", values={"forms": ["traditional", "group"]})],
            reason="хочу",
        )
    with pytest.raises(AccessDenied):
        await create_request(session, actor(helper), pair.id, "early_end", reason="хочу")
    with pytest.raises(AccessDenied):
        await send_message(session, actor(helper), pair.id, "question", "Вопрос")
    with pytest.raises(AccessDenied):
        await propose(session, actor(helper), pair.id, mentee.id, "contest", "Конкурс", [1000])
    with pytest.raises(AccessDenied):  # inviting is the mentor's
        await invite_co_mentor(session, actor(helper), pair.id, mentee.id)

    # a curator removes them: access ends at once; the audit has the whole story
    await end_co_mentorship(session, CURATOR, row.id)
    with pytest.raises(AccessDenied):
        await get_programme(session, actor(helper), programme.id, to_read=True)
    with pytest.raises(AccessDenied):
        await _meeting(session, helper, pair.id, "Ещё одна")
    with pytest.raises(AlreadyDecided):
        await end_co_mentorship(session, actor(mentor), row.id)
    actions = await session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.action.startswith("comentor."))
        .order_by(AuditEntry.id)
    )
    assert list(actions) == ["comentor.invite", "comentor.accept", "comentor.remove"]
    assert (await personal_data(session, helper))["co_mentors"][0]["status"] == "ended"


async def test_co_mentors_are_told_of_the_pairs_course_not_of_the_members_business(
    session: AsyncSession,
) -> None:
    """A change not agreed and the helper's own meeting: nothing; an early end on the mentee's
    request, and the pair closed by the mentor's withdrawn consent: told (models.comentors.
    tell_co_mentors). The handler test reads the texts."""
    programme, mentor, mentee = await _running(session)
    helper = await make_teacher(session, mentee=False)
    row = await invite_co_mentor(session, actor(mentor), programme.pair_id, helper.id)
    await answer_invitation(session, actor(helper), row.id, accept=True)
    await _meeting(session, helper, programme.pair_id, "Своя встреча")
    assert helper.telegram_id not in await _notices(session, "meeting.logged")
    change = await propose_change(
        session,
        actor(mentee),
        programme.id,
        [Change("forms", values={"forms": ["traditional", "group"]})],
        reason="хочу",
    )
    await answer_change(session, actor(mentor), change.id, agree=False)
    told = await _notices(session, "change.decided")
    assert mentee.telegram_id in told
    assert helper.telegram_id not in told
    request = await create_request(
        session, actor(mentee), programme.pair_id, "early_end", reason="переезд"
    )
    await decide_request(session, CURATOR, request.id, approve=True, comment="Согласовано")
    assert await _notices(session, "programme.ended") == [helper.telegram_id]

    other, other_mentor, _other_mentee = await _running(session)
    row = await invite_co_mentor(session, actor(other_mentor), other.pair_id, helper.id)
    await answer_invitation(session, actor(helper), row.id, accept=True)
    await withdraw_consent(session, other_mentor, ConsentKind.PERSONAL_DATA)
    ended = await session.scalars(
        select(OutboxMessage.chat_id).where(OutboxMessage.key.startswith(
            f"notice:programme.ended:{other.id}:"))
    )  # fmt: skip
    assert list(ended) == [helper.telegram_id]


async def test_who_may_be_invited_and_by_whom(session: AsyncSession) -> None:
    programme, mentor, mentee = await _running(session)
    pair = programme.pair
    helper = await make_teacher(session, mentee=False)
    stranger = await make_teacher(session)
    waiting = await make_accepted_pair(session)  # no order yet
    waiting_mentor = await session.get(Participant, waiting.mentor_id)
    assert waiting_mentor is not None
    with pytest.raises(AccessDenied):
        await invite_co_mentor(session, actor(mentee), pair.id, helper.id)
    with pytest.raises(AccessDenied):
        await invite_co_mentor(session, actor(stranger), pair.id, helper.id)
    with pytest.raises(WrongState):
        await invite_co_mentor(session, actor(waiting_mentor), waiting.id, helper.id)
    with pytest.raises(InvalidValue):
        await invite_co_mentor(session, actor(mentor), pair.id, mentee.id)
    with pytest.raises(NotFound):
        await invite_co_mentor(session, actor(mentor), pair.id, 10**9)
    row = await invite_co_mentor(session, actor(mentor), pair.id, helper.id)
    with pytest.raises(WrongState):  # already invited
        await invite_co_mentor(session, actor(mentor), pair.id, helper.id)
    found = await candidates(session, actor(mentor), pair.id, "иванова")
    assert found
    assert helper.id not in {p.id for p in found}
    with pytest.raises(AccessDenied):  # only the invited person answers
        await answer_invitation(session, actor(stranger), row.id, accept=True)
    declined = await answer_invitation(session, actor(helper), row.id, accept=False)
    assert declined.status == CoMentorStatus.DECLINED
    with pytest.raises(AlreadyDecided):
        await answer_invitation(session, actor(helper), row.id, accept=True)
    with pytest.raises(AccessDenied):
        await get_programme(session, actor(helper), programme.id, to_read=True)
    # after a decline the mentor may ask again; the co-mentor may leave themselves
    again = await invite_co_mentor(session, actor(mentor), pair.id, helper.id)
    await answer_invitation(session, actor(helper), again.id, accept=True)
    left = await end_co_mentorship(session, actor(helper), again.id)
    assert left.status == CoMentorStatus.ENDED
    assert left.ended_by == helper.telegram_id


async def test_a_withdrawn_consent_ends_the_co_mentorship(session: AsyncSession) -> None:
    programme, mentor, _mentee = await _running(session)
    helper = await make_teacher(session, mentee=False)
    row = await invite_co_mentor(session, actor(mentor), programme.pair_id, helper.id)
    await answer_invitation(session, actor(helper), row.id, accept=True)
    await withdraw_consent(session, helper, ConsentKind.PERSONAL_DATA)
    ended = await session.get(CoMentor, row.id)
    assert ended is not None
    await session.refresh(ended)
    assert ended.status == CoMentorStatus.ENDED
    assert ended.ended_at is not None


async def test_the_curator_or_director_answers_a_proposal_once(session: AsyncSession) -> None:
    programme, mentor, mentee = await _running(session)
    pair = programme.pair
    proposal = await propose(
        session, actor(mentor), pair.id, mentee.id, "contest", "«Педагогический дебют»", [1000]
    )
    with pytest.raises(AccessDenied):  # not the mentor's own decision
        await decide_proposal(session, actor(mentor), proposal.id, accept=True, comment="Да")
    with pytest.raises(InvalidValue):
        await decide_proposal(session, CURATOR, proposal.id, accept=True, comment="  ")
    decided = await decide_proposal(
        session, CURATOR, proposal.id, accept=True, comment="Заявка до 1 декабря"
    )
    assert (decided.status, decided.decided_by) == (ProposalStatus.ACCEPTED, 1000)
    with pytest.raises(AlreadyDecided):
        await decide_proposal(session, CURATOR, proposal.id, accept=False, comment="Нет")
    assert await _notices(session, "proposal.decided") == [mentor.telegram_id]
    await propose(session, actor(mentor), pair.id, mentee.id, "contest", "Ещё конкурс", [1000])
    other = await propose(session, actor(mentor), pair.id, mentee.id, "encourage", "Грамота", [])
    await decide_proposal(session, CURATOR, other.id, accept=False, comment="Рано")
    helper = await make_teacher(session, mentee=False)
    row = await invite_co_mentor(session, actor(mentor), pair.id, helper.id)
    await answer_invitation(session, actor(helper), row.id, accept=True)
    stats = await collect_statistics(
        session, date(2026, 1, 1), date(2100, 1, 1), TODAY, ZoneInfo("UTC")
    )
    assert dict(stats.proposal_outcomes) == {
        ("contest", "accepted"): 1,
        ("contest", "open"): 1,
        ("encourage", "declined"): 1,
    }
    assert stats.co_mentors["invited"] == stats.co_mentors["accepted"] == 1
    assert (stats.co_mentors["people"], stats.co_mentors["pairs"]) == (1, 1)
    # the answer's comment speaks of the mentee: erased with the mentee's data
    await erase_person(session, mentee, datetime(2026, 10, 2, tzinfo=UTC))
    await session.commit()
    erased = await session.get(MentorProposal, proposal.id)
    assert erased is not None
    await session.refresh(erased)
    assert (erased.text, erased.decision_comment) == (None, None)
