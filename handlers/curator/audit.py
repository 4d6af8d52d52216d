"""/audit: who did what and when, as sentences, ten to a page, filtered by kind and person."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from handlers.curator.participants import search_text
from models.audit import AuditEntry, audit_page
from models.banks import find_people
from models.enums import ProposalStatus, RequestKind, StaffRole
from models.i18n_marker import N_
from models.mentor_rights import KIND_LABELS as PROPOSAL_KINDS
from models.participant import Participant
from models.privacy import SYSTEM_ACTOR
from rendering.texts import format_time
from rendering.ui import Keyboard, add_buttons, label, page_buttons

router = Router(name=__name__)
PAGE = 10
KIND_LABELS = {
    "all": N_("Everything"),
    "people": N_("People and roles"),
    "pairs": N_("Pairs"),
    "programmes": N_("Programmes"),
    "requests": N_("Requests"),
    "papers": N_("Documents and mailings"),
}


class AuditView(CallbackData, prefix="au"):
    kind: str = "all"
    page: int = 0
    q: str = ""  # the start of a surname: entries by or about those people


def _role(code: str) -> str:
    return label(StaffRole(code)) if code in set(StaffRole) else ""


def _bank(code: str) -> str:
    return _("bank of mentors") if code == "mentor" else _("bank of mentees")


def _request_kind(code: str) -> str:
    return label(RequestKind(code)) if code in set(RequestKind) else ""


# What each action says, given the entry, the object's name and the entry's details.
Sentence = Callable[[AuditEntry, str, dict[str, str]], str]
SENTENCES: dict[str, Sentence] = {
    "role.set": lambda e, who, d: (
        _("took the staff role away from {person}").format(person=who)
        if d.get("role") in (None, "none")
        else _("gave the role «{role}» to {person}").format(role=_role(d["role"]), person=who)
    ),
    "invite": lambda e, who, d: _("made an invitation link"),
    "mentor.accept": lambda e, who, d: _("accepted {person} into the bank of mentors").format(
        person=who
    ),
    "mentor.reject": lambda e, who, d: _("rejected the mentor candidate {person}").format(
        person=who
    ),
    "bank.approve": lambda e, who, d: _("approved {person} in the {bank}").format(
        person=who, bank=_bank(d.get("role", ""))
    ),
    "bank.return": lambda e, who, d: _(
        "returned {person}'s entry in the {bank} to the curator"
    ).format(person=who, bank=_bank(d.get("role", ""))),
    "bank.resubmit": lambda e, who, d: _(
        "sent {person}'s entry in the {bank} to the director again"
    ).format(person=who, bank=_bank(d.get("role", ""))),
    "bank.archive": lambda e, who, d: _("moved {person} to the archive").format(person=who),
    "bank.unarchive": lambda e, who, d: _("returned {person} from the archive").format(person=who),
    "bank.include_year": lambda e, who, d: (
        _("took {person} off this year's list for mentoring").format(person=who)
        if d.get("year") in (None, "none")
        else _("put {person} on the list for mentoring in {year}").format(
            person=who, year=d["year"]
        )
    ),
    "department.add": lambda e, who, d: _("added department №{id} to the directory").format(
        id=e.object_id
    ),
    "department.rename": lambda e, who, d: _("renamed department №{id}").format(id=e.object_id),
    "department.merge": lambda e, who, d: _("merged a department into №{id}").format(
        id=e.object_id
    ),
    "pair.propose": lambda e, who, d: _("proposed pair №{id}").format(id=e.object_id),
    "pair.propose_mentor": lambda e, who, d: _("proposed a new mentor for pair №{id}").format(
        id=e.object_id
    ),
    "pair.approve": lambda e, who, d: _("approved pair №{id} by order № {order}").format(
        id=e.object_id, order=escape(d.get("order", "—"))
    ),
    "programme.approve": lambda e, who, d: _("approved programme №{id}").format(id=e.object_id),
    "change.propose": lambda e, who, d: _(
        "proposed change №{change} to programme №{id} (§10.2)"
    ).format(change=d.get("change", "—"), id=e.object_id),
    "change.agreed": lambda e, who, d: _(
        "agreed last to change №{change}: programme №{id} changed (§10.2)"
    ).format(change=d.get("change", "—"), id=e.object_id),
    "change.withdrawn": lambda e, who, d: _(
        "withdrew change proposal №{change} to programme №{id}"
    ).format(change=d.get("change", "—"), id=e.object_id),
    "change.rejected": lambda e, who, d: _(
        "did not agree to change №{change} of programme №{id} (§10.2)"
    ).format(change=d.get("change", "—"), id=e.object_id),
    "programme.return": lambda e, who, d: _("returned programme №{id} for changes").format(
        id=e.object_id
    ),
    "programme.end": lambda e, who, d: _("ended programme №{id} early").format(id=e.object_id),
    "request.approved": lambda e, who, d: _("approved request №{id} ({kind})").format(
        id=e.object_id, kind=_request_kind(d.get("kind", ""))
    ),
    "request.rejected": lambda e, who, d: _("rejected request №{id} ({kind})").format(
        id=e.object_id, kind=_request_kind(d.get("kind", ""))
    ),
    "broadcast": lambda e, who, d: _("sent mailing №{id}").format(id=e.object_id),
    "publish.best_case": lambda e, who, d: (
        _("marked programme №{id} as a best case")
        if d.get("best") == "True"
        else _("unmarked programme №{id} as a best case")
    ).format(id=e.object_id),
    "publish": lambda e, who, d: _("made the page for the college site"),
    "report": lambda e, who, d: _("made the monitoring report"),
    "docs": lambda e, who, d: _("made a document"),
    "paper.received": lambda e, who, d: _(
        "marked the signed paper consent of {person} received"
    ).format(person=who),
    "paper.unmarked": lambda e, who, d: _(
        "took back the mark of the signed paper consent of {person}"
    ).format(person=who),
    "export.xlsx": lambda e, who, d: _("downloaded the XLSX workbook with all data"),
    "participant.view": lambda e, who, d: _("opened the card of {person}").format(person=who),
    "retention.erase": lambda e, who, d: _(
        "erased the personal data of participant №{id}: the retention period had passed"
    ).format(id=e.object_id),
    "publish.preview": lambda e, who, d: _("previewed the site section"),
    "site.add": lambda e, who, d: _("added an item to the site section"),
    "site.case": lambda e, who, d: _("described best case №{id}").format(id=e.object_id),
    "site.delete": lambda e, who, d: _("removed an item from the site section"),
    "case.write": lambda e, who, d: _(
        "described programme №{id} as a best practice, for approval"
    ).format(id=e.object_id),
    "case.approve": lambda e, who, d: _(
        "approved the best practice of programme №{id}: a best case"
    ).format(id=e.object_id),
    "case.return": lambda e, who, d: _(
        "returned the best practice of programme №{id} to be rewritten"
    ).format(id=e.object_id),
    "roadmap.approve": lambda e, who, d: _("approved the roadmap of {year} (§6.3.4)").format(
        year=escape(str(d.get("year", "—")))
    ),
    "roadmap.create": lambda e, who, d: _("made the roadmap of {year}").format(
        year=_academic(d.get("year", "—"))
    ),
    "roadmap.stage_edit": lambda e, who, d: _("changed a stage of the roadmap"),
    "roadmap.stage_done": lambda e, who, d: _("marked stage {number} of the roadmap done").format(
        number=escape(str(d.get("number", "—")))
    ),
    "roadmap.stage_reopened": lambda e, who, d: _(
        "marked stage {number} of the roadmap not done"
    ).format(number=escape(str(d.get("number", "—")))),
    "roadmap.event": lambda e, who, d: _(
        "planned event №{id} of the roadmap and invited {guests}"
    ).format(id=e.object_id, guests=escape(str(d.get("guests", "0")))),
    "roadmap.attendance": lambda e, who, d: _("marked attendance at event №{id}").format(
        id=e.object_id
    ),
    "library.add": lambda e, who, d: _("added material №{id} to the library").format(
        id=e.object_id
    ),
    "library.delete": lambda e, who, d: _("removed material №{id} from the library").format(
        id=e.object_id
    ),
    "pair.join": lambda e, who, d: _("added a newcomer to group №{id} by order").format(
        id=e.object_id
    ),
    "pair.replacement_order": lambda e, who, d: _(
        "entered the order on the change of mentor in pair №{id}"
    ).format(id=e.object_id),
    "staff.import": lambda e, who, d: _(
        "applied the list of teachers: added {added}, changed {changed}, removed {removed}"
    ).format(
        added=escape(str(d.get("added", 0))),
        changed=escape(str(d.get("changed", 0))),
        removed=escape(str(d.get("removed", 0))),
    ),
    "wish.create": lambda e, who, d: _("{person} asked for a mentor").format(person=who),
    "wish.withdraw": lambda e, who, d: _("{person} withdrew their wish for a mentor").format(
        person=who
    ),
    "comentor.invite": lambda e, who, d: _("invited a co-mentor to pair №{id} (§7.1.1)").format(
        id=e.object_id
    ),
    "comentor.accept": lambda e, who, d: _("agreed to be a co-mentor of pair №{id}").format(
        id=e.object_id
    ),
    "comentor.decline": lambda e, who, d: _("declined to be a co-mentor of pair №{id}").format(
        id=e.object_id
    ),
    "comentor.remove": lambda e, who, d: _("ended a co-mentorship in pair №{id}").format(
        id=e.object_id
    ),
    "proposal.create": lambda e, who, d: _("proposed {kind} for {person} (§7.2.6, §7.2.7)").format(
        kind=_(PROPOSAL_KINDS.get(d.get("kind", ""), "—")), person=who
    ),
    "proposal.decide": lambda e, who, d: _(
        "answered the mentor's proposal for {person}: {status}"
    ).format(person=who, status=_proposal_status(d.get("status", ""))),
}


def _academic(year: str) -> str:
    """«2026» (the year a roadmap starts in) as «2026/2027»."""
    return f"{year}/{int(year) + 1}" if year.isdigit() else escape(year)


def _proposal_status(value: str) -> str:
    return label(ProposalStatus(value)) if value in set(ProposalStatus) else "—"


def sentence(entry: AuditEntry, names: dict[int, str]) -> str:
    """An entry as a sentence; an action this table does not know yet still reads as words."""
    who = names.get(entry.object_id or 0, "—") if entry.object_type == "participant" else ""
    render = SENTENCES.get(entry.action)
    if render is None:
        return _("made a change (entry №{id})").format(id=entry.id)
    return render(entry, who, {k: str(v) for k, v in (entry.details or {}).items()})


async def render_audit(
    session: AsyncSession, view: AuditView, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    kind = view.kind if view.kind in KIND_LABELS else "all"
    query = search_text(view.q)
    people = None
    if query:
        found = await find_people(session, query)
        people = ([p.telegram_id for p in found], [p.id for p in found])
    page = max(view.page, 0)
    listed = await audit_page(
        session,
        page=page,
        size=PAGE,
        kind=None if kind == "all" else kind,
        people=people,
    )
    entries = listed.items
    actors = {e.actor_telegram_id for e in entries}
    objects = {e.object_id for e in entries if e.object_type == "participant" and e.object_id}
    rows = await session.execute(
        select(Participant.id, Participant.telegram_id, Participant.full_name).where(
            Participant.telegram_id.in_(actors) | Participant.id.in_(objects)
        )
    )
    by_telegram: dict[int, str] = {}
    by_id: dict[int, str] = {}
    for pid, telegram_id, full_name in rows.all():
        name = escape(full_name or _("(personal data erased)"))
        by_telegram[telegram_id], by_id[pid] = name, name
    lines = ["<b>" + _("Who did what, newest first") + "</b>"]
    lines.append(
        _("Shown: {kind}.").format(kind=_(KIND_LABELS[kind]))
        + (" " + _("Search: «{query}».").format(query=escape(query)) if query else "")
    )
    for entry in entries:
        who = by_telegram.get(entry.actor_telegram_id) or (
            _("the bot")
            if entry.actor_telegram_id == SYSTEM_ACTOR
            else _("curator (not registered)")
        )
        lines.append(
            _("{when} — {who}: {what}").format(
                when=format_time(entry.created_at, settings.timezone),
                who=who,
                what=sentence(entry, by_id),
            )
        )
    if not entries:
        lines.append(_("Nothing found."))
    if not query:
        lines.append(_("To see one person's entries, send /audit and the surname."))
    builder = Keyboard()
    navigation = page_buttons(listed, lambda number: AuditView(kind=kind, page=number, q=query))
    add_buttons(builder, navigation)
    for code in KIND_LABELS:
        mark = "• " if code == kind else ""
        builder.button(
            text=mark + _(KIND_LABELS[code]), callback_data=AuditView(kind=code, q=query)
        )
    if query:
        builder.button(text=_("✖ Clear the search"), callback_data=AuditView(kind=kind))
    builder.adjust(*([len(navigation)] if navigation else []), 2, 2, 2, 1)
    return "\n".join(lines), builder.as_markup()


@router.message(Command("audit"))
async def cmd_audit(
    message: Message, command: CommandObject, session: AsyncSession, settings: Settings
) -> None:
    text, markup = await render_audit(session, AuditView(q=search_text(command.args)), settings)
    await message.answer(text, reply_markup=markup)


@router.callback_query(AuditView.filter(), F.message.as_("message"))
async def audit_paged(
    query: CallbackQuery,
    callback_data: AuditView,
    message: Message,
    session: AsyncSession,
    settings: Settings,
) -> None:
    text, markup = await render_audit(session, callback_data, settings)
    await message.edit_text(text, reply_markup=markup)
    await query.answer()
