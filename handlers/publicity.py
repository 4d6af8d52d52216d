"""A person's side of their data's life: the separate consent to publication on the college
site (asked when first needed, /publicity to change it), and /mydata — a file with everything
stored about them and who viewed or exported it."""

from __future__ import annotations

import json
from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from handlers.context import Context
from handlers.outcome import show_decided
from models.consent import active_consent
from models.enums import ConsentKind
from models.errors import NotRegistered
from models.participant import Participant
from models.privacy import (
    access_log,
    give_publication_consent,
    personal_data,
    withdraw_publication_consent,
)
from rendering.publicity import Publicity, publication_consent_document, publicity_question
from rendering.texts import format_time
from rendering.ui import ConsentAction, ConsentVerb, button_rows, chat_of, show_outcome

router = Router(name=__name__)


def registered(participant: Participant | None) -> Participant:
    if participant is None or not participant.is_registered:
        raise NotRegistered()
    return participant


@router.message(Command("publicity"))
async def cmd_publicity(message: Message, context: Context) -> None:
    participant = registered(context.participant)
    consent = await active_consent(context.session, participant.id, ConsentKind.PUBLICATION)
    if consent is None:
        text, markup = publicity_question(
            context.settings.organization_name, context.i18n.current_locale
        )
        await message.answer(text, reply_markup=markup)
        return
    await message.answer(
        _("Your name may be published on the college site (consent given {when}).").format(
            when=format_time(consent.given_at, context.settings.timezone)
        ),
        reply_markup=button_rows([(_("Withdraw"), Publicity(agree=False))]),
    )


@router.callback_query(Publicity.filter())
async def publicity_answered(
    query: CallbackQuery, callback_data: Publicity, context: Context
) -> None:
    participant = registered(context.participant)
    if callback_data.agree:
        document = publication_consent_document(
            context.settings.organization_name, context.i18n.current_locale
        )
        await give_publication_consent(context.session, participant, document)
        text = _(
            "Thank you: your name may appear on the college site from the next publication. "
            "/publicity withdraws it."
        )
    else:
        if await active_consent(context.session, participant.id, ConsentKind.PUBLICATION):
            await withdraw_publication_consent(context.session, participant)
        text = _(
            "Your name will not be published: the site says only «mentor» or «mentee». "
            "/publicity changes this."
        )
    await show_decided(
        query, context.stamp, _("✅ Agreed") if callback_data.agree else _("✖ Declined")
    )
    await query.answer()
    await chat_of(query).answer(text)


@router.callback_query(
    ConsentAction.filter((F.action == ConsentVerb.WITHDRAW) & (F.kind == ConsentKind.PUBLICATION))
)
async def publicity_withdrawn_from_consents(
    query: CallbackQuery, session: AsyncSession, participant: Participant | None
) -> None:
    """/consent lists this consent too; withdrawing it touches nothing else."""
    if participant is None:
        raise NotRegistered()
    await withdraw_publication_consent(session, participant)
    await show_outcome(
        query,
        _("Consent withdrawn: your name disappears from the college site at the next update."),
    )
    await query.answer()


@router.message(Command("mydata"))
async def cmd_mydata(
    message: Message,
    session: AsyncSession,
    participant: Participant | None,
    settings: Settings,
) -> None:
    """Everything stored about the person (152-FZ art. 14), and who looked at it."""
    if participant is None:
        await message.answer(_("Nothing is stored about you: you have not written to me before."))
        return
    data = await personal_data(session, participant)
    log = await access_log(session, participant)
    data["who_viewed_or_exported"] = [
        {"when": entry.created_at.isoformat(), "who": entry.actor_telegram_id, "what": entry.action}
        for entry in log
    ]
    payload = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    kinds = {
        "participant.view": _("opened your card"),
        "participant.export": _("exported your card"),
        "export.xlsx": _("exported the banks (XLSX)"),
        "docs": _("made a document with your data (DOCX)"),
    }
    lines = [
        _("Who viewed or exported your data:")
        if log
        else _("Nobody has viewed or exported your data yet.")
    ]
    lines += [
        "• {when}: {who} {what}".format(
            when=format_time(entry.created_at, settings.timezone),
            who=_("curator (id {id})").format(id=entry.actor_telegram_id),
            what=kinds.get(entry.action, escape(entry.action)),
        )
        for entry in log[:20]
    ]
    if len(log) > 20:
        lines.append(
            _("…and {count} earlier (all of them are in the file).").format(count=len(log) - 20)
        )
    await message.answer_document(
        BufferedInputFile(payload, filename="Мои_данные.json"),
        caption=_(
            "Everything the bot stores about you, table by table (JSON; any text editor opens it)."
        ),
    )
    await message.answer("\n".join(lines))
