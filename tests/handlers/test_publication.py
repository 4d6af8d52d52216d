"""The college site section (§11.1, §11.2, §12.2): /publish with preview, `python -m bot
publish --out DIR`; names only under the publication consent (searched in every file), a
broadcast is news only when chosen, every page renders in a real browser with no console
error and no request to another host (screenshots kept in artefacts/site-screenshots)."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socketserver
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram.methods import SendDocument
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.publication import PAGES, page_file
from models.best_cases import approve_description, write_description
from models.broadcasts import Broadcast, send_broadcast
from models.consent import ConsentKind
from models.database import create_engine, create_session_pool, upgrade_database
from models.participant import Participant
from models.privacy import give_publication_consent, withdraw_publication_consent
from models.programmes import Programme, report_activity, review_activity, vote_completion
from models.site import SiteKind, add_item
from models.withdrawal import withdraw_consent
from tests.conftest import CURATOR_ID
from tests.driver import Person, buttons, said
from tests.factories import CURATOR, actor, college_today, document, make_running_programme
from tests.mocked_bot import MockedBot

ARTEFACTS = Path(__file__).resolve().parents[2] / "artefacts" / "site-screenshots"


async def people_of(session: AsyncSession, programme: Programme) -> list[Participant]:
    ids = [programme.pair.mentor_id, *programme.pair.mentee_ids]
    return [await session.get(Participant, i) for i in ids]  # type: ignore[misc]


async def completed(session: AsyncSession, goal: str, mentor: str, mentee: str) -> Programme:
    programme = await make_running_programme(session, activities=1)
    programme.goal = goal
    teacher, learner = await people_of(session, programme)
    teacher.full_name, learner.full_name = mentor, mentee
    await session.commit()
    await report_activity(session, actor(learner), programme.activities[0].id, comment="x")
    await review_activity(session, actor(teacher), programme.activities[0].id, confirm=True)
    await vote_completion(session, actor(learner), programme.id)
    await vote_completion(session, actor(teacher), programme.id)
    return programme


async def agree(session: AsyncSession, person: Participant) -> None:
    await give_publication_consent(session, person, document(ConsentKind.PUBLICATION))


# Names that may be published (consent given) and names that must appear nowhere.
PUBLIC = ["Громова Светлана", "Жукова Дарья"]
SECRET = [
    "Тихонов Аркадий",  # mentee of the best case, no publication consent
    "Скрытова Ольга",  # withdrew the personal-data consent
    "Беляев Кирилл",  # mentor of the running programme, no publication consent
    "Лосева Инна",  # gave the publication consent and withdrew it
]


async def seed(session: AsyncSession) -> None:
    best = await completed(
        session, "Освоить проектное обучение", "Громова Светлана", "Тихонов Аркадий"
    )
    mentor, _ = await people_of(session, best)
    await agree(session, mentor)
    await write_description(
        session,
        CURATOR,
        best.id,
        {
            "goal": "Освоить проектное обучение на практике",
            "done": "Тихонов Аркадий провёл открытый урок по проекту; Громова Светлана вела пару.",
            "results": "Три проекта студентов",
            "lessons": "Начинать с малого проекта",
        },
        [],
    )
    await approve_description(session, CURATOR, best.id)
    other = await completed(session, "Научиться оценивать по ФОС", "Лосева Инна", "Скрытова Ольга")
    loser, leaver = await people_of(session, other)
    await agree(session, loser)
    await withdraw_publication_consent(session, loser)
    await withdraw_consent(session, leaver, ConsentKind.PERSONAL_DATA)
    running = await make_running_programme(session)
    running.goal = "Цифровые инструменты на уроке"
    teacher, learner = await people_of(session, running)
    teacher.full_name, learner.full_name = "Беляев Кирилл", "Жукова Дарья"
    await session.commit()
    await agree(session, learner)
    await send_broadcast(
        session,
        CURATOR,
        text="Семинар наставников 5 декабря",
        media=None,
        audience="all",
        rendered="x",
        publish=True,
    )
    await send_broadcast(
        session,
        CURATOR,
        text="Кабинет 214 закрыт на ремонт",
        media=None,
        audience="all",
        rendered="x",
    )
    await add_item(
        session,
        CURATOR,
        SiteKind.LEGAL,
        "Распоряжение Минпросвещения России от 25.12.2019 № Р-145\n"
        "Методология (целевая модель) наставничества\nhttps://docs.cntd.ru/document/564231112",
    )
    await add_item(session, CURATOR, SiteKind.METHOD, "Памятка наставнику\nКак вести журнал встреч")
    await add_item(
        session,
        CURATOR,
        SiteKind.ANNOUNCEMENT,
        "Фестиваль открытых уроков\nАктовый зал, 14:00",
        event_date=college_today() + timedelta(days=20),
    )
    await add_item(
        session, CURATOR, SiteKind.NEWS, "Итоги первого полугодия\nЗавершены две программы"
    )


def check_section(files: dict[str, str]) -> None:
    """The whole section, whatever the split into files."""
    everything = "\n".join(files.values())
    for text in (
        "Освоить проектное обучение",  # completed: results (§11.2)
        "лучший кейс",
        "провёл открытый урок",  # the best case's description
        "Цифровые инструменты на уроке",  # running: topic, form, period, progress
        "0 / 3",
        "Семинар наставников 5 декабря",  # promoted on purpose
        "Итоги первого полугодия",  # written by the curator
        "Фестиваль открытых уроков",  # an announcement
        "Р-145",  # the legal base
        "Памятка наставнику",  # a methodical recommendation
        "ПЦК информационных технологий",  # banks by department
        *PUBLIC,
    ):
        assert text in everything, text
    assert "Кабинет 214" not in everything  # a broadcast not chosen for the site
    assert str(CURATOR_ID) not in everything
    for name in SECRET:
        for fragment in (name, name.split()[0]):
            for file, html in files.items():
                assert fragment not in html, (fragment, file)
    for html in files.values():
        # nothing loaded from anywhere: no scripts, styles, images or fonts from a URL
        assert not re.search(r"<(script|link|img|iframe)\b", html)
        assert "url(" not in html
        assert "@import" not in html


async def test_preview_in_chat_has_the_whole_section(
    curator: Person, bot: MockedBot, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        await seed(session)
    menu = await curator.send("/publish")
    # no PUBLISH_DIR in the tests' settings: no «Publish» button, and she is told what to do
    assert said(menu, "Публикация прямо на сайт не настроена (PUBLISH_DIR)")
    assert not [label for label, _ in buttons(curator.last_markup()[1]) if "Опубликовать" in label]
    await curator.press("Предпросмотр раздела")
    (sent,) = [m for m in bot.session.requests if isinstance(m, SendDocument)]
    page = sent.document.data.decode("utf-8")
    check_section({"preview": page})
    assert "ПОЛОЖЕНИЕ" in page  # §12.2: the bundled regulation
    # a name that may not be published is said to be so, not replaced by the role's word
    assert "Наставник: имя не публикуется · Наставляемый: Жукова Дарья" in page
    assert "Наставник: наставник" not in page
    assert "выполнено мероприятий: 0 / " in page  # no numeral before a plural noun
    for slug in PAGES:
        assert f'href="#{slug}"' in page
        assert f'id="{slug}"' in page


async def test_a_broadcast_becomes_news_only_when_chosen(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        await make_running_programme(session)
    for text, tick in (("Внутреннее: кабинет 214", False), ("Открытый семинар", True)):
        await curator.send("/broadcast")
        await curator.send(text)
        await curator.press("Всем")
        if tick:
            await curator.press("☐ Опубликовать на сайте колледжа как новость")
            _, markup = curator.last_markup()
            assert markup.inline_keyboard[0][0].text.startswith("☑")
        await curator.press("Отправить")
    async with session_pool() as session:
        published = {b.text: b.published for b in await session.scalars(select(Broadcast))}
    assert published == {"Внутреннее: кабинет 214": False, "Открытый семинар": True}


def publish_cli(tmp_path: Path, **env: str) -> Path:
    """Seed a database and run `python -m bot publish --out` on it; the folder."""
    database = tmp_path / "site.db"

    async def prepare() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{database}")
        await upgrade_database(engine)
        async with create_session_pool(engine)() as session:
            await seed(session)
        await engine.dispose()

    asyncio.run(prepare())
    out = tmp_path / "www" / "mentoring"
    out.mkdir(parents=True)
    (out / "old-page.html").write_text("stale")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "publish", "--out", str(out)],
        cwd=tmp_path,
        env={
            **os.environ,
            "BOT_TOKEN": "123:CLI-token-abcdefghij",
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out


def test_the_cli_writes_every_page(tmp_path: Path) -> None:
    regulation = tmp_path / "approved.md"
    regulation.write_text("# Положение (редакция 2027)\n\nУтверждено приказом № 1.\n")
    out = publish_cli(tmp_path, REGULATION_FILE=str(regulation))
    files = {path.name: path.read_text("utf-8") for path in out.rglob("*") if path.is_file()}
    assert sorted(files) == sorted(page_file(slug) for slug in PAGES)  # the stale page is gone
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".publish-")]
    check_section(files)
    assert "Утверждено приказом № 1." in files["regulation.html"]  # replaceable (§12.2)
    for name, html in files.items():
        for target in re.findall(r'href="([^"#:]+)"', html):
            assert (out / target).is_file(), (name, target)  # the navigation leads somewhere
        assert html.count("<h1") == 1
        assert 'aria-current="page"' in html


# ----------------------------------------------------------------- a real browser

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


# Chromium's own services, which it calls whatever the page shows (the flags below switch off
# most of them); matched by exact host, so a page's font or script from any other Google host
# (fonts.googleapis.com, ajax.googleapis.com, …) still counts. check_section() also proves the
# HTML has no <script>, <link>, <img>, <iframe>, url( or @import at all.
BROWSER_OWN = re.compile(
    r"^(CONNECT|GET|POST) (http://)?(update\.googleapis\.com|accounts\.google\.com"
    r"|clients2\.google\.com)[:/]"
)


class Recorder(socketserver.ThreadingTCPServer):
    """A proxy that answers nothing and writes down every request the browser makes."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.seen: list[str] = []
        recorder = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                recorder.seen.append(self.rfile.readline().decode("latin-1").strip())

        super().__init__(("127.0.0.1", 0), Handler)


