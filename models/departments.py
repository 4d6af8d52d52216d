"""The directory of departments (ПЦК, кафедры) the curator keeps: one spelling per department,
so that matching («та же ПЦК»), the banks' filters, broadcasts and reports count it once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access import Actor
from models.audit import audit
from models.base import Base, utcnow
from models.enums import ParticipantStatus
from models.errors import NotFound, WrongState
from models.fields import FIELDS
from models.i18n_marker import N_
from models.participant import Participant


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def fold(name: str) -> str:
    """What makes two spellings the same department: case, «ё», extra spaces."""
    return " ".join(name.casefold().replace("ё", "е").split())


async def directory(session: AsyncSession) -> list[Department]:
    return list(await session.scalars(select(Department).order_by(Department.name)))


async def canonical_name(session: AsyncSession, typed: str) -> str:
    """The directory's spelling of what a teacher typed, or the typed text if it is new."""
    wanted = fold(typed)
    for department in await directory(session):
        if fold(department.name) == wanted:
            return department.name
    return typed


async def usage(session: AsyncSession) -> dict[str, int]:
    """How many active participants name each department (as stored)."""
    rows = await session.execute(
        select(Participant.department, func.count())
        .where(Participant.status == ParticipantStatus.ACTIVE, Participant.department.is_not(None))
        .group_by(Participant.department)
    )
    return {name: count for name, count in rows.all() if name}


async def outside_names(session: AsyncSession) -> list[str]:
    """Departments people typed that the directory does not have (to add or to merge)."""
    known = {fold(d.name) for d in await directory(session)}
    return sorted(name for name in await usage(session) if fold(name) not in known)


def _clean(name: str) -> str:
    return str(FIELDS["department"].clean(name))


async def _require_new(session: AsyncSession, name: str, *, except_id: int | None = None) -> None:
    for department in await directory(session):
        if fold(department.name) == fold(name) and department.id != except_id:
            raise WrongState(N_("The directory already has «{name}»."), name=department.name)


async def add_department(session: AsyncSession, actor: Actor, name: str) -> Department:
    actor.require_curator()
    name = _clean(name)
    await _require_new(session, name)
    department = Department(name=name, created_at=utcnow())
    session.add(department)
    await session.flush()
    audit(session, actor.telegram_id, "department.add", "department", department.id)
    await session.commit()
    return department


async def _get(session: AsyncSession, department_id: int) -> Department:
    department = await session.get(Department, department_id)
    if department is None:
        raise NotFound()
    return department


async def _move_people(session: AsyncSession, old: str, new: str) -> None:
    await session.execute(
        update(Participant).where(Participant.department == old).values(department=new)
    )


async def rename_department(
    session: AsyncSession, actor: Actor, department_id: int, name: str
) -> Department:
    """A new spelling for the department and for everyone who named it."""
    actor.require_curator()
    department = await _get(session, department_id)
    name = _clean(name)
    await _require_new(session, name, except_id=department.id)
    await _move_people(session, department.name, name)
    department.name = name
    audit(session, actor.telegram_id, "department.rename", "department", department.id)
    await session.commit()
    return department


async def merge_into(
    session: AsyncSession, actor: Actor, source: str, target_id: int
) -> tuple[Department, int]:
    """Everyone who named `source` (a directory entry or a typed name) now names the target;
    a directory entry `source` is removed. Returns the target and how many people moved."""
    actor.require_curator()
    target = await _get(session, target_id)
    if fold(source) == fold(target.name) and source == target.name:
        raise WrongState(N_("A department cannot be merged with itself."))
    moved = (await usage(session)).get(source, 0)
    await _move_people(session, source, target.name)
    duplicate = await session.scalar(
        select(Department).where(Department.name == source, Department.id != target.id)
    )
    if duplicate is not None:
        await session.delete(duplicate)
    audit(session, actor.telegram_id, "department.merge", "department", target.id, moved=moved)
    await session.commit()
    return target, moved
