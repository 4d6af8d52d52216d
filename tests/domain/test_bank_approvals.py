"""§6.3.3: the director approves the bank entries (accepted mentors, mentees in the bank) or
returns them to the curator with a comment; the curator sends them again."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.approvals import (
    BankDecision,
    approve_entry,
    entries,
    entry_state,
    resubmit_entry,
    return_entry,
)
from models.banks import set_archived
from models.desk import curator_desk
from models.enums import StaffRole
from models.erasure import erase_person
from models.errors import AccessDenied, AlreadyDecided, InvalidValue
from models.outbox import OutboxMessage
from tests.factories import CURATOR, actor, make_mentor, make_teacher

TODAY = date(2026, 11, 25)


async def _staff(session: AsyncSession, role: StaffRole, telegram_id: int):  # type: ignore[no-untyped-def]
    person = await make_teacher(session, mentee=False, telegram_id=telegram_id)
    person.staff_role = role
    await session.commit()
    return person


def _ids(found) -> set[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return {(entry.person.id, entry.role.value) for entry in found}


async def test_only_the_director_approves_and_only_once(session: AsyncSession) -> None:
    mentor = await make_mentor(session)
    mentee = await make_teacher(session)
    await make_teacher(session, mentee=False, mentor=True)  # a candidate: with the curator
    archived = await make_teacher(session)
    await set_archived(session, CURATOR, archived.id, True)
    director = await _staff(session, StaffRole.DIRECTOR, 7001)
    curator = await _staff(session, StaffRole.CURATOR, 7002)

    waiting, total = await entries(session, "waiting")
    assert _ids(waiting) == {(mentor.id, "mentor"), (mentee.id, "mentee")}
    assert total == 2
    assert (await curator_desk(session, TODAY)).bank_to_approve == 2

    for someone in (curator, mentee, None):
        with pytest.raises(AccessDenied):
            await approve_entry(session, someone, mentor.id, "mentor")
    await approve_entry(session, director, mentor.id, "mentor")
    with pytest.raises(AlreadyDecided):
        await approve_entry(session, director, mentor.id, "mentor")
    assert (await entry_state(session, mentor.id, "mentor")).state == "approved"
    # A mentor's approval is not a mentee's: each bank has its own entry.
    assert (await entry_state(session, mentor.id, "mentee")) is None
    assert _ids((await entries(session, "waiting"))[0]) == {(mentee.id, "mentee")}
    assert (await curator_desk(session, TODAY)).bank_to_approve == 1


async def test_a_returned_entry_goes_to_the_curator_and_comes_back(session: AsyncSession) -> None:
    mentee = await make_teacher(session)
    director = await _staff(session, StaffRole.DIRECTOR, 7011)
    with pytest.raises(InvalidValue):
        await return_entry(session, director, mentee.id, "mentee", "   ", [1000])
    with pytest.raises(InvalidValue):
        await return_entry(session, director, mentee.id, "mentee", "x" * 1001, [1000])

    row = await return_entry(
        session, director, mentee.id, "mentee", "  Нет  даты приёма ", [1000, 7011]
    )
    assert row.comment == "Нет даты приёма"
    assert row.round == 1
    notices = list(await session.scalars(select(OutboxMessage)))
    mine = [n for n in notices if (n.payload or {}).get("notice") == "bank.returned"]
    assert [(n.chat_id, n.payload["id"]) for n in mine] == [(1000, row.id)]  # not the director
    desk = await curator_desk(session, TODAY)
    assert (desk.bank_to_approve, desk.bank_returned) == (0, 1)
    with pytest.raises(AlreadyDecided):  # it is with the curator now
        await approve_entry(session, director, mentee.id, "mentee")

    with pytest.raises(AccessDenied):
        await resubmit_entry(session, actor(mentee), mentee.id, "mentee")
    await resubmit_entry(session, CURATOR, mentee.id, "mentee")
    with pytest.raises(AlreadyDecided):
        await resubmit_entry(session, CURATOR, mentee.id, "mentee")
    desk = await curator_desk(session, TODAY)
    assert (desk.bank_to_approve, desk.bank_returned) == (1, 0)
    again = await approve_entry(session, director, mentee.id, "mentee")
    assert again.round == 2
    rounds = await session.scalars(select(BankDecision.approved).order_by(BankDecision.round))
    assert list(rounds) == [False, True]
    assert (await curator_desk(session, TODAY)).empty


async def test_erasure_clears_the_directors_comment_about_the_person(
    session: AsyncSession,
) -> None:
    mentee = await make_teacher(session, full_name="Лебедева Ольга")
    director = await _staff(session, StaffRole.DIRECTOR, 7021)
    row = await return_entry(session, director, mentee.id, "mentee", "Лебедева: нет стажа", [1000])
    await erase_person(session, mentee)
    await session.commit()
    await session.refresh(row)
    assert row.comment is None
