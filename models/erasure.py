"""Erasure of a person's personal data (152-FZ, art. 21): one domain function for every caller
(consent withdrawal, the retention job).

Erased: the profile and both questionnaires; every text the person wrote or uploaded, in every
table — questions and proposals and the answers they gave (journal), meeting notes they logged,
report comments and evidence files, reviews of reports they wrote as a mentor, reasons for
declining a pair, comments on a draft programme, request reasons and decision comments,
questionnaire comments, broadcasts they sent; and every outbox row: messages to them lose their
text (and are not sent if still queued), messages to others lose the person's name and texts.
Kept: ids, kinds, dates, statuses, ratings and counts, so figures and the other people's
history stay true; the consent records (kind, version, hash, times); the audit log (ids and
actions, no texts). A programme's goal and plan are the pair's working document approved by
the curator: they stay with the other side (documented in the README).
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.approvals import BankDecision
from models.audit import audit
from models.base import utcnow
from models.best_cases import CaseDescription
from models.broadcasts import Broadcast
from models.changes import erase_change_texts
from models.choice import MentorWish
from models.fields import PROFILE_KEYS
from models.forms import FormDraft
from models.journal import Meeting, PairMessage
from models.library import Material
from models.mentor_rights import MentorProposal
from models.outbox import OutboxMessage, OutboxStatus
from models.pairs import Pair, PairMember
from models.participant import Participant
from models.programmes import Activity, Programme
from models.progress import ActivityProgress
from models.requests import Request
from models.site import SiteItem
from models.staff import StaffMember
from models.surveys import SurveyAnswer

ERASED = "—"  # for a text column that cannot be empty; the row itself stays (figures, history)
ERASED_NOTE = "erased: personal data withdrawn"
ERASED_TRACES = "erased_traces"  # session.info: what the last erasures searched for
_MIN_TRACE = 3  # shorter strings (a "да") are not searched for in other people's messages


async def erase_person(
    session: AsyncSession, participant: Participant, now: datetime | None = None
) -> list[str]:
    """Erase everything the person wrote or uploaded, in every table (see above). Does not
    commit: the caller commits it with its own change (a withdrawal, a retention run).
    Returns the traces searched for (names and texts), for stores outside the database (the
    unfinished forms of others, bot.forms)."""
    now = now or utcnow()
    profile = _profile_texts(participant)
    # what names them or what they wrote (not a position or a subject, words others use too)
    written: list[str | None] = [participant.full_name]
    written += await _erase_journal(session, participant.id)
    written += await _erase_programme_texts(session, participant)
    written += await _erase_requests(session, participant)
    written += await erase_change_texts(session, participant.id, ERASED)
    written += await _erase_surveys(session, participant.id)
    written += await _erase_broadcasts(session, participant.telegram_id)
    written += await _erase_staff_rows(session, participant.id)
    traces = profile + written
    await _scrub_site(session, _needles(written))
    # The director's comments on the person's bank entries (§6.3.3) speak of the person.
    await session.execute(
        update(BankDecision)
        .where(BankDecision.participant_id == participant.id)
        .values(comment=None)
    )
    # Library materials the person added (their texts and files).
    await session.execute(delete(Material).where(Material.author_id == participant.id))
    # The mentor's proposals about a mentee speak of the mentee and were written by the mentor;
    # the curator's or the director's answer speaks of them too. Co-mentors (§7.1.1) hold only
    # ids, states and dates: they stay, ended by the withdrawal (models.withdrawal).
    await session.execute(
        update(MentorProposal)
        .where(
            or_(
                MentorProposal.mentor_id == participant.id,
                MentorProposal.mentee_id == participant.id,
            )
        )
        .values(text=None, decision_comment=None)
    )
    # The reasons the person gave for the mentor they asked for.
    await session.execute(
        update(MentorWish).where(MentorWish.mentee_id == participant.id).values(reason=None)
    )
    for field in PROFILE_KEYS:
        setattr(participant, field, None)
    participant.mentee_profile = None
    participant.mentor_profile = None
    if participant.staff_role is not None:  # a role never outlives the data behind it
        who = participant.telegram_id
        audit(session, who, "role.set", "participant", participant.id, role="none")
        participant.staff_role = None
    await session.flush()
    await _erase_outbox(session, participant.telegram_id, traces, now)
    needles = _needles(written)
    await _scrub_form_drafts(session, participant.telegram_id, needles)
    # for the caller's stores outside the database (unfinished forms: bot.forms)
    session.info.setdefault(ERASED_TRACES, []).extend(needles)
    return needles


async def _scrub_form_drafts(session: AsyncSession, chat_id: int, needles: list[str]) -> None:
    """Other people's unfinished forms kept in the database (bot.sqlstorage): kept, with the
    person's name and texts replaced (their own forms are deleted with the outbox rows)."""
    if not needles:
        return
    for draft in await session.scalars(
        select(FormDraft).where(FormDraft.user_id != chat_id, FormDraft.data.is_not(None))
    ):
        dumped = json.dumps(draft.data, ensure_ascii=False)
        scrubbed = _scrub(dumped, [json.dumps(n, ensure_ascii=False)[1:-1] for n in needles])
        if scrubbed != dumped:
            draft.data = json.loads(scrubbed)


