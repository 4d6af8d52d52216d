"""`python -m bot sandbox`: the real bot, the built-in emulator and a console driven by stdin."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiogram import Bot
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.emulator import BOT_TOKEN, FakeTelegram
from bot.factory import create_bot
from bot.sandbox.console import Console
from bot.sandbox.seed import Persona
from tests.conftest import make_settings

REGISTER_AS_MENTEE = """\
/as mentee Petrova
/start
/press Согласен
Петрова Анна Сергеевна
преподаватель
ПЦК информационных технологий
Информатика
2
/press Без категории
/press Наставляемый
/press 1
/press Готово
/press Пропустить
Вести занятия интереснее
/press Традиционное
/press Готово
/as curator
"""


def sandbox(tmp_path: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "sandbox",
            "--db",
            "sb/sandbox.db",
            "--files",
            "sb/files",
            *args,
        ],
        cwd=tmp_path,
        input=script,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_register_as_a_mentee_then_the_curator_sees_the_notice(tmp_path: Path) -> None:
    # A production .env in the same folder must not be touched.
    (tmp_path / ".env").write_text(
        "BOT_TOKEN=999:PRODUCTION-token-xxxx\nDATABASE_URL=sqlite+aiosqlite:///prod.db\n",
        encoding="utf-8",
    )
    result = sandbox(tmp_path, REGISTER_AS_MENTEE)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Sandbox ready" in out
    assert "/as curator" in out  # the help is shown on start
    assert "Спасибо, регистрация завершена!" in out
    after_switch = out.split("— now you are Куратор (curator) —", 1)[1]
    assert "Новая регистрация: Петрова Анна Сергеевна" in after_switch
    assert out.rstrip().endswith("Bye.")
    assert (tmp_path / "sb" / "sandbox.db").exists()
    assert not (tmp_path / "prod.db").exists()
    assert not (tmp_path / "data").exists()
    assert "Traceback" not in result.stderr


def test_the_demo_college(tmp_path: Path) -> None:
    script = "/who\n/as curator\n/requests\n/as mentee Petrova\n/plan\n/as mentor Smirnov\n/plan\n"
    result = sandbox(tmp_path, script, "--seed", "demo", "--fast-clock", "60")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("  mentor   ") == 4
    assert out.count("  mentee   ") == 8
    assert "заменить наставника (у куратора)" in out  # the pending replacement request
    assert "Выполнение: ▓▓▓░░░░░ 33 % (1 из 3)" in out  # Petrova's programme
    assert "⚠️ просрочено" in out  # Sokolov's overdue activity, seen by his mentor
    assert "clock ×60" in out


@asynccontextmanager
async def emulated_bot() -> AsyncIterator[tuple[FakeTelegram, Bot]]:
    """The Bot API emulator and a bot talking to it (as the sandbox's console sees them)."""
    emulator = FakeTelegram()
    await emulator.start()
    settings = make_settings("sqlite+aiosqlite:///unused.db", bot_token=BOT_TOKEN)
    settings.telegram_api_url = emulator.url
    bot = create_bot(settings)
    try:
        yield emulator, bot
    finally:
        await bot.session.close()
        await emulator.stop()


async def test_the_console_saves_documents_and_prints_the_path(tmp_path: Path) -> None:
    async with emulated_bot() as (emulator, bot):
        await bot.send_document(
            77, BufferedInputFile(b"report-bytes", "report.xlsx"), caption="Отчёт"
        )
        out = io.StringIO()
        console = Console(emulator, [Persona("curator", "Куратор", 77)], tmp_path / "files", out)
        console.switch(["curator"])
    saved = list((tmp_path / "files").iterdir())
    assert [p.read_bytes() for p in saved] == [b"report-bytes"]
    assert f"📎 saved to {saved[0]}" in out.getvalue()
    assert "🤖 Отчёт" in out.getvalue()


async def test_the_console_shows_alerts_toasts_and_messages_that_come_later(
    tmp_path: Path,
) -> None:
    out = io.StringIO()
    async with emulated_bot() as (emulator, bot):
        console = Console(emulator, [Persona("curator", "Куратор", 77)], tmp_path / "files", out)

        async def answer_next_press(text: str, alert: bool) -> None:
            offset = None
            while True:
                for update in await bot.get_updates(offset=offset, timeout=1):
                    offset = update.update_id + 1
                    if update.callback_query is not None:
                        await bot.answer_callback_query(
                            update.callback_query.id, text=text, show_alert=alert
                        )
                        # confirmed, as aiogram does
                        await bot.get_updates(offset=offset, timeout=0)
                        return

        async def typed_later() -> AsyncIterator[str]:
            yield "/as curator"
            await bot.send_message(77, "Напоминание: срок завтра")  # arrives between lines
            await asyncio.sleep(1.5)
            yield "/who"

        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Утвердить", callback_data="x")]]
        )
        await bot.send_message(77, "Программа №1", reply_markup=markup)
        console.switch(["curator"])
        answering = asyncio.create_task(answer_next_press("Уже решено: утверждено", True))
        await console.press("1")
        await answering
        answering = asyncio.create_task(answer_next_press("Сохранено", False))
        await console.press("Утвердить")
        await answering
        await console.run(typed_later())
    text = out.getvalue()
    assert "⚠ alert: Уже решено: утверждено" in text
    assert "💬 toast: Сохранено" in text
    # Shown by the watcher before the next typed line («/who» prints «→ curator»).
    assert text.index("🤖 Напоминание: срок завтра") < text.index("→ curator")


async def test_a_reply_after_a_long_silence_still_answers_the_typed_line(tmp_path: Path) -> None:
    """On a busy machine a handler may work for more than the console's second of quiet
    before it replies: while the dispatcher still has the update in hand the console waits,
    so the reply is shown after the line that asked for it, not under the next persona
    (the demo college's /plan was lost that way once in the suite)."""
    out = io.StringIO()
    handling = 0
    async with emulated_bot() as (emulator, bot):

        async def slow_reply() -> None:
            nonlocal handling
            offset = None
            while True:
                for update in await bot.get_updates(offset=offset, timeout=1):
                    offset = update.update_id + 1
                    handling = 1
                    await bot.get_updates(offset=offset, timeout=0)  # taken and confirmed
                    await asyncio.sleep(1.6)  # working, silent, longer than a second
                    await bot.send_message(77, "План на неделю")
                    handling = 0
                    return

        console = Console(
            emulator,
            [Persona("curator", "Куратор", 77)],
            tmp_path / "files",
            out,
            in_flight=lambda: handling,
        )
        console.switch(["curator"])
        replying = asyncio.create_task(slow_reply())
        await console.handle("/plan")
        assert "🤖 План на неделю" in out.getvalue()
        await replying
