"""The chat side of issue 17: the curator keeps the site section and publishes it to
PUBLISH_DIR; a person agrees to (or withdraws) publication; /mydata gives the person their
data and who viewed it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram.methods import SendDocument
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from models.audit import AuditEntry
from models.consent import Consent, active_consent
from models.enums import ConsentKind, ParticipantStatus
from models.participant import Participant
from models.programmes import Programme
from rendering.views import day
from tests.conftest import make_settings
from tests.driver import Person, said, texts
from tests.factories import college_today, make_running_programme, make_teacher
from tests.mocked_bot import MockedBot
from tests.scheduler.test_privacy import finish


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, publish_dir=str(tmp_path / "www" / "mentoring"))


def documents(bot: MockedBot) -> list[SendDocument]:
    return [m for m in bot.session.requests if isinstance(m, SendDocument)]


async def test_the_curator_keeps_the_section_and_publishes_it(
    curator: Person,
    bot: MockedBot,
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        programme = await make_running_programme(session, activities=1)
        programme.goal = "Наставничество в проектной деятельности"
        await session.commit()
        await finish(session, programme)
    await curator.send("/publish")
    await curator.press("Анонс мероприятия")
    assert said(await curator.send("31.02.2027"), "Такой даты нет")  # a wrong date: asked again
    await curator.send(day(college_today() + timedelta(days=100)))  # ahead whenever it runs
    assert said(await curator.send("Фестиваль открытых уроков\nАктовый зал"), "Добавлено")
    await curator.send("/publish")
    await curator.press("Нормативная база: документ или ссылка")
    await curator.send("Приказ № 62 об утверждении Положения\nhttps://mttk.example/order62.pdf")
    await curator.send("/publish")
    assert said(await curator.press("☆ №"), "после утверждения её описания")  # nothing to show
    await curator.send("/publish")
    await curator.press("Описать лучшую практику")
    await curator.send("Научиться проектной деятельности со студентами")
    await curator.send("Пара разработала три проекта со студентами.")
    await curator.send("Три проекта защищены на конференции колледжа")
    assert said(await curator.send("Начинать с малого проекта"), "Утвердите описание")
    assert said(await curator.press("Утвердить"), "Утверждено: лучший кейс")
    await curator.send("/publish")
    await curator.press("⭐ №")  # taken off the site and put back: the mark is the curator's
    await curator.press("☆ №")
    await curator.send("/publish")
    await curator.press("Опубликовать на сайте")
    out = settings.publish_dir
    assert out is not None
    pages = {p.name: p.read_text("utf-8") for p in out.iterdir()}
    assert len(pages) == 7
    assert "Фестиваль открытых уроков" in pages["news.html"]
    assert 'href="https://mttk.example/order62.pdf"' in pages["documents.html"]
    assert "три проекта" in pages["best-cases.html"]
    assert "Наставничество в проектной деятельности" in pages["best-cases.html"]
    async with session_pool() as session:
        actions = set(await session.scalars(select(AuditEntry.action)))
    assert {"site.add", "case.write", "case.approve", "publish.best_case", "publish"} <= actions


async def test_publication_consent_is_separate_and_withdrawn_alone(
    person: Callable[..., Person], session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        teacher = await make_teacher(session, full_name="Согласнова Ирина")
    me = person(teacher.telegram_id)
    shown = texts(await me.send("/publicity"))[-1]
    assert "Согласие на публикацию" in shown
    await me.press("Согласен(на)")
    async with session_pool() as session:
        consent = await active_consent(session, teacher.id, ConsentKind.PUBLICATION)
        assert consent is not None
        assert consent.version == "pub-2026.1"
        assert consent.text_hash == hashlib.sha256(shown.encode()).hexdigest()
    await me.send("/consent")
    await me.press("Отозвать: Согласие на публикацию")
    async with session_pool() as session:
        assert await active_consent(session, teacher.id, ConsentKind.PUBLICATION) is None
        assert await active_consent(session, teacher.id, ConsentKind.PERSONAL_DATA)
        person_row = await session.get(Participant, teacher.id)
        assert person_row.status == ParticipantStatus.ACTIVE
        kinds = [c.kind for c in await session.scalars(select(Consent))]
    assert kinds.count(ConsentKind.PUBLICATION) == 1


async def test_mydata_sends_everything_and_who_looked(
    person: Callable[..., Person],
    curator: Person,
    bot: MockedBot,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    async with session_pool() as session:
        programme = await make_running_programme(session)
        mentee = await session.get(Participant, programme.pair.mentee_ids[0])
        mentee.full_name = "Смотрова Елена"
        await session.commit()
        telegram_id, programme_id = mentee.telegram_id, programme.id
    me = person(telegram_id)
    assert said(await me.send("/mydata"), "ещё никто не просматривал")
    await curator.send("/participants")
    await curator.press("Смотрова Елена")  # the curator opens the card
    await curator.send("/export")
    before = len(documents(bot))
    replies = texts(await me.send("/mydata"))
    (sent,) = documents(bot)[before:]
    data = json.loads(sent.document.data)
    assert data["participants"][0]["full_name"] == "Смотрова Елена"
    assert [row["id"] for row in data["programmes"]] == [programme_id]
    assert {c["kind"] for c in data["consents"]} == {"personal_data"}
    assert [e["what"] for e in data["who_viewed_or_exported"]] == [
        "export.xlsx",
        "participant.view",
    ]
    assert any("открыл(а) вашу карточку" in r and "выгрузил(а) базы" in r for r in replies)
    async with session_pool() as session:
        assert await session.get(Programme, programme_id) is not None
