"""/publish and `python -m bot publish`: completed programmes only, best cases, news; no
withdrawn person's name; no external assets; renders in a real browser when one is installed."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from aiogram.methods import SendDocument
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.broadcasts import send_broadcast
from models.consent import ConsentKind
from models.database import create_engine, create_session_pool, upgrade_database
from models.participant import Participant
from models.programmes import Programme, report_activity, review_activity, vote_completion
from models.withdrawal import withdraw_consent
from tests.conftest import CURATOR_ID
from tests.driver import Person
from tests.factories import CURATOR, actor, make_running_programme
from tests.mocked_bot import MockedBot


async def completed(session: AsyncSession, goal: str) -> tuple[Programme, Participant]:
    programme = await make_running_programme(session, activities=1)
    programme.goal = goal
    mentee = await session.get(Participant, programme.pair.mentee_ids[0])
    mentor = await session.get(Participant, programme.pair.mentor_id)
    assert mentee is not None
    assert mentor is not None
    await report_activity(session, actor(mentee), programme.activities[0].id, comment="x")
    await review_activity(session, actor(mentor), programme.activities[0].id, confirm=True)
    await vote_completion(session, actor(mentee), programme.id)
    await vote_completion(session, actor(mentor), programme.id)
    return programme, mentee


async def seed(session: AsyncSession) -> None:
    best, _ = await completed(session, "Освоить проектное обучение")
    best.best_case = True
    _, leaver = await completed(session, "Научиться оценивать по ФОС")
    leaver.full_name = "Скрытова Ольга"
    await session.commit()
    await withdraw_consent(session, leaver, ConsentKind.PERSONAL_DATA)
    running = await make_running_programme(session)
    running.goal = "Черновая цель, ещё не завершено"
    await session.commit()
    await send_broadcast(
        session,
        CURATOR,
        text="Семинар наставников 5 декабря",
        media=None,
        audience="all",
        rendered="x",
    )
    await send_broadcast(
        session,
        CURATOR,
        text="Только для наставников",
        media=None,
        audience="mentors",
        rendered="x",
    )


def check_page(page: str) -> None:
    assert "Освоить проектное обучение" in page
    assert "лучший кейс" in page
    assert "Научиться оценивать по ФОС" in page
    assert "Скрытова" not in page  # withdrew: the name no longer exists
    assert "Черновая цель" not in page  # not completed: not published (§11.2)
    assert "Семинар наставников 5 декабря" in page
    assert "Только для наставников" not in page
    assert "http://" not in page
    assert "https://" not in page  # no external assets
    assert str(CURATOR_ID) not in page


async def test_publish_builds_the_page(
    curator: Person, bot: MockedBot, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        await seed(session)
    await curator.send("/publish")
    await curator.press("Собрать страницу")
    (sent,) = [m for m in bot.session.requests if isinstance(m, SendDocument)]
    page = sent.document.data.decode("utf-8")
    check_page(page)
    assert page.count("лучший кейс") == 2  # the badge in "best cases" and in the full list


def write_site(tmp_path: Path) -> Path:
    """Seed a database and run `python -m bot publish --out` on it; the written index.html."""
    database = tmp_path / "site.db"

    async def prepare() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{database}")
        await upgrade_database(engine)
        async with create_session_pool(engine)() as session:
            await seed(session)
        await engine.dispose()

    asyncio.run(prepare())
    env = {
        **os.environ,
        "BOT_TOKEN": "123:CLI-token-abcdefghij",
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "publish", "--out", str(tmp_path / "site")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return tmp_path / "site" / "index.html"


def test_the_cli_writes_index_html(tmp_path: Path) -> None:
    index = write_site(tmp_path)
    check_page(index.read_text(encoding="utf-8"))


BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(BROWSER is None, reason="Chromium is not installed")
def test_a_browser_renders_the_page(tmp_path: Path) -> None:
    index = write_site(tmp_path)
    rendered = subprocess.run(
        [
            str(BROWSER),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            index.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Освоить проектное обучение" in rendered.stdout
    assert "Наставничество в цифрах" in rendered.stdout