async def _erase_staff_rows(session: AsyncSession, person: int) -> list[str | None]:
    """The yearly staff list's row linked to the person (their name, position, department,
    hire date as the curator imported them) exists for the programme — inviting and linking
    people — so it goes. A later import of a staff file that still names them lists them
    again as not registered: that is the college's new list, not the old row kept."""
    traces: list[str | None] = []
    for row in await session.scalars(
        select(StaffMember).where(StaffMember.participant_id == person)
    ):
        traces += [
            " ".join(p for p in (row.surname, row.name, row.patronymic) if p),
            f"{row.surname} {row.name}",
        ]
        await session.delete(row)
    return traces


async def _scrub_site(session: AsyncSession, needles: list[str]) -> None:
    """The college site's items (news, a best case's description) keep the text, with the
    person's name and texts replaced (publication needs its own consent, withdrawn with the
    rest). Signed papers, replacements and event guests hold only ids, kinds and dates: they
    stay, like the consent records, pointing to a participant row with no name."""
    if not needles:
        return
    for item in await session.scalars(
        select(SiteItem).where(
            or_(
                *(SiteItem.title.contains(needle, autoescape=True) for needle in needles),
                *(SiteItem.body.contains(needle, autoescape=True) for needle in needles),
            )
        )
    ):
        item.title, item.body = _scrub(item.title, needles), _scrub(item.body, needles)
    # A best practice's description (written by the mentor or the curator) keeps its text too.
    parts = (CaseDescription.goal, CaseDescription.done, CaseDescription.results)
    for row in await session.scalars(
        select(CaseDescription).where(
            or_(
                *(
                    column.contains(needle, autoescape=True)
                    for column in (*parts, CaseDescription.lessons)
                    for needle in needles
                )
            )
        )
    ):
        for key in ("goal", "done", "results", "lessons"):
            setattr(row, key, _scrub(getattr(row, key), needles))


def _profile_texts(participant: Participant) -> list[str | None]:
    texts: list[str | None] = [
        participant.full_name,
        participant.position,
        participant.department,
        participant.subjects,
    ]
    if participant.mentee_profile is not None:
        texts += [
            participant.mentee_profile.learning_goals,
            participant.mentee_profile.difficulties_other,
        ]
    if participant.mentor_profile is not None:
        texts += [
            participant.mentor_profile.competences,
            participant.mentor_profile.mentor_subjects,
        ]
    return texts


async def _erase_journal(session: AsyncSession, person: int) -> list[str | None]:
    traces: list[str | None] = []
    for meeting in await session.scalars(select(Meeting).where(Meeting.author_id == person)):
        traces += [meeting.topic, meeting.done, meeting.result, meeting.next_assignment]
        meeting.topic = meeting.done = meeting.result = ERASED
        meeting.next_assignment = None
    for message in await session.scalars(
        select(PairMessage).where(PairMessage.author_id == person)
    ):
        traces.append(message.text)
        message.text = ERASED
    # Answers they gave: to messages of pairs they were in, written by someone else.
    their_pairs = select(Pair.id).where(
        or_(
            Pair.mentor_id == person,
            Pair.id.in_(select(PairMember.pair_id).where(PairMember.mentee_id == person)),
        )
    )
    for message in await session.scalars(
        select(PairMessage).where(
            PairMessage.pair_id.in_(their_pairs),
            PairMessage.author_id != person,
            PairMessage.answer.is_not(None),
        )
    ):
        if await _answered_by(session, message, person):
            traces.append(message.answer)
            message.answer = ERASED
    return traces


async def _answered_by(session: AsyncSession, message: PairMessage, person: int) -> bool:
    """A question is answered by the other side of the pair: the mentor for a mentee's
    question, a mentee for the mentor's."""
    pair = await session.get(Pair, message.pair_id)
    if pair is None:
        return False
    if message.author_id == pair.mentor_id:
        return person != pair.mentor_id
    return person == pair.mentor_id


