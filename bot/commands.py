"""Telegram command menus: participants' for everyone, an extended one in curators' chats."""

from __future__ import annotations

import logging
from collections.abc import Collection

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n

from models.i18n_marker import N_

logger = logging.getLogger(__name__)

PARTICIPANT_COMMANDS = (
    ("start", N_("Start or continue registration")),
    ("plan", N_("My programme and its progress")),
    ("done", N_("Report an activity done")),
    ("meeting", N_("Log a meeting in the journal")),
    ("ask", N_("Ask my mentor a question")),
    ("propose", N_("Propose an improvement to the programme")),
    ("request", N_("A request to the curator")),
    ("mentors", N_("Choose a mentor (mentees) or be shown to mentees (mentors)")),
    ("library", N_("The methodical library: materials, memos, practices")),
    ("mentee", N_("My mentee's card; propose encouragement or a contest (mentor)")),
    ("comentor", N_("Co-mentors: teachers who help my mentee (§7.1.1)")),
    ("programme", N_("Draft the programme (mentor)")),
    ("profile", N_("My profile and questionnaire")),
    ("consent", N_("My consents: view or withdraw")),
    ("publicity", N_("My name on the college site: yes or no")),
    ("mydata", N_("Everything stored about me, and who viewed it")),
    ("lang", N_("Language / Язык")),
    ("help", N_("What the bot can do")),
    ("cancel", N_("Cancel the current action")),
)
CURATOR_COMMANDS = (
    ("today", N_("What needs my attention today")),
    ("participants", N_("The banks of mentors and mentees")),
    ("departments", N_("The directory of departments (ПЦК)")),
    ("pair", N_("Form a mentoring pair or group")),
    ("requests", N_("Requests waiting for a decision")),
    ("programmes", N_("Programmes by status, with progress")),
    ("candidates", N_("Mentor candidates awaiting a decision")),
    ("approvals", N_("Bank entries the director returned")),
    ("invite", N_("An invitation link that preselects the role")),
    ("stafflist", N_("The yearly list of teachers: import, links, who is missing")),
    ("roadmap", N_("The year's roadmap: stages, events, attendance")),
    ("endprogramme", N_("End a programme for non-performance")),
    ("report", N_("Monitoring report with a chart")),
    ("broadcast", N_("A message to everyone, mentors, mentees or a department")),
    ("export", N_("Everything as an XLSX workbook")),
    ("docs", N_("Documents: order, programme, questionnaire analysis")),
    ("publish", N_("The page for the college site")),
    ("role", N_("Grant or revoke the curator or director role")),
    ("audit", N_("Latest actions of curators")),
)


# The director's own menu (§6.3): approvals, orders, applications, monitoring.
DIRECTOR_COMMANDS = (
    ("today", N_("What waits for the director")),
    ("roadmap", N_("The year's roadmap: approve it")),
    ("approvals", N_("Approve the banks of mentors and mentees")),
    ("requests", N_("Applications and pairs waiting for the order")),
    ("participants", N_("The banks of mentors and mentees")),
    ("stafflist", N_("The yearly list of teachers")),
    ("report", N_("Monitoring report with a chart")),
    ("docs", N_("Documents: order, programme, questionnaire analysis")),
    ("audit", N_("Latest actions of curators")),
)


def _menu(i18n: I18n, locale: str, *, curator: bool, director: bool = False) -> list[BotCommand]:
    staff = DIRECTOR_COMMANDS if director else CURATOR_COMMANDS if curator else ()
    entries = PARTICIPANT_COMMANDS + staff
    return [
        BotCommand(command=name, description=i18n.gettext(description, locale=locale))
        for name, description in entries
    ]


async def set_bot_commands(
    bot: Bot, i18n: I18n, curator_ids: list[int], director_ids: Collection[int] = ()
) -> None:
    """The default-language menu plus one per other locale (Telegram picks by client language)."""
    for locale in i18n.available_locales:
        language = None if locale == i18n.default_locale else locale
        await bot.set_my_commands(
            _menu(i18n, locale, curator=False),
            scope=BotCommandScopeDefault(),
            language_code=language,
        )
        for chat_id in curator_ids:
            try:
                await bot.set_my_commands(
                    _menu(i18n, locale, curator=True, director=chat_id in director_ids),
                    scope=BotCommandScopeChat(chat_id=chat_id),
                    language_code=language,
                )
            except TelegramAPIError as error:  # the curator has not opened the bot yet
                logger.warning("curator menu not set for chat %s: %s", chat_id, error.message)


async def remove_curator_menu(bot: Bot, i18n: I18n, chat_id: int) -> None:
    """A role revoked or ended with consent: the chat falls back to the participants' menu."""
    for locale in i18n.available_locales:
        language = None if locale == i18n.default_locale else locale
        try:
            await bot.delete_my_commands(
                scope=BotCommandScopeChat(chat_id=chat_id), language_code=language
            )
        except TelegramAPIError as error:
            logger.warning("curator menu not removed for chat %s: %s", chat_id, error.message)
