"""Rendering of longer texts: consent documents, profile cards, help. HTML parse mode."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.commands import CURATOR_COMMANDS
from models import formatting
from models.consent import CONSENT_VERSIONS, Consent, ConsentDocument
from models.enums import ConsentKind
from models.fields import FIELDS, MENTEE_KEYS, MENTOR_KEYS, PROFILE_KEYS
from models.participant import Participant
from rendering.ui import label


def consent_document(kind: ConsentKind, organization: str, i18n: I18n) -> ConsentDocument:
    """The consent text in the current language, with its version (the hash is of this text)."""
    version = CONSENT_VERSIONS[kind]
    if kind == ConsentKind.PERSONAL_DATA:
        text = _(
            "<b>Consent to the processing of personal data</b>\n\n"
            "I, the user of this Telegram account, freely, of my own will and in my own "
            "interest, give the personal data operator ({organization}) my consent to process "
            "my personal data under Federal Law No. 152-FZ of 27.07.2006 «On Personal Data».\n\n"
            "<b>Data:</b> full name; position; department (cycle commission); subjects taught; "
            "teaching experience; qualification category; answers to the mentee and mentor "
            "questionnaires; my Telegram user id; records of my participation in the mentoring "
            "programme (pairs, programmes, activities, requests, questionnaires).\n\n"
            "<b>Purpose:</b> organising the mentoring system for teachers under the college's "
            "Regulation: keeping the banks of mentors and mentees, forming pairs and groups, "
            "drafting and monitoring personalised programmes, reporting.\n\n"
            "<b>Actions:</b> collection, recording, systematisation, storage, clarification, use, "
            "transfer to the director and the curator of the mentoring programmes, "
            "anonymisation, deletion; with and without automation.\n\n"
            "<b>Term:</b> until my participation in the programme ends or until I withdraw this "
            "consent. I may withdraw it at any time with the /consent command; my personal data "
            "will then be erased.\n\n"
            "Version {version}."
        ).format(organization=escape(organization), version=version)
    else:
        text = _(
            "<b>Consent to act as a mentor</b>\n\n"
            "I agree to be included in the bank of mentors ({organization}) and to be appointed "
            "by the director's order as a mentor of teachers under the Regulation on the "
            "mentoring system (§6.2), taking on the additional duties of a mentor: drafting "
            "and carrying out personalised mentoring programmes, checking my mentees' "
            "activities, taking part in monitoring.\n\n"
            "I understand that participation is voluntary and that I may ask the curator to "
            "release me from mentoring (§7.1.3) or withdraw this consent with /consent.\n\n"
            "Version {version}."
        ).format(organization=escape(organization), version=version)
    return ConsentDocument(kind=kind, version=version, text=text, locale=i18n.current_locale)


def intro_text(organization: str) -> str:
    return _(
        "Hello! I am <b>Наставник</b>, the assistant of the teacher-mentoring programme "
        "({organization}).\n\n"
        "Teachers who want support (mentees) and experienced colleagues (mentors) register "
        "here; the curator forms mentoring pairs; each pair follows its personalised "
        "programme: activities with deadlines, reports, requests to the curator.\n\n"
        "First, please read the consent to the processing of personal data below. Nothing "
        "about you is stored until you agree."
    ).format(organization=escape(organization))


CARD_VALUE_LIMIT = 300  # keeps a full card well under Telegram's 4096 characters


def capitalised(text: str) -> str:
    """«заменить наставника» as a button's label: «Заменить наставника» (the rest as it is)."""
    return text[:1].upper() + text[1:]