async def _erase_programme_texts(
    session: AsyncSession, participant: Participant
) -> list[str | None]:
    person = participant.id
    traces: list[str | None] = []
    for pair in await session.scalars(select(Pair).where(Pair.mentor_id == person)):
        traces.append(pair.mentor_decline_reason)
        pair.mentor_decline_reason = None
    for member in await session.scalars(select(PairMember).where(PairMember.mentee_id == person)):
        traces.append(member.decline_reason)
        member.decline_reason = None
    as_mentee = select(PairMember.pair_id).where(PairMember.mentee_id == person)
    for programme in await session.scalars(
        select(Programme).where(Programme.pair_id.in_(as_mentee))
    ):
        traces.append(programme.mentee_comment)
        programme.mentee_comment = None
    for activity in await session.scalars(select(Activity).where(Activity.reported_by == person)):
        traces.append(activity.report_comment)
        activity.report_comment = None
        activity.evidence_file_id = activity.evidence_kind = None
    for part in await session.scalars(
        select(ActivityProgress).where(ActivityProgress.reported_by == person)
    ):
        traces.append(part.report_comment)
        part.report_comment = None
        part.evidence_file_id = part.evidence_kind = None
    for part in await session.scalars(
        select(ActivityProgress).where(ActivityProgress.reviewed_by == person)
    ):
        traces.append(part.review_comment)
        part.review_comment = None
    as_mentor = select(Programme.id).join(Pair, Pair.id == Programme.pair_id)
    for activity in await session.scalars(
        select(Activity).where(
            Activity.programme_id.in_(as_mentor.where(Pair.mentor_id == person)),
            Activity.review_comment.is_not(None),
        )
    ):
        traces.append(activity.review_comment)
        activity.review_comment = None
    return traces


async def _erase_requests(session: AsyncSession, participant: Participant) -> list[str | None]:
    traces: list[str | None] = []
    for request in await session.scalars(
        select(Request).where(Request.author_id == participant.id)
    ):
        traces.append(request.reason)
        request.reason = ERASED
    for request in await session.scalars(
        select(Request).where(Request.decided_by == participant.telegram_id)
    ):
        traces.append(request.decision_comment)
        request.decision_comment = None
    return traces


async def _erase_surveys(session: AsyncSession, person: int) -> list[str | None]:
    traces: list[str | None] = []
    for answer in await session.scalars(
        select(SurveyAnswer).where(SurveyAnswer.participant_id == person)
    ):
        traces.append(answer.comment)
        answer.comment = None
    return traces


async def _erase_broadcasts(session: AsyncSession, telegram_id: int) -> list[str | None]:
    traces: list[str | None] = []
    for broadcast in await session.scalars(
        select(Broadcast).where(Broadcast.author_telegram_id == telegram_id)
    ):
        traces.append(broadcast.text)
        broadcast.text = ERASED
        broadcast.media_kind = broadcast.media_file_id = None
    return traces


async def _erase_outbox(
    session: AsyncSession, chat_id: int, traces: list[str | None], now: datetime
) -> None:
    """Messages to the person: emptied, and never sent if still queued. Messages to others:
    the person's name and texts replaced wherever they appear (text and buttons)."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.FAILED)),
        )
        .values(status=OutboxStatus.FAILED, last_error=ERASED_NOTE)
    )
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id)
        .values(text="", reply_markup=None, media_kind=None, media_file_id=None)
    )
    # The person's own unfinished forms (bot.sqlstorage) hold their typed answers.
    await session.execute(delete(FormDraft).where(FormDraft.user_id == chat_id))
    needles = _needles(traces)
    if not needles:
        return
    found = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.chat_id != chat_id,
            or_(
                OutboxMessage.reply_markup.is_not(None),
                *(OutboxMessage.text.contains(needle, autoescape=True) for needle in needles),
            ),
        )
    )
    for message in found:
        text = _scrub(message.text, needles)
        if text != message.text:
            message.text = text
        if message.reply_markup is not None:
            dumped = json.dumps(message.reply_markup, ensure_ascii=False)
            scrubbed = _scrub(dumped, [json.dumps(n, ensure_ascii=False)[1:-1] for n in needles])
            if scrubbed != dumped:
                message.reply_markup = json.loads(scrubbed)


def _needles(traces: list[str | None]) -> list[str]:
    found: set[str] = set()
    for trace in traces:
        if trace and len(trace.strip()) >= _MIN_TRACE and trace.strip() != ERASED:
            found.update({trace.strip(), escape(trace.strip())})
    return sorted(found, key=len, reverse=True)  # the longest first: no half-replaced text


def _scrub(text: str, needles: list[str]) -> str:
    for needle in needles:
        if needle in text:
            text = text.replace(needle, ERASED)
    return text
