"""/approvals: the director approves the bank entries or returns them with a comment; the
curator is told, sees the comment and sends the entry again (§6.3.3)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.curator.approvals import EntryAction, Verb
from handlers.curator.participants import PersonAction, PersonVerb
from models.approvals import BankRole
from models.enums import StaffRole
from tests.driver import Person, said
from tests.factories import make_teacher


async def test_the_director_returns_and_then_approves_an_entry(
    curator: Person,
    person: Callable[..., Person],
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        mentee = await make_teacher(session, full_name="Лебедева Ольга")
        boss = await make_teacher(session, mentee=False, telegram_id=5701, full_name="Бондаренко")
        boss.staff_role = StaffRole.DIRECTOR
        await session.commit()
    director = person(5701)

    assert said(await director.send("/today"), "1 запись банков ждёт утверждения директором")
    replies = await director.send("/approvals")
    assert said(replies, "Ждут директора: 1. Возвращены куратору: 0.")
    assert said(replies, "Лебедева Ольга")
    # A curator cannot approve, even with the director's button data.
    approve = EntryAction(verb=Verb.APPROVE, participant_id=mentee.id, role=BankRole.MENTEE)
    assert said(await curator.press_data(approve.pack()), "утверждает только директор")

    await director.press("Вернуть куратору")
    assert said(await director.send("   "), "Напишите, что куратору нужно исправить")
    replies = await director.send("Нет даты приёма на работу")
    assert said(replies, "Возвращено куратору")
    assert said(replies, "Нет даты приёма на работу", chat_id=curator.user_id)
    assert not said(replies, "Директор вернул", chat_id=5701)
    assert said(await director.press_data(approve.pack()), "запись возвращена куратору")

    card = PersonAction(action=PersonVerb.CARD, participant_id=mentee.id).pack()
    replies = await curator.press_data(card)
    assert said(replies, "банк наставляемых: возвращено директором: Нет даты приёма на работу")
    assert said(await curator.send("/today"), "1 запись банков возвращена директором")
    replies = await curator.press("Утверждение банков")
    assert said(replies, "Возвращено директором")
    assert said(replies, "Нет даты приёма на работу")
    assert said(await curator.press("Отправить директору снова"), "снова у директора")

    replies = await director.send("/approvals")
    assert said(replies, "Раньше возвращалось: Нет даты приёма на работу")
    replies = await director.press("Утвердить")
    assert said(replies, "утверждён(а) директором")
    told = f"Директор утвердил(а) Лебедева Ольга (№{mentee.id}) в банке наставляемых"
    assert said(replies, told, chat_id=curator.user_id)
    assert not said(replies, "Директор утвердил(а)", chat_id=5701)  # not to who decided
    assert said(await curator.press_data(card), "банк наставляемых: утверждено директором")
    assert not said(await director.send("/today"), "запис")


async def test_forged_and_stale_buttons_are_refused(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        boss = await make_teacher(session, mentee=False, telegram_id=5711, full_name="Бондаренко")
        boss.staff_role = StaffRole.DIRECTOR
        await session.commit()
    director = person(5711)
    gone = EntryAction(verb=Verb.APPROVE, participant_id=99999, role=BankRole.MENTOR).pack()
    assert said(await director.press_data(gone), "Этого человека уже нет в банке")
    # The director is no mentee: no entry of theirs is in the bank of mentees.
    own = EntryAction(verb=Verb.RESUBMIT, participant_id=boss.id, role=BankRole.MENTEE).pack()
    assert said(await director.press_data(own), "Этого человека уже нет в банке")
    replies = await director.press_data("bk:ok:1:nobody")
    assert replies  # answered, not crashed


async def test_the_audit_reads_the_directors_decisions(
    curator: Person,
    person: Callable[..., Person],
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        mentee = await make_teacher(session, full_name="Лебедева Ольга")
        boss = await make_teacher(session, mentee=False, telegram_id=5721, full_name="Бондаренко")
        boss.staff_role = StaffRole.DIRECTOR
        await session.commit()
    await person(5721).press_data(
        EntryAction(verb=Verb.APPROVE, participant_id=mentee.id, role=BankRole.MENTEE).pack()
    )
    assert said(
        await curator.send("/audit"), "утвердил(а) запись (банк наставляемых): Лебедева Ольга"
    )
