"""The college site's mentoring section (§11.1, §11.2, §12.2): several pages with one
navigation, or the same sections on one page for the curator's preview in chat.

Pages: the overview, running and completed programmes (results only after completion, §11.2),
the banks of mentors and mentees (counts by department, names only of those who consented),
best cases with their descriptions, the legal base and methodical recommendations, news and
announcements, and the regulation itself (§12.2).

A person's name appears only under an active consent to publication (152-FZ art. 10.1);
everyone else is «наставник» / «наставляемый», and the names of people without that consent
are also blanked out of every free text (goals, descriptions, news). No contact details.
Jinja2 with autoescaping; CSS inline; no external assets (links to documents are plain links
the reader may follow, nothing is loaded from another host)."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.best_cases import CaseDescription, CaseStatus
from models.broadcasts import Broadcast
from models.consent import Consent
from models.enums import (
    ConsentKind,
    MentorStatus,
    PairStatus,
    ParticipantStatus,
    ProgrammeStatus,
)
from models.pairs import Pair
from models.participant import Participant
from models.profiles import MenteeProfile, MentorProfile
from models.programmes import Programme
from models.site import SiteItem, SiteKind
from rendering.views import day, forms_text

_ENVIRONMENT = Environment(
    loader=FileSystemLoader(Path(__file__).parent),
    autoescape=select_autoescape(["html"]),
)
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})

# The order of the pages in the navigation; the first is index.html.
PAGES = ("index", "programmes", "banks", "best-cases", "documents", "news", "regulation")
RUNNING = (ProgrammeStatus.APPROVED,)


def page_file(slug: str) -> str:
    return "index.html" if slug == "index" else f"{slug}.html"


def bundled_regulation() -> str:
    """The regulation shipped with the product (package data)."""
    return (resources.files("bot") / "publication" / "regulation-ru.md").read_text("utf-8")


def regulation_text(path: Path | None) -> str:
    """REGULATION_FILE when set (the college's approved text), else the bundled one."""
    if path is not None:
        return path.read_text(encoding="utf-8")
    return bundled_regulation()


def _markdown(text: str) -> str:
    tokens = _MARKDOWN.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"
    return str(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {}))


def _cell(text: str) -> str:
    """A table cell of the regulation: tags left over from a conversion are dropped, and its
    «- item» lists go one item a line."""
    plain = " ".join(re.sub(r"<[^>]*>", " ", text).split())
    items = [escape(part.strip()) for part in re.split(r"(?:^|\s)- ", plain) if part.strip()]
    if len(items) > 1 or plain.startswith("- "):
        return "<br>".join(f"– {item}" for item in items)
    return escape(plain)


def _table(lines: list[str]) -> str:
    rows: list[list[str]] = []
    for line in lines:
        cells = line.split("\t")
        if rows and not cells[0].strip():  # a continuation of the row above
            for index, cell in enumerate(cells[1:], 1):
                if cell.strip() and index < len(rows[-1]):
                    rows[-1][index] += " " + cell
            continue
        rows.append(cells)
    width = max(len(row) for row in rows)
    head, *body = rows if len(rows) > 1 and width > 2 else ([], *rows)
    html = ["<table>"]
    if head:
        html.append(
            "<thead><tr>"
            + "".join(f'<th scope="col">{_cell(c)}</th>' for c in head)
            + "</tr></thead>"
        )
    html.append("<tbody>")
    for row in body:
        html.append("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>")
    html.append("</tbody></table>")
    return "".join(html)


def regulation_html(text: str) -> Markup:
    """The regulation's Markdown as HTML (raw HTML in it is never passed through); its
    headings go under the page's own (h1 title, h2 section), so the outline stays whole, and
    tab-separated lines (the document card, the roadmap of Appendix 1) become tables."""
    parts: list[str] = []
    prose: list[str] = []
    table: list[str] = []
    for line in text.splitlines():
        if "\t" in line.strip("\t") or (table and line.startswith("\t")):
            if prose:
                parts.append(_markdown("\n".join(prose)))
                prose = []
            table.append(line)
        elif table and not line.strip():
            continue  # a blank line inside a table
        else:
            if table:
                parts.append(_table(table))
                table = []
            prose.append(line)
    if table:
        parts.append(_table(table))
    if prose:
        parts.append(_markdown("\n".join(prose)))
    return Markup("".join(parts))


