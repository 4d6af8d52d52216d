"""Invitation links (t.me/<bot>?start=<code>) that preselect the role at registration."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import BigInteger, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access import Actor
from models.audit import audit
from models.base import Base, utcnow
from models.enums import Role
from models.participant import enum_column

_CODE = re.compile(r"inv[A-Za-z0-9]{1,29}")  # as `create_invite` makes them


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    # None: a personal link from the yearly list that leaves the role to the teacher.
    role: Mapped[Role | None] = mapped_column(enum_column(Role))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    uses: Mapped[int] = mapped_column(default=0)


def new_invite_code() -> str:
    return "inv" + secrets.token_urlsafe(9).replace("-", "x").replace("_", "y")


async def create_invite(session: AsyncSession, actor: Actor, role: str) -> Invite:
    actor.require_curator()
    invite = Invite(
        code=new_invite_code(),
        role=Role(role),
        created_by=actor.telegram_id,
    )
    session.add(invite)
    await session.flush()
    audit(session, actor.telegram_id, "invite", "invite", invite.id, role=role)
    await session.commit()
    return invite


def well_formed(code: str) -> bool:
    """Whether a deep link's payload can be one of our codes (anything else — a NUL byte that
    PostgreSQL refuses in a query, a 4,000-character «code» — never reaches the database)."""
    return _CODE.fullmatch(code) is not None


async def use_invite(session: AsyncSession, code: str) -> Role | None:
    """The role an invitation preselects; unknown or malformed codes are simply ignored."""
    if not well_formed(code):
        return None
    invite = await session.scalar(select(Invite).where(Invite.code == code))
    if invite is None:
        return None
    invite.uses += 1
    await session.commit()
    return invite.role
