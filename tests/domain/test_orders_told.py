"""Curator and director see each other's orders (§6.3.5): whoever enters the order fixing a
pair, a newcomer to a group or a change of mentor, the other staff get a notice through the
outbox, rendered from the order itself."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import create_i18n
from models.outbox import OutboxMessage
from models.pairs import MentorReplacement, answer_pair, approve_join, record_replacement_order
from rendering.notices import RENDERERS
from tests.factories import CURATOR, actor, make_mentor, make_teacher
from tests.groups import ORDER, join, make_group

STAFF = [CURATOR.telegram_id, 5901]  # a curator and the director


async def told(session: AsyncSession, notice: str) -> list[str]:
    rows = [
        row
        for row in await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        if (row.payload or {}).get("notice") == notice
    ]
    assert [row.chat_id for row in rows] == [5901]  # not the one who entered it
    i18n = create_i18n("ru")
    texts = []
    with i18n.context(), i18n.use_locale("ru"):
        for row in rows:
            render = await RENDERERS[notice](session, int(row.payload["id"]), row.chat_id)
            assert render is not None
            texts.append(render()[0])
    return texts


async def test_a_newcomers_order_and_a_change_of_mentor_are_told(session: AsyncSession) -> None:
    pair, mentor, _mentees = await make_group(session)
    newcomer = await make_teacher(session, full_name="Новикова Ольга")
    await join(session, pair, newcomer)
    await answer_pair(session, actor(newcomer), pair.id, accept=True)
    await approve_join(session, CURATOR, pair.id, newcomer.id, **ORDER, staff_chat_ids=STAFF)
    (text,) = await told(session, "join.ordered")
    assert f"Новикова Ольга: в группу №{pair.id} по приказу директора № 71-н от 01.10.2026" in text

    successor = await make_mentor(session, full_name="Сменова Анна")
    change = MentorReplacement(pair_id=pair.id, old_mentor_id=mentor.id, new_mentor_id=successor.id)
    session.add(change)
    await session.commit()
    await record_replacement_order(
        session,
        CURATOR,
        change.id,
        order_number="72-н",
        order_date=date(2026, 10, 5),
        staff_chat_ids=STAFF,
    )
    (text,) = await told(session, "replacement.ordered")
    assert "→ Сменова Анна) оформлена приказом директора № 72-н от 05.10.2026" in text
