"""What the curator keeps for the college site's section (§11.1) besides what the bot already
knows: the legal base and methodical recommendations (documents and links), announcements of
events and news she writes. A best case's description is models.best_cases."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.access import Actor
from models.audit import audit
from models.base import Base, utcnow
from models.best_cases import description_of, require_approved
from models.enums import ProgrammeStatus
from models.errors import InvalidValue, NotFound
from models.i18n_marker import N_
from models.participant import enum_column
from models.programmes import Programme

TITLE_LIMIT, BODY_LIMIT, URL_LIMIT = 200, 3000, 500


class SiteKind(StrEnum):
    NEWS = "news"
    ANNOUNCEMENT = "announcement"  # an event with a date
    LEGAL = "legal"  # federal, regional and local legal base
    METHOD = "method"  # methodical recommendations
    CASE = "case"  # before models.best_cases: moved there by migration, none are written now


class SiteItem(Base):
    __tablename__ = "site_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SiteKind] = mapped_column(enum_column(SiteKind), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_LIMIT))
    body: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(URL_LIMIT))
    event_date: Mapped[date | None]
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), unique=True
    )
    author_telegram_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def parse_item(text: str) -> tuple[str, str, str | None]:
    """A typed item: the first line is the title, the rest the text; a line that is only a
    web address (http:// or https://) becomes the link."""
    lines = [line.strip() for line in (text or "").strip().splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise InvalidValue(N_("Please send the answer as text."))
    url = None
    rest = []
    for line in lines[1:]:
        if url is None and " " not in line and line.lower().startswith(("http://", "https://")):
            url = line
        else:
            rest.append(line)
    if lines[0].lower().startswith(("http://", "https://")) and " " not in lines[0]:
        raise InvalidValue(N_("The first line is the title; put the link on a line below it."))
    title, body = lines[0], "\n".join(rest)
    for value, limit in ((title, TITLE_LIMIT), (body, BODY_LIMIT), (url or "", URL_LIMIT)):
        if len(value) > limit:
            raise InvalidValue(
                N_("That is too long: at most {limit} characters, you sent {length}."),
                limit=limit,
                length=len(value),
            )
    return title, body, url


async def add_item(
    session: AsyncSession,
    actor: Actor,
    kind: SiteKind,
    text: str,
    event_date: date | None = None,
) -> SiteItem:
    actor.require_curator()
    if kind == SiteKind.CASE:
        raise InvalidValue(N_("This button is no longer valid."))
    if kind == SiteKind.ANNOUNCEMENT and event_date is None:
        raise InvalidValue(N_("Please enter a date as DD.MM.YYYY."))
    title, body, url = parse_item(text)
    item = SiteItem(
        kind=kind,
        title=title,
        body=body,
        url=url,
        event_date=event_date,
        author_telegram_id=actor.telegram_id,
        created_at=utcnow(),
    )
    session.add(item)
    await session.flush()
    audit(session, actor.telegram_id, "site.add", "site_item", item.id, kind=kind)
    await session.commit()
    return item


async def toggle_best_case(session: AsyncSession, actor: Actor, programme_id: int) -> bool:
    """Show a completed programme as a best case on the site (§6.4.6), or take it off; returns
    the new mark. The mark stands on the programme's approved description (models.best_cases):
    without one there is nothing to show."""
    actor.require_curator()
    programme = await session.get(Programme, programme_id)
    if programme is None or programme.status != ProgrammeStatus.COMPLETED:
        raise NotFound()
    if not programme.best_case:
        require_approved(await description_of(session, programme_id))
    programme.best_case = not programme.best_case
    audit(
        session,
        actor.telegram_id,
        "publish.best_case",
        "programme",
        programme.id,
        best=programme.best_case,
    )
    await session.commit()
    return programme.best_case


async def delete_item(session: AsyncSession, actor: Actor, item_id: int) -> None:
    actor.require_curator()
    item = await session.get(SiteItem, item_id)
    if item is None:
        raise NotFound()
    await session.delete(item)
    audit(session, actor.telegram_id, "site.delete", "site_item", item_id)
    await session.commit()


async def items(session: AsyncSession, *kinds: SiteKind) -> list[SiteItem]:
    result = await session.scalars(
        select(SiteItem)
        .where(SiteItem.kind.in_(kinds))
        .order_by(SiteItem.created_at.desc(), SiteItem.id.desc())
    )
    return list(result)
