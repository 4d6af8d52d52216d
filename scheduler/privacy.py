"""The personal-data job (152-FZ): asks for the publication consent when it is first needed
(a person's programme is completed), tells people and curators before their data is erased,
and erases it `RETENTION_DAYS` after their participation ends. Everything it sends goes through
the outbox under a unique key, so repeated runs and several processes act once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from html import escape

from aiogram.fsm.storage.base import BaseStorage
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.forms import forget_forms_of, scrub_forms
from models.consent import Consent
from models.enums import ConsentKind, ParticipantStatus, ProgrammeStatus
from models.erasure import ERASED_TRACES
from models.outbox import enqueue
from models.pairs import Pair, PairMember
from models.participant import Participant, curator_telegram_ids, locales_of
from models.privacy import erase_after_retention, retention_due
from models.programmes import Programme
from rendering.publicity import publicity_question
from rendering.views import day
from scheduler.clock import Clock

logger = logging.getLogger(__name__)

# Retention counts in days: a run every quarter of an hour is more than enough.
INTERVAL_SECONDS = 900.0
# Its first run waits until the bot's start (catch-up sweep, first updates) is over.
FIRST_RUN_AFTER = 120.0


def _erasure_soon(name: str, when: str) -> str:
    return _(
        "The personal data of {name} will be erased on {date}: their participation "
        "has ended. Documents and statistics keep only anonymised figures."
    ).format(name=name, date=when)


def _erased(participant_id: int) -> str:
    return _(
        "The personal data of participant №{id} has been erased: the period for "
        "keeping it after their participation ended has passed."
    ).format(id=participant_id)


async def _ask_publication(
    session: AsyncSession, settings: Settings, i18n: I18n, now: datetime
) -> int:
    """Everyone in a completed programme who has never answered gets the question once."""
    completed = select(Programme.pair_id).where(Programme.status == ProgrammeStatus.COMPLETED)
    people = set(await session.scalars(select(Pair.mentor_id).where(Pair.id.in_(completed))))
    people |= set(
        await session.scalars(
            select(PairMember.mentee_id).where(
                PairMember.pair_id.in_(completed), PairMember.declined_at.is_(None)
            )
        )
    )
    answered = set(
        await session.scalars(
            select(Consent.participant_id).where(Consent.kind == ConsentKind.PUBLICATION)
        )
    )
    queued = 0
    for person in await session.scalars(
        select(Participant).where(
            Participant.id.in_(people - answered),
            Participant.status == ParticipantStatus.ACTIVE,
        )
    ):
        locale = person.locale or settings.default_locale
        with i18n.context(), i18n.use_locale(locale):
            text, markup = publicity_question(settings.organization_name, locale)
            text = _("Your mentoring programme is completed. One question:") + "\n\n" + text
        queued += await enqueue(
            session,
            key=f"publicity:{person.id}",
            kind="publicity",
            chat_id=person.telegram_id,
            text=text,
            reply_markup=markup.model_dump(exclude_none=True),
            now=now,
        )
    return queued


async def personal_data_job(
    session_pool: async_sessionmaker[AsyncSession],
    settings: Settings,
    i18n: I18n,
    clock: Clock,
    forms: tuple[BaseStorage, int] | None = None,
) -> int:
    """One run: questions, notices and erasures that are due; returns how many happened.
    `forms` (the FSM storage and the bot's id): unfinished forms outside the database lose
    an erased person's traces too (bot.forms), as after a withdrawal."""
    now = clock.now()
    done = 0
    async with session_pool() as session:
        done += await _ask_publication(session, settings, i18n, now)
        notify, erase = await retention_due(
            session, now, settings.retention_days, settings.retention_notice_days
        )
        curators = await curator_telegram_ids(session, settings.curator_ids)
        locales = await locales_of(session, curators)

        async def tell_curators(key: str, render: Callable[[], str]) -> int:
            sent = 0
            for chat_id in curators:
                with (
                    i18n.context(),
                    i18n.use_locale(locales.get(chat_id) or settings.default_locale),
                ):
                    text = render()
                sent += await enqueue(
                    session,
                    key=f"{key}:{chat_id}",
                    kind="retention",
                    chat_id=chat_id,
                    text=text,
                    now=now,
                )
            return sent

        for due in notify:
            person = due.participant
            when = day(due.erase_at.astimezone(settings.timezone).date())
            with i18n.context(), i18n.use_locale(person.locale or settings.default_locale):
                text = _(
                    "Your participation in the mentoring programme has ended. Under the consent "
                    "you gave, your personal data (profile, questionnaires, reports, messages) "
                    "will be erased on {date}. /mydata sends you a copy before that; if you "
                    "take part again (a new pair), nothing is erased."
                ).format(date=when)
            key = f"retention-notice:{person.id}:{due.ended_at.date().isoformat()}"
            done += await enqueue(
                session, key=key, kind="retention", chat_id=person.telegram_id, text=text, now=now
            )
            name = escape(person.display_name)
            done += await tell_curators(
                key,
                partial(_erasure_soon, name, when),
            )
        await session.commit()
        for due in erase:
            person = due.participant
            if not await erase_after_retention(session, person, now):
                continue
            done += 1
            with i18n.context(), i18n.use_locale(person.locale or settings.default_locale):
                text = _(
                    "Your personal data has been erased: the period for keeping it after your "
                    "participation in the mentoring programme ended has passed. Thank you for "
                    "taking part!"
                )
            await enqueue(
                session,
                key=f"retention-erased:{person.id}",
                kind="retention",
                chat_id=person.telegram_id,
                text=text,
                now=now,
            )
            await tell_curators(
                f"retention-erased:{person.id}",
                partial(_erased, person.id),
            )
            await session.commit()
            traces = session.info.pop(ERASED_TRACES, [])
            if forms is not None:  # other people's drafts keep no trace; their own is dropped
                storage, bot_id = forms
                await scrub_forms(storage, traces)
                await forget_forms_of(storage, bot_id, person.telegram_id)
    if done:
        logger.info("personal data job: %d question(s), notice(s) or erasure(s)", done)
    return done
