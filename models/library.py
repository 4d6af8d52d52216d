"""The methodical library (§6.4.6; roadmap stages 4 and 6): methodical materials, memos and
descriptions of practices — a file, a link or a text with a title, tags and an audience. The
curator and the mentors of the bank add them; every participant browses and searches them;
a roadmap event can carry materials (Appendix 1: «методические материалы» for mentors)."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access import Actor
from models.audit import audit
from models.base import Base, utcnow
from models.enums import MentorStatus
from models.errors import AccessDenied, InvalidValue, NotFound
from models.fields import printable
from models.i18n_marker import N_
from models.matching import lemmas
from models.outbox import queue_notice
from models.participant import Participant, enum_column, get_participant_by_id
from models.roadmap import EventGuest, RoadmapEvent

TITLE_LENGTH = 200
URL_LENGTH = 500
BODY_LENGTH = 3500
TAG_LENGTH = 40
MAX_TAGS = 10
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


class MaterialAudience(StrEnum):
    EVERYONE = "everyone"
    MENTORS = "mentors"
    MENTEES = "mentees"


class Material(Base):
    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    file_id: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    audience: Mapped[MaterialAudience] = mapped_column(
        enum_column(MaterialAudience), default=MaterialAudience.EVERYONE
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("roadmap_events.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    added_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def _is_mentor(person: Participant | None) -> bool:
    profile = person.mentor_profile if person is not None else None
    return profile is not None and profile.status == MentorStatus.ACCEPTED


async def may_add(session: AsyncSession, actor: Actor) -> bool:
    """The curator and the mentors of the bank add materials (§6.4.6)."""
    if actor.is_curator:
        return True
    if actor.participant_id is None:
        return False
    return _is_mentor(await get_participant_by_id(session, actor.participant_id))


def clean_title(text: str) -> str:
    title = " ".join(printable(text or "").split())
    if not title:
        raise InvalidValue(N_("The title cannot be empty."))
    if len(title) > TITLE_LENGTH:
        raise InvalidValue(N_("The title is too long: at most {n} characters."), n=TITLE_LENGTH)
    return title


def parse_tags(text: str) -> list[str]:
    """Tags typed with commas («проектная деятельность, ФОС»); «-» for none."""
    if (text or "").strip() in ("", "-", "—"):
        return []
    tags = []
    for part in re.split(r"[,;#\n]", printable(text)):
        tag = " ".join(part.split()).lower()
        if not tag or tag in tags:
            continue
        if len(tag) > TAG_LENGTH:
            raise InvalidValue(N_("A tag is too long: at most {n} characters."), n=TAG_LENGTH)
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise InvalidValue(N_("At most {n} tags."), n=MAX_TAGS)
    return tags


async def add_material(
    session: AsyncSession,
    actor: Actor,
    *,
    title: str,
    content: str | None = None,
    file_id: str | None = None,
    tags: list[str] | None = None,
    audience: str = MaterialAudience.EVERYONE,
    event_id: int | None = None,
) -> Material:
    """A file (Telegram file id), a link (a text that is one http(s) address) or a text."""
    if not await may_add(session, actor):
        raise AccessDenied(N_("Materials are added by the curator and the mentors of the bank."))
    try:
        audience = MaterialAudience(audience)
    except ValueError:
        raise InvalidValue() from None
    material = Material(
        title=clean_title(title),
        tags=tags or [],
        audience=audience,
        added_by=actor.telegram_id,
        author_id=actor.participant_id,
    )
    text = printable(content or "").strip()
    if file_id:
        material.file_id = file_id[:255]
    elif _URL.match(text):
        if len(text) > URL_LENGTH:
            raise InvalidValue(N_("The link is too long: at most {n} characters."), n=URL_LENGTH)
        material.url = text
    elif text:
        if len(text) > BODY_LENGTH:
            raise InvalidValue(N_("The text is too long: at most {n} characters."), n=BODY_LENGTH)
        material.body = text
    else:
        raise InvalidValue(N_("Send a file, a link or a text."))
    if event_id:
        actor.require_curator()  # the curator keeps the roadmap
        if await session.get(RoadmapEvent, event_id) is None:
            raise NotFound()
        material.event_id = event_id
    session.add(material)
    await session.flush()
    audit(session, actor.telegram_id, "library.add", "material", material.id)
    if event_id:  # the event's guests, invited already, get the material for it (Appendix 1)
        guests = await session.scalars(
            select(EventGuest.participant_id).where(EventGuest.event_id == event_id)
        )
        await queue_notice(session, "event.material", material.id, list(guests))
    await session.commit()
    return material


def _visible(actor: Actor, person: Participant | None) -> set[MaterialAudience]:
    if actor.is_curator:
        return set(MaterialAudience)
    seen = {MaterialAudience.EVERYONE}
    if _is_mentor(person):
        seen.add(MaterialAudience.MENTORS)
    if person is not None and person.mentee_profile is not None:
        seen.add(MaterialAudience.MENTEES)
    return seen


def matches(material: Material, query: str) -> bool:
    """Every topic word of the query is in the title, the tags or the text, in any form."""
    wanted = lemmas(query)
    if not wanted:
        return True
    return wanted <= lemmas(" ".join([material.title, *material.tags, material.body or ""]))


async def browse(
    session: AsyncSession, actor: Actor, query: str = "", *, event_id: int | None = None
) -> list[Material]:
    """What this person may see, newest first, matching the query."""
    if actor.participant_id is None and not actor.is_curator:
        raise AccessDenied()
    person = (
        await get_participant_by_id(session, actor.participant_id) if actor.participant_id else None
    )
    rows = select(Material).where(Material.audience.in_(_visible(actor, person)))
    if event_id is not None:
        rows = rows.where(Material.event_id == event_id)
    found = await session.scalars(rows.order_by(Material.id.desc()))
    return [m for m in found if matches(m, query)]


async def get_material(session: AsyncSession, actor: Actor, material_id: int) -> Material:
    for material in await browse(session, actor):
        if material.id == material_id:
            return material
    raise NotFound(N_("This material is not in the library (deleted, or not for you)."))


async def delete_material(session: AsyncSession, actor: Actor, material_id: int) -> None:
    material = await get_material(session, actor, material_id)
    if not actor.is_curator and material.author_id != actor.participant_id:
        raise AccessDenied()
    await session.delete(material)
    audit(session, actor.telegram_id, "library.delete", "material", material_id)
    await session.commit()


async def materials_of_events(
    session: AsyncSession, event_ids: list[int]
) -> dict[int, list[Material]]:
    rows = await session.scalars(
        select(Material).where(Material.event_id.in_(event_ids)).order_by(Material.id)
    )
    found: dict[int, list[Material]] = {}
    for row in rows:
        found.setdefault(row.event_id or 0, []).append(row)
    return found
