"""Enumerations of the regulation's vocabulary. Labels are gettext message ids (N_)."""

from __future__ import annotations

from enum import StrEnum

from models.i18n_marker import N_


class ParticipantStatus(StrEnum):
    NEW = "new"  # only the Telegram id is known, no consent yet
    DECLINED = "declined"  # declined the personal-data consent
    REGISTERING = "registering"  # consent given, form not finished
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"  # withdrew consent; personal data erased


class StaffRole(StrEnum):
    CURATOR = "curator"
    DIRECTOR = "director"


class ConsentKind(StrEnum):
    PERSONAL_DATA = "personal_data"  # 152-FZ, roadmap stages 2-3
    MENTORING = "mentoring"  # written consent to act as a mentor, §6.2


class MentorStatus(StrEnum):
    CANDIDATE = "candidate"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Role(StrEnum):
    """What a person registers as."""

    MENTEE = "mentee"
    MENTOR = "mentor"
    BOTH = "both"


class Qualification(StrEnum):
    NONE = "none"
    POSITION_MATCH = "position_match"
    FIRST = "first"
    HIGHEST = "highest"


class MentoringForm(StrEnum):
    """The seven forms of §5.4; several may combine."""

    TRADITIONAL = "traditional"
    GROUP = "group"
    VIRTUAL = "virtual"
    SHORT_TERM = "short_term"
    REVERSE = "reverse"
    SITUATIONAL = "situational"
    SPEED = "speed"


class Difficulty(StrEnum):
    """Typical professional difficulties a mentee can name (plus free text)."""

    LESSON_DESIGN = "lesson_design"
    DISCIPLINE = "discipline"
    DOCUMENTATION = "documentation"
    DIGITAL = "digital"
    ASSESSMENT = "assessment"
    GROUP_CURATORSHIP = "group_curatorship"
    PROJECTS = "projects"
    COMPETITIONS = "competitions"
    WORKLOAD = "workload"
    ADAPTATION = "adaptation"


LABELS: dict[StrEnum, str] = {
    Role.MENTEE: N_("Mentee (I want a mentor)"),
    Role.MENTOR: N_("Mentor candidate"),
    Role.BOTH: N_("Both"),
    Qualification.NONE: N_("No category"),
    Qualification.POSITION_MATCH: N_("Meets the position requirements"),
    Qualification.FIRST: N_("First category"),
    Qualification.HIGHEST: N_("Highest category"),
    MentoringForm.TRADITIONAL: N_("Traditional (one-to-one)"),
    MentoringForm.GROUP: N_("Group"),
    MentoringForm.VIRTUAL: N_("Virtual (remote)"),
    MentoringForm.SHORT_TERM: N_("Short-term / goal-setting"),
    MentoringForm.REVERSE: N_("Reverse"),
    MentoringForm.SITUATIONAL: N_("Situational"),
    MentoringForm.SPEED: N_("Speed mentoring"),
    Difficulty.LESSON_DESIGN: N_("Planning and running lessons"),
    Difficulty.DISCIPLINE: N_("Discipline and managing a group of students"),
    Difficulty.DOCUMENTATION: N_("Curricula, lesson plans, registers"),
    Difficulty.DIGITAL: N_("Digital tools and distance learning"),
    Difficulty.ASSESSMENT: N_("Assessment and assessment materials"),
    Difficulty.GROUP_CURATORSHIP: N_("Curating a student group, work with parents"),
    Difficulty.PROJECTS: N_("Students' projects and research"),
    Difficulty.COMPETITIONS: N_("Preparing students for contests and demo exams"),
    Difficulty.WORKLOAD: N_("Workload and time management"),
    Difficulty.ADAPTATION: N_("Adapting to the college and the team"),
    MentorStatus.CANDIDATE: N_("candidate, awaiting the curator's decision"),
    MentorStatus.ACCEPTED: N_("in the bank of mentors"),
    MentorStatus.REJECTED: N_("not accepted into the bank of mentors"),
    ConsentKind.PERSONAL_DATA: N_("Consent to personal data processing"),
    ConsentKind.MENTORING: N_("Consent to act as a mentor"),
}
