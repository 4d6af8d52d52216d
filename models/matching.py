"""Ranking mentors for a mentee by the criteria of §9.1: the mentor's profile and experience
should answer the mentee's requests; shared forms make mutual work easier."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Difficulty, MentorStatus, ParticipantStatus
from models.errors import NotFound
from models.i18n_marker import N_, NP_
from models.names import morph
from models.pairs import excluded, mentor_load
from models.participant import Participant, get_participant_by_id
from models.profiles import MentorProfile

# Word stems (lower case) that, found in a mentor's competences, answer a difficulty.
DIFFICULTY_STEMS: dict[Difficulty, tuple[str, ...]] = {
    Difficulty.LESSON_DESIGN: ("занят", "урок", "методик", "lesson", "teaching"),
    Difficulty.DISCIPLINE: ("дисциплин", "групп", "класс", "discipline", "classroom"),
    Difficulty.DOCUMENTATION: ("документ", "программ", "ктп", "журнал", "document", "curricul"),
    Difficulty.DIGITAL: ("цифр", "дистанц", "онлайн", "икт", "digital", "online", "moodle"),
    Difficulty.ASSESSMENT: ("оцен", "фос", "контрол", "assess", "grading"),
    Difficulty.GROUP_CURATORSHIP: ("куратор", "родител", "воспит", "parent", "tutor"),
    Difficulty.PROJECTS: ("проект", "исследов", "project", "research"),
    Difficulty.COMPETITIONS: ("конкурс", "чемпионат", "worldskills", "профессионал", "демоэкз"),
    Difficulty.WORKLOAD: ("тайм", "нагруз", "планир", "time", "workload"),
    Difficulty.ADAPTATION: ("адаптац", "коллектив", "молод", "adapt", "newcomer"),
}
_WORD = re.compile(r"[^\W\d_]{3,}")
# Parts of speech that carry no topic (prepositions, conjunctions, particles, pronouns...).
_FUNCTION_WORDS = frozenset({"PREP", "CONJ", "PRCL", "INTJ", "NPRO", "PRED", "NUMR"})


_morph = morph  # one analyser for the process (models.names)


@functools.lru_cache(maxsize=20_000)
def lemma(word: str) -> str | None:
    """The dictionary form of a word («проектной» → «проектный»), None for a function word;
    words pymorphy3 does not know (English, abbreviations) stay as they are, lower-cased."""
    parsed = _morph().parse(word.lower().replace("ё", "е"))[0]
    if parsed.tag.POS in _FUNCTION_WORDS:
        return None
    return str(parsed.normal_form).replace("ё", "е")


def lemmas(text: str | None) -> set[str]:
    """The topic words of a text in their dictionary forms: «проектной деятельности» and
    «проектная деятельность» give the same set."""
    found = (lemma(word) for word in _WORD.findall(text or ""))
    return {word for word in found if word}


def _phrase(text: str) -> str:
    return " ".join(sorted(lemmas(text))) or text.strip().lower()


def _subjects(text: str | None) -> dict[str, str]:
    """Subjects listed with commas or semicolons, by their normalised form (the words'
    dictionary forms, in any order and case) → as typed."""
    parts = (part.strip() for part in re.split(r"[,;\n]", text or ""))
    return {_phrase(part): part for part in parts if part}


def _stems(text: str | None) -> set[str]:
    return {word for word in lemmas(text) if len(word) >= 4}


@dataclass
class MentorMatch:
    mentor: Participant
    score: int = 0
    # (message id, or singular and plural ids counted by params["count"]; params)
    reasons: list[tuple[str | tuple[str, str], dict[str, object]]] = field(default_factory=list)
    load: int = 0

    def add(self, points: int, reason: str | tuple[str, str], **params: object) -> None:
        self.score += points
        self.reasons.append((reason, params))


def score_mentor(mentee: Participant, mentor: Participant) -> MentorMatch:
    match = MentorMatch(mentor)
    wants = mentee.mentee_profile
    offers = mentor.mentor_profile
    assert wants is not None
    assert offers is not None
    wanted = _subjects(mentee.subjects)
    common = sorted(
        wanted[key]
        for key in wanted.keys()
        & (_subjects(offers.mentor_subjects).keys() | _subjects(mentor.subjects).keys())
    )
    if common:
        match.add(3 * len(common), N_("same subjects: {subjects}"), subjects=", ".join(common))
    if mentee.department and mentee.department.strip().lower() == (
        (mentor.department or "").strip().lower()
    ):
        match.add(2, N_("same department"))
    competences = (offers.competences or "").lower()
    answered = [
        code
        for code in wants.difficulties
        if any(stem in competences for stem in DIFFICULTY_STEMS.get(Difficulty(code), ()))
    ]
    if answered:
        match.add(
            2 * len(answered),
            NP_(
                "competences answer {count} of the difficulties",
                "competences answer {count} of the difficulties",
            ),
            count=len(answered),
        )
    shared_words = _stems(f"{wants.learning_goals} {wants.difficulties_other or ''}") & _stems(
        competences
    )
    if shared_words:
        match.add(min(len(shared_words), 3), N_("competences match what the mentee wants to learn"))
    forms = set(wants.mentee_forms) & set(offers.mentor_forms)
    if forms:
        match.add(
            len(forms),
            NP_("{count} preferred form in common", "{count} preferred forms in common"),
            count=len(forms),
        )
    if (mentor.experience_years or 0) >= (mentee.experience_years or 0) + 3:
        match.add(
            1,
            NP_("{count} year of teaching experience", "{count} years of teaching experience"),
            count=mentor.experience_years,
        )
    return match


async def rank_mentors(
    session: AsyncSession,
    mentee_id: int,
    limit: int = 5,
    *,
    shown_only: bool = False,
    include: int | None = None,
) -> list[MentorMatch]:
    """Mentors in the bank with a free place, best match first (ties: lighter load first);
    `shown_only`: those who agreed to be shown to mentees; `include`: this mentor is kept
    even below the first `limit` (the one the mentee asked for)."""
    mentee = await get_participant_by_id(session, mentee_id)
    if mentee is None or mentee.mentee_profile is None:
        raise NotFound(N_("This person is not in the bank of mentees."))
    mentors = await session.scalars(
        select(Participant)
        .join(MentorProfile, MentorProfile.participant_id == Participant.id)
        .where(
            MentorProfile.status == MentorStatus.ACCEPTED,
            Participant.status == ParticipantStatus.ACTIVE,
            Participant.archived_at.is_(None),
            Participant.id != mentee_id,
            *([MentorProfile.shown_to_mentees.is_(True)] if shown_only else []),
        )
    )
    matches = []
    for mentor in mentors:
        load = await mentor_load(session, mentor.id)
        profile = mentor.mentor_profile
        if (
            profile is None
            or load >= profile.capacity
            or await excluded(session, mentor.id, mentee_id)
        ):
            continue
        match = score_mentor(mentee, mentor)
        match.load = load
        matches.append(match)
    matches.sort(key=lambda m: (-m.score, m.load, m.mentor.id))
    return [m for n, m in enumerate(matches) if n < limit or m.mentor.id == include]
