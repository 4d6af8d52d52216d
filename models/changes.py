"""Changes to an approved programme by mutual consent (§10.2).

Either side — the mentor or a mentee — proposes a change: add, edit or remove activities,
change the forms of mentoring, move the end date. The proposal stores each change with its
before and after (JSON), so everyone sees exactly what would change. It takes effect when the
mentor and every current mentee of the pair have agreed; one refusal rejects it. The curator is
told and sees the history; the curator's approval is not asked: §10.2 names only the consent of
the mentor and the mentee(s) (the curator approved the programme once, §6.4.9, and every agreed
change is recorded here with who agreed and when, as the programme's next version).

Answers race-proof: the proposal row carries a version checked in every UPDATE (`decision`), so
two simultaneous «agree» never lose one; a stale or repeated button is «already decided».
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.access import Actor
from models.audit import audit
from models.base import Base, TimestampMixin, utcnow
from models.comentors import tell_co_mentors
from models.concurrency import decision
from models.enums import ActivityStatus, ChangeStatus, Responsible
from models.errors import (
    AccessDenied,
    AlreadyDecided,
    InvalidValue,
    NotFound,
    WrongState,
    already_decided,
)
from models.fields import FIELDS
from models.i18n_marker import N_
from models.outbox import queue_notice
from models.pairs import Pair, PairMember
from models.participant import enum_column
from models.programmes import (
    DEFAULT_MAX_MONTHS,
    RUNNING,
    Activity,
    Programme,
    add_months,
    check_end_limit,
    get_programme,
)

ACTIVITY_FIELDS = ("title", "description", "deadline", "responsible", "expected_result")
OPS = ("add", "edit", "remove", "forms", "end_date")
COERCE = {
    "title": "activity_title",
    "description": "activity_description",
    "expected_result": "expected_result",
}


class ProgrammeChange(TimestampMixin, Base):
    """One proposal: its changes with before/after, who agreed or refused and when."""

    __tablename__ = "programme_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ChangeStatus] = mapped_column(
        enum_column(ChangeStatus), default=ChangeStatus.OPEN, index=True
    )
    # [{"op": "edit", "activity_id": 3, "before": {...}, "after": {...}}, …]; dates ISO
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"participant_id": 5, "agree": true, "at": "…", "comment": "…"}, …]
    votes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    decided_at: Mapped[datetime | None]
    # The programme's version this change produced (when agreed).
    revision: Mapped[int | None] = mapped_column(Integer)
    # Checked in every UPDATE: a concurrent answer makes the loser answer again (concurrency).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    programme: Mapped[Programme] = relationship(lazy="selectin")

    def vote_of(self, participant_id: int | None) -> dict[str, Any] | None:
        return next((v for v in self.votes if v["participant_id"] == participant_id), None)

    @property
    def agreed_ids(self) -> list[int]:
        return [v["participant_id"] for v in self.votes if v["agree"]]


@dataclass(frozen=True)
class Change:
    """What a side proposes: `op` one of OPS; `values` the new values (for add and edit:
    activity fields; for forms: {"forms": [...]}; for end_date: {"end_date": date})."""

    op: str
    activity_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)


def _activity_values(activity: Activity) -> dict[str, Any]:
    return {
        "title": activity.title,
        "description": activity.description,
        "deadline": activity.deadline.isoformat(),
        "responsible": activity.responsible.value,
        "expected_result": activity.expected_result,
    }


def _clean(key: str, value: Any) -> Any:
    """A proposed activity field, validated like in the draft; JSON-ready."""
    if key == "deadline":
        if not isinstance(value, date):
            raise InvalidValue()
        return value.isoformat()
    if key == "responsible":
        if value not in {r.value for r in Responsible}:
            raise InvalidValue()
        return Responsible(value).value
    if key == "title" and not value:
        raise InvalidValue(N_("Please send the answer as text."))
    return FIELDS[COERCE[key]].text(value or None)


def _open_activity(programme: Programme, activity_id: int | None) -> Activity:
    activity = next((a for a in programme.activities if a.id == activity_id), None)
    if activity is None:
        raise NotFound()
    if activity.status == ActivityStatus.CONFIRMED:
        raise WrongState(N_("A confirmed activity stays as it was done: it cannot be changed."))
    return activity


def _describe(programme: Programme, change: Change) -> dict[str, Any]:
    """One stored change with its before and after (validated against the programme now)."""
    if change.op == "add":
        after = {key: _clean(key, change.values.get(key)) for key in ACTIVITY_FIELDS}
        return {"op": "add", "before": None, "after": after}
    if change.op == "edit":
        activity = _open_activity(programme, change.activity_id)
        current = _activity_values(activity)
        after = {
            key: _clean(key, value)
            for key, value in change.values.items()
            if key in ACTIVITY_FIELDS
        }
        after = {key: value for key, value in after.items() if value != current[key]}
        if not after:
            raise InvalidValue(N_("Nothing changes: the new value is the same as the current."))
        before = {key: current[key] for key in after}
        return {"op": "edit", "activity_id": activity.id, "title": activity.title,
                "before": before, "after": after}  # fmt: skip
    if change.op == "remove":
        activity = _open_activity(programme, change.activity_id)
        return {"op": "remove", "activity_id": activity.id,
                "before": _activity_values(activity), "after": None}  # fmt: skip
    if change.op == "forms":
        forms = FIELDS["mentor_forms"].clean_selection(change.values.get("forms") or [])
        if sorted(forms) == sorted(programme.forms):
            raise InvalidValue(N_("Nothing changes: the new value is the same as the current."))
        return {"op": "forms", "before": list(programme.forms), "after": list(forms)}
    if change.op == "end_date":
        new_end = change.values.get("end_date")
        if not isinstance(new_end, date):
            raise InvalidValue()
        if new_end == programme.end_date:
            raise InvalidValue(N_("Nothing changes: the new value is the same as the current."))
        return {"op": "end_date", "before": programme.end_date.isoformat(),
                "after": new_end.isoformat()}  # fmt: skip
    raise InvalidValue()


def _check_result(programme: Programme, items: list[dict[str, Any]], max_months: int) -> None:
    """The programme as it would be after the changes keeps the rules of §3: its end at least
    3 months after the start (and within the college's limit when moved later), every
    activity's deadline inside the period."""
    end = programme.end_date
    for item in items:
        if item["op"] == "end_date":
            end = date.fromisoformat(item["after"])
    if end != programme.end_date:
        if end < add_months(programme.start_date, 3):
            raise InvalidValue(
                N_(
                    "A programme lasts at least 3 months (§3): the end can be {low} at the earliest"
                ),
                low=add_months(programme.start_date, 3).strftime("%d.%m.%Y"),
            )
        if end > programme.end_date:
            check_end_limit(programme, end, max_months)
    deadlines = {a.id: a.deadline for a in programme.activities}
    for item in items:
        if item["op"] == "remove":
            deadlines.pop(item["activity_id"], None)
        elif item["op"] == "edit" and "deadline" in item["after"]:
            deadlines[item["activity_id"]] = date.fromisoformat(item["after"]["deadline"])
        elif item["op"] == "add":
            deadlines[-len(deadlines) - 1] = date.fromisoformat(item["after"]["deadline"])
    changed = {i.get("activity_id") for i in items if i["op"] != "forms"}
    for key, deadline in deadlines.items():
        if (key < 0 or key in changed or end != programme.end_date) and not (
            programme.start_date <= deadline <= end
        ):
            raise InvalidValue(
                N_("The deadline must be inside the programme: from {start} to {end}."),
                start=programme.start_date.strftime("%d.%m.%Y"),
                end=end.strftime("%d.%m.%Y"),
            )
    if sum(i["op"] == "add" for i in items) + len(programme.activities) > 100:
        raise InvalidValue(N_("A programme holds at most 100 activities."))


def _require_side(programme: Programme, actor: Actor) -> str:
    side = programme.pair.require_member(actor, curator_allowed=False)
    if programme.status not in RUNNING:
        raise WrongState(N_("Only an approved, running programme is changed by proposal."))
    return side


async def open_change(session: AsyncSession, programme_id: int) -> ProgrammeChange | None:
    return await session.scalar(
        select(ProgrammeChange).where(
            ProgrammeChange.programme_id == programme_id,
            ProgrammeChange.status == ChangeStatus.OPEN,
        )
    )


async def check_can_propose(session: AsyncSession, actor: Actor, programme_id: int) -> Programme:
    """The pair's mentor or mentee, a running programme, no other proposal waiting."""
    programme = await get_programme(session, actor, programme_id)
    _require_side(programme, actor)
    waiting = await open_change(session, programme.id)
    if waiting is not None:
        raise WrongState(
            N_(
                "Change proposal №{id} is still waiting for answers; propose after it is decided "
                "or its author withdraws it."
            ),
            id=waiting.id,
        )
    return programme


def everyone(programme: Programme) -> list[int]:
    """Whose consent a change needs (§10.2): the mentor and each current mentee."""
    pair = programme.pair
    return [pair.mentor_id, *pair.mentee_ids]


async def preview_change(
    session: AsyncSession,
    actor: Actor,
    programme_id: int,
    changes: list[Change],
    *,
    max_months: int = DEFAULT_MAX_MONTHS,
) -> list[dict[str, Any]]:
    """The changes with their before and after, checked as `propose_change` will check them:
    what the author confirms before anything is sent."""
    programme = await check_can_propose(session, actor, programme_id)
    if not changes or len(changes) > 20:
        raise InvalidValue()
    items = [_describe(programme, change) for change in changes]
    _check_result(programme, items, max_months)
    return items


async def propose_change(
    session: AsyncSession,
    actor: Actor,
    programme_id: int,
    changes: list[Change],
    *,
    reason: str,
    now: datetime | None = None,
    max_months: int = DEFAULT_MAX_MONTHS,
) -> ProgrammeChange:
    """The mentor or a mentee proposes changes; the author's own consent is counted."""
    items = await preview_change(session, actor, programme_id, changes, max_months=max_months)
    programme = await get_programme(session, actor, programme_id)
    now = now or utcnow()
    me = actor.require_participant()
    proposal = ProgrammeChange(
        programme=programme,
        author_id=me,
        reason=FIELDS["request_reason"].text(reason),
        changes=items,
        votes=[{"participant_id": me, "agree": True, "at": now.isoformat(), "comment": None}],
    )
    session.add(proposal)
    await session.flush()
    others = [i for i in everyone(programme) if i != me]
    await queue_notice(session, "change.proposed", proposal.id, others, now)
    audit(session, actor.telegram_id, "change.propose", "programme", programme.id,
          change=proposal.id)  # fmt: skip
    await session.commit()
    return proposal


async def get_change(session: AsyncSession, actor: Actor, change_id: int) -> ProgrammeChange:
    proposal = await session.get(ProgrammeChange, change_id)
    if proposal is None:
        raise NotFound()
    proposal.programme.pair.require_member(actor)
    return proposal


async def check_can_answer(session: AsyncSession, actor: Actor, change_id: int) -> ProgrammeChange:
    """The mentor or a current mentee who has not answered yet, a proposal still open: a stale,
    repeated or forged button is refused before anything changes."""
    proposal = await get_change(session, actor, change_id)
    programme = proposal.programme
    programme.pair.require_member(actor, curator_allowed=False)
    if proposal.status != ChangeStatus.OPEN:
        raise already_decided(proposal.status)
    if proposal.vote_of(actor.require_participant()) is not None:
        raise AlreadyDecided(N_("Already decided: your answer to this proposal is recorded."))
    if programme.status not in RUNNING:
        raise WrongState(N_("Only an approved, running programme is changed by proposal."))
    return proposal


@decision
async def answer_change(
    session: AsyncSession,
    actor: Actor,
    change_id: int,
    *,
    agree: bool,
    comment: str | None = None,
    now: datetime | None = None,
    max_months: int = DEFAULT_MAX_MONTHS,
) -> ProgrammeChange:
    """The mentor or a mentee agrees or refuses (with an optional comment). One refusal
    rejects the proposal; the last consent applies it as the programme's next version."""
    proposal = await check_can_answer(session, actor, change_id)
    programme = proposal.programme
    me = actor.require_participant()
    note = FIELDS["comment"].text(comment) if comment else None
    now = now or utcnow()
    vote = {"participant_id": me, "agree": agree, "at": now.isoformat(), "comment": note}
    proposal.votes = [*proposal.votes, vote]
    if not agree:
        proposal.status, proposal.decided_at = ChangeStatus.REJECTED, now
    elif set(everyone(programme)) <= set(proposal.agreed_ids):
        _check_result(programme, proposal.changes, max_months)
        _apply(programme, proposal.changes)
        programme.revision += 1
        proposal.status, proposal.decided_at = ChangeStatus.AGREED, now
        proposal.revision = programme.revision
    if proposal.status != ChangeStatus.OPEN:
        people = [i for i in {*everyone(programme), proposal.author_id} if i != me]
        await queue_notice(session, "change.decided", proposal.id, people, now, to_curators=True)
        if proposal.status == ChangeStatus.AGREED:  # the helpers read the new plan (§7.1.1)
            await tell_co_mentors(session, "change.decided", proposal.id, programme.pair_id, now)
        audit(session, actor.telegram_id, f"change.{proposal.status}", "programme",
              programme.id, change=proposal.id)  # fmt: skip
    await session.commit()
    return proposal


def _apply(programme: Programme, items: list[dict[str, Any]]) -> None:
    by_id = {a.id: a for a in programme.activities}
    for item in items:
        op = item["op"]
        if op == "add":
            after = item["after"]
            programme.activities.append(
                Activity(
                    title=after["title"],
                    description=after["description"],
                    expected_result=after["expected_result"],
                    deadline=date.fromisoformat(after["deadline"]),
                    responsible=Responsible(after["responsible"]),
                )
            )
        elif op in ("edit", "remove"):
            activity = by_id.get(item["activity_id"])
            if activity is None or activity.status == ActivityStatus.CONFIRMED:
                raise WrongState(N_("The plan has changed since the proposal: propose again."))
            if op == "remove":
                programme.activities.remove(activity)
                continue
            for key, value in item["after"].items():
                if key == "deadline":
                    value = date.fromisoformat(value)
                elif key == "responsible":
                    value = Responsible(value)
                setattr(activity, key, value)
        elif op == "forms":
            programme.forms = list(item["after"])
        elif op == "end_date":
            programme.end_date = date.fromisoformat(item["after"])


@decision
async def withdraw_change(
    session: AsyncSession, actor: Actor, change_id: int, now: datetime | None = None
) -> ProgrammeChange:
    """The author takes an open proposal back (someone does not answer, or they changed their
    mind): nothing changes, the others are told."""
    proposal = await get_change(session, actor, change_id)
    if proposal.author_id != actor.participant_id:
        raise AccessDenied()
    if proposal.status != ChangeStatus.OPEN:
        raise already_decided(proposal.status)
    now = now or utcnow()
    proposal.status, proposal.decided_at = ChangeStatus.WITHDRAWN, now
    people = [i for i in everyone(proposal.programme) if i != proposal.author_id]
    await queue_notice(session, "change.decided", proposal.id, people, now, to_curators=True)
    audit(session, actor.telegram_id, "change.withdrawn", "programme", proposal.programme_id,
          change=proposal.id)  # fmt: skip
    await session.commit()
    return proposal


async def changes_of(
    session: AsyncSession, actor: Actor, programme_id: int
) -> list[ProgrammeChange]:
    """The programme's proposals, oldest first: for its people and the curators."""
    programme = await get_programme(session, actor, programme_id)
    return await history(session, programme.id)


async def history(session: AsyncSession, programme_id: int) -> list[ProgrammeChange]:
    result = await session.scalars(
        select(ProgrammeChange)
        .where(ProgrammeChange.programme_id == programme_id)
        .order_by(ProgrammeChange.id)
    )
    return list(result)


async def erase_change_texts(
    session: AsyncSession, participant_id: int, erased: str
) -> list[str | None]:
    """What the person typed in proposals (reason, comments): erased with their data."""
    traces: list[str | None] = []
    as_mentee = select(PairMember.pair_id).where(PairMember.mentee_id == participant_id)
    theirs = (
        select(Programme.id)
        .join(Pair, Pair.id == Programme.pair_id)
        .where((Pair.mentor_id == participant_id) | Pair.id.in_(as_mentee))
    )
    for proposal in await session.scalars(
        select(ProgrammeChange).where(ProgrammeChange.programme_id.in_(theirs))
    ):
        if proposal.author_id == participant_id:
            traces.append(proposal.reason)
            proposal.reason = erased
        if any(v["participant_id"] == participant_id and v["comment"] for v in proposal.votes):
            votes = []
            for vote in proposal.votes:
                if vote["participant_id"] == participant_id and vote["comment"]:
                    traces.append(vote["comment"])
                    vote = {**vote, "comment": None}
                votes.append(vote)
            proposal.votes = votes
    return traces
