"""The page for the college site's mentoring section (§11): figures, completed programmes only
(§11.2) with their results, best cases marked by the curator, news from broadcasts to everyone.
No contact details; a withdrawn person's name no longer exists. Jinja2 with autoescaping, all
CSS inline, no external assets."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from aiogram.utils.i18n import gettext as _
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.views import day, forms_text
from models.broadcasts import Broadcast
from models.enums import MentorStatus, PairStatus, ParticipantStatus, ProgrammeStatus
from models.pairs import Pair
from models.participant import Participant
from models.profiles import MenteeProfile, MentorProfile
from models.programmes import Programme

_ENVIRONMENT = Environment(
    loader=FileSystemLoader(Path(__file__).parent),
    autoescape=select_autoescape(["html"]),
)


async def render_publication(
    session: AsyncSession, organization: str, locale: str, now: datetime
) -> str:
    names = {
        pid: name
        for pid, name, status in (
            await session.execute(select(Participant.id, Participant.full_name, Participant.status))
        ).all()
        if status == ParticipantStatus.ACTIVE and name
    }
    count = func.count()
    figures = [
        (
            _("mentors in the bank"),
            await session.scalar(
                select(count)
                .select_from(MentorProfile)
                .where(MentorProfile.status == MentorStatus.ACCEPTED)
            )
            or 0,
        ),
        (
            _("mentees in the bank"),
            await session.scalar(select(count).select_from(MenteeProfile)) or 0,
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
    programmes = []
    completed = await session.scalars(
        select(Programme)
        .where(Programme.status == ProgrammeStatus.COMPLETED)
        .order_by(Programme.ended_at.desc())
    )
    for programme in completed:
        done, total = programme.progress
        pair = programme.pair
        hidden = _("a participant")
        programmes.append(
            {
                "goal": programme.goal,
                "mentor": names.get(pair.mentor_id, hidden),
                "mentees": ", ".join(names.get(i, hidden) for i in pair.mentee_ids),
                "period": f"{day(programme.start_date)} – {day(programme.end_date)}",
                "forms": forms_text(programme.forms),
                "result": _("all {total} activities of the plan done").format(total=total)
                if done == total
                else _("{done} of {total} activities done").format(done=done, total=total),
                "best": programme.best_case,
            }
        )
    news = [
        {"date": day(b.created_at.date()), "text": b.text}
        for b in await session.scalars(
            select(Broadcast)
            .where(Broadcast.audience == "all")
            .order_by(Broadcast.created_at.desc())
            .limit(10)
        )
    ]
    texts = {
        "title": _("Mentoring of teachers"),
        "updated": _("updated"),
        "figures": _("The programme in figures"),
        "best": _("Best cases"),
        "best_mark": _("best case"),
        "completed": _("Completed personalised programmes"),
        "news": _("News"),
        "none": _("Nothing here yet."),
        "mentor": _("Mentor"),
        "mentees": _("Mentees"),
        "result": _("Result"),
        "footer": _(
            "Published under §11 of the Regulation on the mentoring system: results appear "
            "after a programme is completed."
        ),
    }
    return _ENVIRONMENT.get_template("template.html").render(
        lang=locale,
        organization=organization,
        updated=day(now.date()),
        figures=figures,
        programmes=programmes,
        news=news,
        t=texts,
    )
