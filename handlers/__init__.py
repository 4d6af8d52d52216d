"""One router per area; the curator-only filter sits on the curator parent router."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.types import TelegramObject

from handlers import (
    activities,
    best_cases,
    changes,
    choice,
    comentors,
    common,
    confirm,
    consent,
    drafts,
    errors,
    fallback,
    journal,
    library,
    mentee_card,
    pairs,
    plan,
    profile,
    publicity,
    requests,
    survey,
)
from handlers.curator import (
    admin,
    approvals,
    audit,
    broadcast,
    candidates,
    departments,
    desk,
    documents,
    export,
    invites,
    pairing,
    papers,
    participants,
    programmes,
    proposals,
    publish,
    report,
    roadmap,
    stafflist,
)
from handlers.curator import requests as curator_requests
from handlers.onboarding import registration, start
from handlers.programme import drafting, review


class IsCurator(Filter):
    async def __call__(self, event: TelegramObject, is_curator: bool = False, **_: Any) -> bool:
        return is_curator


def create_root_router() -> Router:
    curator = Router(name="curator")
    curator.message.filter(IsCurator())
    curator.callback_query.filter(IsCurator())
    curator.include_routers(
        desk.router,
        candidates.router,
        approvals.router,
        pairing.router,
        curator_requests.router,
        proposals.router,
        admin.router,
        audit.router,
        export.router,
        report.router,
        programmes.router,
        broadcast.router,
        documents.router,
        papers.router,
        invites.router,
        participants.router,
        departments.router,
        publish.router,
        stafflist.router,
        roadmap.router,
    )

    root = Router(name="root")
    # Personal data is only ever discussed in a private chat with the person.
    root.message.filter(F.chat.type == ChatType.PRIVATE)
    root.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    root.include_routers(
        errors.router,
        common.router,  # /cancel first, so it works inside every form
        drafts.router,  # then any other command inside a form asks before dropping it
        start.router,
        registration.router,
        profile.router,
        publicity.router,  # before consent: the publication consent is its own
        consent.router,
        pairs.router,
        drafting.router,
        review.router,
        plan.router,
        changes.router,
        activities.router,
        journal.router,
        requests.router,
        choice.router,
        library.router,
        best_cases.router,
        mentee_card.router,
        comentors.router,
        survey.router,
        curator,
        confirm.router,  # after every Confirmed(...) handler: cancel and stale summaries
        fallback.router,  # catch-alls last
    )
    return root