@dataclass
class Names:
    """Who may be named: people with an active publication consent. The rest are hidden,
    in the lists and inside free texts."""

    public: dict[int, str] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)

    def of(self, participant_id: int, role: str) -> str:
        return self.public.get(participant_id, role)

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        if not self.hidden:
            return None
        words = "|".join(re.escape(name) for name in self.hidden)  # longest first
        return re.compile(rf"(?<!\w)(?:{words})(?!\w)")

    def scrub(self, text: str) -> str:
        return self._pattern.sub("…", text) if self._pattern else text


async def _names(session: AsyncSession) -> Names:
    consented = set(
        await session.scalars(
            select(Consent.participant_id).where(
                Consent.kind == ConsentKind.PUBLICATION, Consent.withdrawn_at.is_(None)
            )
        )
    )
    names = Names()
    hidden: set[str] = set()
    for pid, name, status in await session.execute(
        select(Participant.id, Participant.full_name, Participant.status).where(
            Participant.full_name.is_not(None)
        )
    ):
        if name is None:
            continue
        if pid in consented and status == ParticipantStatus.ACTIVE:
            names.public[pid] = name
            continue
        hidden.add(name.strip())
        hidden.update(part for part in re.split(r"\s+", name) if len(part) >= 3)
    public_parts = {part for name in names.public.values() for part in re.split(r"\s+", name)}
    # Longest first, so a full name goes before its parts; a word that is also part of a
    # public name (a shared first name) stays.
    names.hidden = sorted(hidden - public_parts, key=len, reverse=True)
    return names


def _people(names: Names, ids: list[int]) -> str:
    """The names that may be published; those that may not are counted, never replaced by a
    role word («Наставляемый: наставляемый»)."""
    shown = [names.public[i] for i in ids if i in names.public]
    hidden = len(ids) - len(shown)
    if not hidden:
        return ", ".join(shown)
    if not shown:
        return _("name not published") if hidden == 1 else _("names not published")
    more = ngettext("{n} more, name not published", "{n} more, names not published", hidden).format(
        n=hidden
    )
    return ", ".join([*shown, more])


def _progress(programme: Programme) -> dict[str, Any]:
    done, total = programme.progress
    percent = round(100 * done / total) if total else 0
    return {"done": done, "total": total, "percent": percent}


async def _programmes(session: AsyncSession, names: Names) -> dict[str, list[dict[str, Any]]]:
    cases = {
        row.programme_id: row
        for row in await session.scalars(
            select(CaseDescription).where(CaseDescription.status == CaseStatus.APPROVED)
        )
    }
    found: dict[str, list[dict[str, Any]]] = {"running": [], "completed": [], "best": []}
    rows = await session.scalars(
        select(Programme)
        .where(Programme.status.in_([*RUNNING, ProgrammeStatus.COMPLETED]))
        .order_by(Programme.start_date.desc(), Programme.id.desc())
    )
    for programme in rows:
        pair = programme.pair
        entry = {
            "id": programme.id,
            "goal": names.scrub(programme.goal),
            "forms": forms_text(programme.forms),
            "period": f"{day(programme.start_date)} – {day(programme.end_date)}",
            "mentor": names.of(pair.mentor_id, _("name not published")),
            "mentees": _people(names, pair.mentee_ids),
            # a label without a numeral: one person or several, in either language
            "mentees_label": _("Mentee of the programme")
            if len(pair.mentee_ids) == 1
            else _("Mentees of the programme"),
            "progress": _progress(programme),
            "best": programme.best_case and programme.id in cases,
        }
        if programme.status == ProgrammeStatus.COMPLETED:
            done, total = programme.progress
            entry["result"] = (
                _("all {total} activities of the plan done").format(total=total)
                if done == total
                else _("{done} of {total} activities done").format(done=done, total=total)
            )
            case = cases.get(programme.id)
            if case is not None and entry["best"]:  # the approved description (§6.4.6)
                entry["description"] = [
                    (heading, names.scrub(getattr(case, key)))
                    for key, heading in _case_headings().items()
                ]
            found["completed"].append(entry)
            if entry["best"]:
                found["best"].append(entry)
        else:
            found["running"].append(entry)
    return found


