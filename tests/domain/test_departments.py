"""The directory of departments: one spelling each, so matching and filters count it once."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.broadcasts import departments
from models.departments import (
    Department,
    add_department,
    canonical_name,
    merge_into,
    outside_names,
    rename_department,
)
from models.errors import WrongState
from models.matching import score_mentor
from models.participant import Participant
from tests.factories import CURATOR, make_mentor, make_teacher


async def test_a_typed_spelling_becomes_the_directory_s(session: AsyncSession) -> None:
    await add_department(session, CURATOR, "ПЦК информационных технологий")
    assert await canonical_name(session, "пцк  информационных ТЕХНОЛОГИЙ") == (
        "ПЦК информационных технологий"
    )
    assert await canonical_name(session, "ПЦК истории") == "ПЦК истории"  # new: kept as typed
    with pytest.raises(WrongState):
        await add_department(session, CURATOR, "пцк информационных технологий")


async def test_merging_unites_people_filters_and_matching(session: AsyncSession) -> None:
    target = await add_department(session, CURATOR, "ПЦК информационных технологий")
    mentee = await make_teacher(session, department="ПЦК информатики и ИТ")
    mentor = await make_mentor(session, department="ПЦК информационных технологий")
    assert "same department" not in [r for r, _p in score_mentor(mentee, mentor).reasons]
    assert await outside_names(session) == ["ПЦК информатики и ИТ"]
    assert len(await departments(session)) == 2  # two filters, two audiences
    _department, moved = await merge_into(session, CURATOR, "ПЦК информатики и ИТ", target.id)
    assert moved == 1
    await session.refresh(mentee)
    assert mentee.department == "ПЦК информационных технологий"
    assert await departments(session) == ["ПЦК информационных технологий"]
    assert await outside_names(session) == []
    assert "same department" in [r for r, _p in score_mentor(mentee, mentor).reasons]


async def test_renaming_renames_it_for_everyone(session: AsyncSession) -> None:
    department = await add_department(session, CURATOR, "ПЦК ИТ")
    teacher = await make_teacher(session, department="ПЦК ИТ")
    await rename_department(session, CURATOR, department.id, "ПЦК информационных технологий")
    stored = await session.scalar(
        select(Participant.department).where(Participant.id == teacher.id)
    )
    assert stored == "ПЦК информационных технологий"
    other = await add_department(session, CURATOR, "ПЦК истории")
    with pytest.raises(WrongState):
        await rename_department(session, CURATOR, other.id, "пцк информационных технологий")
    names = list(await session.scalars(select(Department.name).order_by(Department.name)))
    assert names == ["ПЦК информационных технологий", "ПЦК истории"]