def render(page: Path, screenshot: Path, profile: Path, proxy: int) -> str:
    """Chromium renders the page and saves a screenshot; its log (console messages) back."""
    result = subprocess.run(
        [
            str(BROWSER),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--no-pings",
            "--no-service-autorun",
            "--disable-breakpad",
            "--disable-signin-promo",
            "--disable-client-side-phishing-detection",
            "--disable-domain-reliability",
            "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,"
            "Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater,"
            "SigninInterception,DiceWebSigninInterception,AccountConsistency",
            f"--user-data-dir={profile}",
            f"--proxy-server=http://127.0.0.1:{proxy}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2000",
            f"--screenshot={screenshot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert screenshot.is_file(), result.stderr
    return result.stderr


@pytest.mark.skipif(BROWSER is None, reason="Chromium is not installed")
def test_a_browser_renders_every_page(tmp_path: Path) -> None:
    out = publish_cli(tmp_path)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with Recorder() as proxy:
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        port = proxy.server_address[1]
        # The checks can fail: a page that loads an image from a host and logs an error.
        control = tmp_path / "control.html"
        control.write_text(
            '<!DOCTYPE html><img src="http://example.org/x.png" alt="x">'
            '<script>console.error("control-error")</script>'
        )
        log = render(control, tmp_path / "control.png", tmp_path / "profile", port)
        assert "control-error" in log
        assert any("example.org" in line for line in proxy.seen)
        proxy.seen.clear()
        for slug in PAGES:
            shot = ARTEFACTS / f"{slug}.png"
            shot.unlink(missing_ok=True)
            log = render(out / page_file(slug), shot, tmp_path / "profile", port)
            console = [line for line in log.splitlines() if "CONSOLE" in line]
            assert not console, (slug, console)
            assert shot.stat().st_size > 10_000  # something was drawn
        # (a connection Chromium opens ahead and closes unused sends no request line at all)
        page_requests = [line for line in proxy.seen if line and not BROWSER_OWN.search(line)]
        assert page_requests == []  # no request to any host
        proxy.shutdown()


@pytest.mark.skipif(BROWSER is None, reason="Chromium is not installed")
def test_pages_print_without_the_menu(tmp_path: Path) -> None:
    """Printed (Chromium's PDF), a page keeps its content and drops the menu and skip link."""
    out = publish_cli(tmp_path)
    pdf = tmp_path / "programmes.pdf"
    subprocess.run(
        [
            str(BROWSER),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            (out / "programmes.html").as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Цифровые инструменты на уроке" in text
    assert "Освоить проектное обучение" in text
    for menu_only in ("Перейти к содержанию", "Нормативная база и методические рекомендации"):
        assert menu_only not in text