async def _banks(session: AsyncSession, names: Names) -> list[dict[str, Any]]:
    """Per department: how many mentors (accepted) and mentees, and who agreed to be named."""
    nobody = _("department not given")
    rows: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"mentors": 0, "mentees": 0, "mentor_names": [], "mentee_names": []}
    )
    people = select(Participant.id, Participant.department).where(
        Participant.status == ParticipantStatus.ACTIVE, Participant.archived_at.is_(None)
    )
    mentors = people.join(MentorProfile, MentorProfile.participant_id == Participant.id).where(
        MentorProfile.status == MentorStatus.ACCEPTED
    )
    mentees = people.join(MenteeProfile, MenteeProfile.participant_id == Participant.id)
    for query, side in ((mentors, "mentor"), (mentees, "mentee")):
        for pid, department in await session.execute(query):
            row = rows[department or nobody]
            row[side + "s"] += 1
            if pid in names.public:
                row[side + "_names"].append(names.public[pid])
    for row in rows.values():
        row["mentor_names"].sort()
        row["mentee_names"].sort()
    return [{"department": department, **row} for department, row in sorted(rows.items())]


async def _figures(session: AsyncSession) -> list[tuple[str, int]]:
    count = func.count()
    return [
        (
            _("mentors in the bank"),
            await session.scalar(
                select(count)
                .select_from(MentorProfile)
                .join(Participant, Participant.id == MentorProfile.participant_id)
                .where(
                    MentorProfile.status == MentorStatus.ACCEPTED,
                    Participant.status == ParticipantStatus.ACTIVE,
                )
            )
            or 0,
        ),
        (
            _("mentees in the bank"),
            await session.scalar(
                select(count)
                .select_from(MenteeProfile)
                .join(Participant, Participant.id == MenteeProfile.participant_id)
                .where(Participant.status == ParticipantStatus.ACTIVE)
            )
            or 0,
        ),
        (
            _("active pairs and groups"),
            await session.scalar(
                select(count).select_from(Pair).where(Pair.status == PairStatus.ACTIVE)
            )
            or 0,
        ),
        (
            _("completed programmes"),
            await session.scalar(
                select(count)
                .select_from(Programme)
                .where(Programme.status == ProgrammeStatus.COMPLETED)
            )
            or 0,
        ),
    ]


def _item(item: SiteItem, names: Names) -> dict[str, Any]:
    return {
        "title": names.scrub(item.title),
        "body": names.scrub(item.body or ""),
        "url": item.url if item.url and item.url.startswith(("http://", "https://")) else None,
        "date": day(item.event_date or item.created_at.date()),
    }


async def _news(session: AsyncSession, names: Names, today: date) -> dict[str, Any]:
    written = await session.scalars(
        select(SiteItem).where(SiteItem.kind == SiteKind.NEWS).order_by(SiteItem.id.desc())
    )
    promoted = await session.scalars(
        select(Broadcast).where(Broadcast.published.is_(True)).order_by(Broadcast.id.desc())
    )
    news = [(item.created_at, _item(item, names)) for item in written] + [
        (
            b.created_at,
            {"title": "", "body": names.scrub(b.text), "url": None, "date": day(b.created_at)},
        )
        for b in promoted
        if b.text
    ]
    news.sort(key=lambda pair: pair[0], reverse=True)
    upcoming = await session.scalars(
        select(SiteItem)
        .where(SiteItem.kind == SiteKind.ANNOUNCEMENT, SiteItem.event_date >= today)
        .order_by(SiteItem.event_date, SiteItem.id)
    )
    return {
        "news": [entry for _, entry in news[:30]],
        "announcements": [_item(item, names) for item in upcoming],
    }


async def _documents(session: AsyncSession, names: Names) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {"legal": [], "method": []}
    for item in await session.scalars(
        select(SiteItem)
        .where(SiteItem.kind.in_([SiteKind.LEGAL, SiteKind.METHOD]))
        .order_by(SiteItem.id)
    ):
        found[item.kind.value].append(_item(item, names))
    return found


def _case_headings() -> dict[str, str]:
    return {
        "goal": _("Goal"),
        "done": _("What was done"),
        "results": _("Results"),
        "lessons": _("Lessons"),
    }


