"""Groups done right (issue #14): joining an approved group by consent and its own order,
mutual agreements of the mentor and every mentee (§10.2, §10.1.1), each mentee's own part of an
activity (§4.2.8), who reports what (the responsible person), history kept by a leaver."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import ActivityStatus, ConsentKind, PairStatus, ProgrammeStatus, RequestStatus
from models.errors import AccessDenied, NotFound, WrongState
from models.pairs import (
    answer_pair,
    approve_join,
    approve_pair,
    joins_waiting,
    pairs_of,
    propose_pair,
)
from models.programmes import (
    ProgrammeDraft,
    add_activity,
    get_programme,
    programmes_of,
    respond_to_draft,
    save_draft,
    submit_programme,
    vote_completion,
)
from models.progress import ActivityProgress, part_map, report_part, review_part
from models.requests import answer_as_partner, create_request
from models.withdrawal import withdraw_consent
from tests.factories import CURATOR, END, START, actor, make_mentor, make_teacher
from tests.groups import ORDER, join, make_group, make_programme

# 1. Joining an approved group ------------------------------------------------------------


async def test_a_newcomer_is_no_member_before_consent_and_order(session: AsyncSession) -> None:
    pair, mentor, (first, second) = await make_group(session)
    programme = await make_programme(session, pair, mentor, [first, second])
    newcomer = await make_teacher(session)
    await join(session, pair, newcomer)
    assert pair.status == PairStatus.ACTIVE
    assert newcomer.id not in pair.mentee_ids  # asked, not a member
    for _step in ("asked", "agreed"):
        with pytest.raises(AccessDenied):
            await get_programme(session, actor(newcomer), programme.id)
        assert await programmes_of(session, newcomer.id) == []
        assert await pairs_of(session, newcomer.id) == []
        with pytest.raises(AccessDenied):
            await report_part(session, actor(newcomer), programme.activities[0].id, comment="x")
        with pytest.raises(AccessDenied):
            await vote_completion(session, actor(newcomer), programme.id)
        assert pair.mentee_ids == [first.id, second.id]  # not counted
        if _step == "asked":
            with pytest.raises(WrongState):  # no order before the consent
                await approve_join(session, CURATOR, pair.id, newcomer.id, **ORDER)
            await answer_pair(session, actor(newcomer), pair.id, accept=True)
    assert [m.mentee_id for m in await joins_waiting(session)] == [newcomer.id]
    pair = await approve_join(session, CURATOR, pair.id, newcomer.id, **ORDER)
    member = next(m for m in pair.members if m.mentee_id == newcomer.id)
    assert (member.order_number, member.order_date) == ("71-н", date(2026, 10, 1))
    assert pair.mentee_ids == [first.id, second.id, newcomer.id]
    assert await get_programme(session, actor(newcomer), programme.id) is programme
    assert await joins_waiting(session) == []


async def test_a_decided_join_changes_nothing(session: AsyncSession) -> None:
    pair, _mentor, _mentees = await make_group(session)
    newcomer, refuser = await make_teacher(session), await make_teacher(session)
    await join(session, pair, newcomer)
    await answer_pair(session, actor(newcomer), pair.id, accept=True)
    await approve_join(session, CURATOR, pair.id, newcomer.id, **ORDER)
    with pytest.raises(WrongState):  # the same order again (a stale button)
        await approve_join(session, CURATOR, pair.id, newcomer.id, **ORDER)
    with pytest.raises(WrongState):  # their consent button again
        await answer_pair(session, actor(newcomer), pair.id, accept=False)
    await join(session, pair, refuser)
    await answer_pair(session, actor(refuser), pair.id, accept=False, reason="нет времени")
    assert pair.status == PairStatus.ACTIVE  # the group goes on without them
    with pytest.raises(WrongState):
        await approve_join(session, CURATOR, pair.id, refuser.id, **ORDER)
    stranger = await make_teacher(session)
    with pytest.raises(NotFound):  # a forged button for someone never asked
        await approve_join(session, CURATOR, pair.id, stranger.id, **ORDER)
    with pytest.raises(AccessDenied):
        await answer_pair(session, actor(stranger), pair.id, accept=True)


async def test_joining_a_group_not_yet_ordered_waits_for_the_newcomer(
    session: AsyncSession,
) -> None:
    mentor = await make_mentor(session)
    first, second = await make_teacher(session), await make_teacher(session)
    pair = await propose_pair(
        session,
        CURATOR,
        mentee_id=first.id,
        mentor_id=mentor.id,
        forms=["group"],
        pair_type="teacher_teacher",
    )
    await answer_pair(session, actor(mentor), pair.id, accept=True)
    await answer_pair(session, actor(first), pair.id, accept=True)
    assert pair.status == PairStatus.ACCEPTED
    await join(session, pair, second)
    assert pair.status == PairStatus.PROPOSED  # the order must not skip the newcomer's consent
    with pytest.raises(WrongState):
        await approve_pair(session, CURATOR, pair.id, **ORDER)
    await answer_pair(session, actor(second), pair.id, accept=True)
    assert pair.status == PairStatus.ACCEPTED


# 2. Mutual agreements ----------------------------------------------------------------------


async def test_the_programme_needs_every_current_mentee(session: AsyncSession) -> None:
    pair, mentor, (first, second) = await make_group(session)
    draft = ProgrammeDraft("Цель", "Затруднения", "Сильные", ["group"], START, END)
    programme = await save_draft(session, actor(mentor), pair.id, draft)
    await add_activity(
        session,
        actor(mentor),
        programme.id,
        title="A",
        description=None,
        deadline=date(2026, 10, 1),
        responsible="mentee",
    )
    newcomer = await make_teacher(session)
    await join(session, pair, newcomer)
    await answer_pair(session, actor(newcomer), pair.id, accept=True)
    await submit_programme(session, actor(mentor), programme.id)
    assert programme.agreed_by == [mentor.id]  # the mentor agrees by submitting
    with pytest.raises(AccessDenied):  # not ordered yet: not theirs to agree
        await respond_to_draft(session, actor(newcomer), programme.id, agree=True)
    await respond_to_draft(session, actor(first), programme.id, agree=True)
    assert programme.status == ProgrammeStatus.SUBMITTED  # one mentee is not the group
    await approve_join(session, CURATOR, pair.id, newcomer.id, **ORDER)
    await respond_to_draft(session, actor(second), programme.id, agree=True)
    assert programme.status == ProgrammeStatus.SUBMITTED  # the newcomer is one of them now
    await respond_to_draft(session, actor(newcomer), programme.id, agree=True)
    assert programme.status == ProgrammeStatus.AGREED


async def test_a_change_request_needs_everyone_on_the_other_side(session: AsyncSession) -> None:
    pair, mentor, (first, second) = await make_group(session)
    programme = await make_programme(session, pair, mentor, [first, second])
    request = await create_request(
        session, actor(first), pair.id, "extension", reason="болезнь", new_date=date(2027, 2, 1)
    )
    await answer_as_partner(session, actor(mentor), request.id, agree=True)
    assert request.status == RequestStatus.AWAITING_PARTNER  # the other mentee too (§10.2)
    with pytest.raises(WrongState):
        await answer_as_partner(session, actor(mentor), request.id, agree=True)
    with pytest.raises(AccessDenied):  # the author does not answer their own request
        await answer_as_partner(session, actor(first), request.id, agree=True)
    await answer_as_partner(session, actor(second), request.id, agree=True)
    assert request.status == RequestStatus.PENDING
    by_mentor = await create_request(
        session,
        actor(mentor),
        pair.id,
        "deadline",
        reason="перенос",
        activity_id=programme.activities[0].id,
        new_date=date(2026, 11, 1),
    )
    await answer_as_partner(session, actor(first), by_mentor.id, agree=True)
    assert by_mentor.status == RequestStatus.AWAITING_PARTNER
    await answer_as_partner(session, actor(second), by_mentor.id, agree=False)
    assert by_mentor.status == RequestStatus.WITHDRAWN


async def test_completion_needs_the_mentor_and_every_mentee(session: AsyncSession) -> None:
    pair, mentor, (first, second) = await make_group(session)
    programme = await make_programme(session, pair, mentor, [first, second])
    activity = programme.activities[0]
    for mentee in (first, second):
        await report_part(session, actor(mentee), activity.id, comment="сделано")
        await review_part(session, actor(mentor), activity.id, mentee.id, confirm=True)
    assert programme.plan_done
    await vote_completion(session, actor(mentor), programme.id)
    await vote_completion(session, actor(first), programme.id)
    assert programme.status == ProgrammeStatus.APPROVED
    await vote_completion(session, actor(second), programme.id)
    assert programme.status == ProgrammeStatus.COMPLETED


# 3. Progress per mentee --------------------------------------------------------------------


async def test_each_mentee_reports_their_own_part(session: AsyncSession) -> None:
    pair, mentor, (first, second) = await make_group(session)
    programme = await make_programme(session, pair, mentor, [first, second])
    activity = programme.activities[0]
    await report_part(session, actor(first), activity.id, comment="провела урок")
    assert activity.status == ActivityStatus.PLANNED  # the second's part is still open
    with pytest.raises(WrongState):  # their own part, once
        await report_part(session, actor(first), activity.id, comment="ещё раз")
    await review_part(session, actor(mentor), activity.id, first.id, confirm=True)
    assert activity.status == ActivityStatus.PLANNED
    assert programme.progress == (0, 1)
    assert not programme.plan_done
    with pytest.raises(WrongState):  # nothing reported by the second yet
        await review_part(session, actor(mentor), activity.id, second.id, confirm=True)
    await report_part(session, actor(second), activity.id, comment="тоже провела")
    assert activity.status == ActivityStatus.REPORTED
    await review_part(
        session, actor(mentor), activity.id, second.id, confirm=False, comment="нет конспекта"
    )
    assert activity.status == ActivityStatus.RETURNED
    await report_part(session, actor(second), activity.id, comment="конспект приложен")
    await review_part(session, actor(mentor), activity.id, second.id, confirm=True)
    assert activity.status == ActivityStatus.CONFIRMED
    assert programme.progress == (1, 1)
    parts = await part_map(session, programme)
    assert parts[(activity.id, first.id)].report_comment == "провела урок"
    assert parts[(activity.id, second.id)].report_comment == "конспект приложен"


async def test_a_newcomer_reopens_shared_activities_and_a_leaver_keeps_history(
    session: AsyncSession,
) -> None:
    pair, mentor, (first, second) = await make_group(session)
    programme = await make_programme(session, pair, mentor, [first, second])
    activity = programme.activities[0]
    for mentee in (first, second):
        await report_part(session, actor(mentee), activity.id, comment="сделано")
        await review_part(session, actor(mentor), activity.id, mentee.id, confirm=True)
    assert activity.status == ActivityStatus.CONFIRMED
    newcomer = await make_teacher(session)
    await join(session, pair, newcomer)
    await answer_pair(session, actor(newcomer), pair.id, accept=True)
    assert activity.status == ActivityStatus.CONFIRMED  # not a member before the order
    await approve_join(session, CURATOR, pair.id, newcomer.id, **ORDER)
    assert activity.status == ActivityStatus.PLANNED  # their own trajectory (§4.2.8)
    await report_part(session, actor(newcomer), activity.id, comment="сделано")
    assert activity.status == ActivityStatus.REPORTED
    await withdraw_consent(session, newcomer, ConsentKind.PERSONAL_DATA)
    assert newcomer.id not in pair.mentee_ids
    assert activity.status == ActivityStatus.CONFIRMED  # the others' parts are all done
    rows = await session.scalars(
        select(ActivityProgress).where(ActivityProgress.mentee_id == newcomer.id)
    )
    rows = list(rows)
    assert [r.status for r in rows] == [ActivityStatus.REPORTED]  # their row stays
    assert [r.report_comment for r in rows] == [None]  # but what they wrote is erased


async def test_an_individual_pair_works_as_before(session: AsyncSession) -> None:
    pair, mentor, (mentee,) = await make_group(session, size=1)
    programme = await make_programme(session, pair, mentor, [mentee])
    activity = programme.activities[0]
    await report_part(session, actor(mentee), activity.id, comment="сделано")
    assert activity.status == ActivityStatus.REPORTED
    assert activity.report_comment == "сделано"
    assert activity.reported_by == mentee.id
    await review_part(session, actor(mentor), activity.id, mentee.id, confirm=True)
    assert activity.status == ActivityStatus.CONFIRMED
    assert activity.confirmed_at is not None
    assert programme.plan_done


# 4. Who reports what -----------------------------------------------------------------------


async def test_the_responsible_person_reports_and_the_other_side_confirms(
    session: AsyncSession,
) -> None:
    pair, mentor, (first, second) = await make_group(session)
    programme = await make_programme(
        session, pair, mentor, [first, second], responsible=("mentor", "mentee", "both")
    )
    by_mentor, by_mentee, by_both = programme.activities
    with pytest.raises(AccessDenied, match="mentor's to report"):
        await report_part(session, actor(first), by_mentor.id, comment="x")
    with pytest.raises(AccessDenied, match="mentee's to report"):
        await report_part(session, actor(mentor), by_mentee.id, comment="x")
    _activity, parts = await report_part(
        session, actor(mentor), by_mentor.id, comment="открытый урок"
    )
    assert sorted(p.mentee_id for p in parts) == sorted([first.id, second.id])
    with pytest.raises(AccessDenied):  # the mentor does not confirm their own report
        await review_part(session, actor(mentor), by_mentor.id, first.id, confirm=True)
    with pytest.raises(AccessDenied):  # each mentee confirms their own part only
        await review_part(session, actor(second), by_mentor.id, first.id, confirm=True)
    await review_part(session, actor(first), by_mentor.id, first.id, confirm=True)
    assert by_mentor.status == ActivityStatus.REPORTED
    await review_part(session, actor(second), by_mentor.id, second.id, confirm=True)
    assert by_mentor.status == ActivityStatus.CONFIRMED
    # «both»: either side reports; whoever did not, confirms.
    await report_part(session, actor(first), by_both.id, comment="сама")
    await report_part(session, actor(mentor), by_both.id, comment="за вторую", mentee_id=second.id)
    with pytest.raises(AccessDenied):
        await review_part(session, actor(first), by_both.id, first.id, confirm=True)
    await review_part(session, actor(mentor), by_both.id, first.id, confirm=True)
    await review_part(session, actor(second), by_both.id, second.id, confirm=True)
    assert by_both.status == ActivityStatus.CONFIRMED