def shorten(text: str, limit: int = CARD_VALUE_LIMIT) -> str:
    """At most `limit` characters, «…» at the end; cut between words where one ends in the
    last third («Выстроить систему оценивания и…», not «…и подготови»)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:—–-") + "…"


def format_value(key: str, value: object, *, limit: int = CARD_VALUE_LIMIT) -> str:
    spec = FIELDS[key]
    if value in (None, "", []):
        return "—"
    if spec.kind == "multi":
        codes = value if isinstance(value, list | tuple) else [value]
        return ", ".join(label(spec.option(str(code))) for code in codes)
    if spec.kind == "choice":
        return label(spec.option(str(value)))
    return escape(shorten(str(value), limit))


def _lines(keys: tuple[str, ...], source: object) -> list[str]:
    return [f"{_(FIELDS[key].label)}: {format_value(key, getattr(source, key))}" for key in keys]


def profile_card(participant: Participant) -> str:
    parts = ["<b>" + _("Profile") + "</b>", *_lines(PROFILE_KEYS, participant)]
    if participant.mentee_profile is not None:
        parts += ["", "<b>" + _("Mentee questionnaire") + "</b>"]
        parts += _lines(MENTEE_KEYS, participant.mentee_profile)
    if participant.mentor_profile is not None:
        mentor = participant.mentor_profile
        parts += ["", "<b>" + _("Mentor questionnaire") + "</b>"]
        parts.append(_("Status: {status}").format(status=label(mentor.status)))
        parts += _lines(MENTOR_KEYS, mentor)
    if participant.mentee_profile is None and participant.mentor_profile is None:
        parts += ["", _("You have not chosen a role yet: become a mentee or a mentor below.")]
    return "\n".join(parts)


def registration_notice(participant: Participant, roles: list[str], *, updated: bool) -> str:
    if updated:
        template = _("Questionnaire added: <b>{name}</b>\n{position}, {department}\nRole: {roles}")
    else:
        template = _("New registration: <b>{name}</b>\n{position}, {department}\nRole: {roles}")
    number = _("Participant No. {number}").format(number=participant.id)
    return f"{template}\n{number}".format(
        name=escape(participant.display_name),
        position=escape(participant.position or "—"),
        department=escape(participant.department or "—"),
        roles=", ".join(roles) or "—",
    )


def format_time(moment: datetime, zone: ZoneInfo) -> str:
    return formatting.moment(moment, zone)


def consent_lines(consents: list[Consent], zone: ZoneInfo) -> str:
    if not consents:
        return _("You have not given any consent.")
    lines = []
    for consent in consents:
        line = _("{kind}, version {version}: given {given}").format(
            kind=label(consent.kind),
            version=consent.version,
            given=format_time(consent.given_at, zone),
        )
        if consent.withdrawn_at is not None:
            line += _(", withdrawn {withdrawn}").format(
                withdrawn=format_time(consent.withdrawn_at, zone)
            )
        lines.append("• " + line)
    return "\n".join(lines)


def help_text(participant: Participant | None, is_curator: bool) -> str:
    """What the bot can do for this person: everyone's commands, then their role's (a mentee's,
    a mentor's, both for someone who is both or not registered yet), then a curator's."""
    newcomer = participant is None or not participant.is_registered
    mentee = newcomer or participant is None or participant.mentee_profile is not None
    mentor = newcomer or participant is None or participant.mentor_profile is not None
    parts = [
        _(
            "<b>Наставник</b> runs the teacher-mentoring programme in this chat.\n\n"
            "<b>Everyone</b>\n"
            "/start: join the programme (consent, then a short questionnaire)\n"
            "/profile: see and correct your profile and questionnaire\n"
            "/consent: see what you agreed to and when; withdraw consent (your data is "
            "erased)\n"
            "/plan: your programme, its activities, deadlines and progress\n"
            "/meeting: log a meeting in the mentoring journal\n"
            "/request: ask the curator for a change (another mentor, release, a new deadline, "
            "an extension, an early end)\n"
            "/lang: switch between Russian and English\n"
            "/cancel: stop filling in a form"
        ),
    ]
    if mentee:
        parts.append(
            _(
                "<b>Mentee</b>: tell us your professional difficulties and what you want to "
                "learn; the curator picks a mentor with you, and together you draft your "
                "personalised programme. Report activities with /done, ask your mentor with "
                "/ask, propose improvements with /propose; if needed, ask the curator for "
                "another mentor."
            )
        )
    if mentor:
        parts += [
            _(
                "<b>Mentor</b>: after the written consent to act as a mentor and the curator's "
                "approval you join the bank of mentors. You draft your mentee's programme with "
                "/programme, check the activities they report and may ask to be released from "
                "mentoring."
            ),
            _(
                "/mentee: your mentee's card; propose encouragement or a contest to the curator "
                "and the director. /comentor: bring in another teacher to help, with their "
                "consent (§7.1.1); a co-mentor sees the programme and logs meetings."
            ),
        ]
    if is_curator:
        tools = "\n".join("/" + name + ": " + _(text) for name, text in CURATOR_COMMANDS)
        parts.append(
            _(
                "<b>Curator</b>: you are told of every new registration and of everything that "
                "waits for you; /today shows it, each with a button. Your tools:"
            )
            + "\n"
            + tools
        )
    if participant is None or not participant.is_registered:
        parts.append(_("You are not registered yet: send /start."))
    return "\n\n".join(parts)
