"""The yearly list's mark (§6.4.2) in pairing and the export: those to be mentored this year
come first in /pair, marked 📋; the bank of mentees in the workbook has the year."""

from __future__ import annotations

import io
from datetime import datetime

from aiogram.methods import SendDocument
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from models.statistics import academic_year
from tests.driver import Person, buttons
from tests.factories import make_teacher
from tests.mocked_bot import MockedBot


async def test_listed_mentees_come_first_and_are_exported(
    curator: Person,
    bot: MockedBot,
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    year = academic_year(datetime.now(settings.timezone).date())[0].year
    async with session_pool() as session:
        await make_teacher(session, full_name="Акимова Ирина")  # registered first, not listed
        listed = await make_teacher(session, full_name="Яковлева Ольга")
        listed.include_year = year
        await session.commit()
    await curator.send("/pair")
    _message_id, markup = curator.last_markup()
    labels = [label for label, _data in buttons(markup)]
    assert labels[0].startswith("📋 Яковлева Ольга")
    assert labels[1].startswith("Акимова Ирина")

    await curator.send("/export")
    (document,) = [m for m in bot.session.requests if isinstance(m, SendDocument)]
    sheet = load_workbook(io.BytesIO(document.document.data))["Банк наставляемых"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("В списке на наставничество, год (п. 6.4.2)")
    years = {row[1]: row[column] for row in rows[1:]}
    assert years == {"Акимова Ирина": None, "Яковлева Ольга": year}