def _texts() -> dict[str, str]:
    return {
        "title": _("Mentoring of teachers"),
        "skip": _("Skip to the content"),
        "nav": _("Sections of the mentoring section"),
        "updated": _("updated"),
        "index": _("Overview"),
        "programmes": _("Programmes"),
        "banks": _("Banks of mentors and mentees"),
        "best-cases": _("Best cases"),
        "documents": _("Legal base and methodical recommendations"),
        "news": _("News and announcements"),
        "regulation": _("Regulation"),
        "intro": _(
            "Here the college publishes how its teachers mentor each other: the programmes "
            "under way, the banks of mentors and mentees, the best cases, the documents the "
            "work is based on, news and coming events (§11.1 of the Regulation)."
        ),
        "figures": _("The programme in figures"),
        "running": _("Programmes under way"),
        "completed": _("Completed personalised programmes"),
        "completed_note": _("Results are published after a programme is completed (§11.2)."),
        "best_mark": _("best case"),
        "none": _("Nothing here yet."),
        "mentor": _("Mentor"),
        "mentees": _("Mentees"),
        "forms": _("Forms"),
        "period": _("Period"),
        "progress": _("Progress"),
        "progress_of": _("activities done:"),  # a number after the colon needs no plural
        "result": _("Result"),
        "department": _("Department"),
        "mentors_count": _("Mentors in the bank"),
        "mentees_count": _("Mentees in the bank"),
        "banks_note": _(
            "Names are shown only of those who agreed to their publication; the others are counted."
        ),
        "legal": _("Federal, regional and local legal base"),
        "method": _("Methodical recommendations"),
        "announcements": _("Coming events"),
        "news_list": _("News"),
        "open_link": _("open"),
        "footer": _(
            "The section is kept under §11 of the Regulation on the mentoring system. Names "
            "are published only with the person's consent (152-FZ, art. 10.1)."
        ),
    }


@dataclass(frozen=True)
class Site:
    """The rendered section: file name → HTML."""

    pages: dict[str, str]


async def _context(
    session: AsyncSession, organization: str, locale: str, now: datetime, regulation: str
) -> dict[str, Any]:
    names = await _names(session)
    programmes = await _programmes(session, names)
    return {
        "lang": locale,
        "organization": organization,
        "updated": day(now.date()),
        "t": _texts(),
        "pages": PAGES,
        "figures": await _figures(session),
        "programmes": programmes,
        "banks": await _banks(session, names),
        "documents": await _documents(session, names),
        **await _news(session, names, now.date()),
        "regulation": regulation_html(regulation),
    }


async def render_site(
    session: AsyncSession,
    organization: str,
    locale: str,
    now: datetime,
    regulation: str | None = None,
) -> Site:
    """Every page of the section, linked by one navigation."""
    context = await _context(session, organization, locale, now, regulation or bundled_regulation())
    template = _ENVIRONMENT.get_template("layout.html")
    return Site(
        {
            page_file(slug): template.render(
                **context, current=slug, shown=[slug], href=lambda s: page_file(s)
            )
            for slug in PAGES
        }
    )


async def render_publication(
    session: AsyncSession,
    organization: str,
    locale: str,
    now: datetime,
    regulation: str | None = None,
) -> str:
    """All the sections on one page with anchors: the preview a curator gets in chat."""
    context = await _context(session, organization, locale, now, regulation or bundled_regulation())
    return _ENVIRONMENT.get_template("layout.html").render(
        **context, current=None, shown=list(PAGES), href=lambda s: f"#{s}"
    )


async def publish_site(session: AsyncSession, settings: Any, out: Path) -> Site:
    """Render every page in the settings' locale and write them to `out` atomically."""
    site = await render_site(
        session,
        settings.organization_name,
        settings.default_locale,
        datetime.now(settings.timezone),
        regulation_text(settings.regulation_file),
    )
    await asyncio.to_thread(write_site, site, out)
    return site


def write_site(site: Site, out: Path) -> None:
    """Write the pages into `out` without a reader ever seeing half a page or a mix of two
    versions for long: everything is written into a fresh folder next to `out` first; then
    each file replaces its old version with an atomic rename (index.html last), and pages
    that no longer exist are removed."""
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".publish-", dir=out.parent))
    try:
        for name, html in site.pages.items():
            (staging / name).write_text(html, encoding="utf-8")
            os.chmod(staging / name, 0o644)
        for name in sorted(site.pages, key=lambda n: n == "index.html"):
            os.replace(staging / name, out / name)
        for old in out.glob("*.html"):
            if old.name not in site.pages:
                old.unlink()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
