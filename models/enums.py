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
    PUBLICATION = "publication"  # name and results on the college site, 152-FZ art. 10.1


class PaperKind(StrEnum):
    """Consents whose signed paper the curator keeps."""

    PERSONAL_DATA = "personal_data"  # 152-FZ
    MENTORING = "mentoring"  # §6.2
    PAIR = "pair"  # §6.3.5: consent to a pair or group


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


def _typed(labels: list[tuple[StrEnum, str]]) -> dict[tuple[type, str], str]:
    # StrEnum members equal their values ("approved" is a ProgrammeStatus and a
    # RequestStatus), so labels are given as pairs and keyed by the enum type as well.
    return {(type(member), member.value): text for member, text in labels}


def label_id(member: StrEnum) -> str | None:
    """The gettext id of an enum member's label."""
    return LABELS.get((type(member), member.value))


LABELS: dict[tuple[type, str], str] = _typed(
    [
        (Role.MENTEE, N_("Mentee (I want a mentor)")),
        (Role.MENTOR, N_("Mentor candidate")),
        (Role.BOTH, N_("Both")),
        (Qualification.NONE, N_("No category")),
        (Qualification.POSITION_MATCH, N_("Meets the position requirements")),
        (Qualification.FIRST, N_("First category")),
        (Qualification.HIGHEST, N_("Highest category")),
        (MentoringForm.TRADITIONAL, N_("Traditional (one-to-one)")),
        (MentoringForm.GROUP, N_("Group")),
        (MentoringForm.VIRTUAL, N_("Virtual (remote)")),
        (MentoringForm.SHORT_TERM, N_("Short-term / goal-setting")),
        (MentoringForm.REVERSE, N_("Reverse")),
        (MentoringForm.SITUATIONAL, N_("Situational")),
        (MentoringForm.SPEED, N_("Speed mentoring")),
        (Difficulty.LESSON_DESIGN, N_("Planning and running lessons")),
        (Difficulty.DISCIPLINE, N_("Discipline and managing a group of students")),
        (Difficulty.DOCUMENTATION, N_("Curricula, lesson plans, registers")),
        (Difficulty.DIGITAL, N_("Digital tools and distance learning")),
        (Difficulty.ASSESSMENT, N_("Assessment and assessment materials")),
        (Difficulty.GROUP_CURATORSHIP, N_("Curating a student group, work with parents")),
        (Difficulty.PROJECTS, N_("Students' projects and research")),
        (Difficulty.COMPETITIONS, N_("Preparing students for contests and demo exams")),
        (Difficulty.WORKLOAD, N_("Workload and time management")),
        (Difficulty.ADAPTATION, N_("Adapting to the college and the team")),
        (MentorStatus.CANDIDATE, N_("candidate, awaiting the curator's decision")),
        (MentorStatus.ACCEPTED, N_("in the bank of mentors")),
        (MentorStatus.REJECTED, N_("not accepted into the bank of mentors")),
        (ConsentKind.PERSONAL_DATA, N_("Consent to personal data processing")),
        (ConsentKind.MENTORING, N_("Consent to act as a mentor")),
        (PaperKind.PERSONAL_DATA, N_("Consent to personal data processing")),
        (PaperKind.MENTORING, N_("Consent to act as a mentor")),
        (PaperKind.PAIR, N_("Consent to the mentoring pair or group")),
        (ConsentKind.PUBLICATION, N_("Consent to publishing my name on the college site")),
    ]
)


class PairType(StrEnum):
    """Pair types of §5.3."""

    TEACHER_TEACHER = "teacher_teacher"
    HEAD_TEACHER = "head_teacher"
    TEACHER_YOUNG = "teacher_young"


class PairStatus(StrEnum):
    PROPOSED = "proposed"  # waiting for everyone's consent (§4.2, §9.2)
    DECLINED = "declined"  # somebody declined; back to the curator
    ACCEPTED = "accepted"  # everyone agreed; waiting for the director's order
    ACTIVE = "active"  # approved by order
    CLOSED = "closed"  # the programme completed or ended


class ProgrammeStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # shown to the mentee(s)
    AGREED = "agreed"  # the mentee(s) agreed; waiting for the curator
    APPROVED = "approved"  # running
    COMPLETED = "completed"  # §10.1.1
    ENDED_EARLY = "ended_early"  # §10.1.2 or §10.1.3


class EndReason(StrEnum):
    """The three reasons of §10.1."""

    PLAN_DONE = "plan_done"
    BY_PARTICIPANT = "by_participant"
    BY_CURATOR = "by_curator"


class Side(StrEnum):
    """Who someone is to a pair: its mentor, one of its mentees, or a curator looking at it."""

    MENTOR = "mentor"
    MENTEE = "mentee"
    CURATOR = "curator"
    # A teacher the mentor brought in with their consent (§7.1.1): reads the programme and logs
    # meetings; never returned by `Pair.side_of`, so no member's right reaches them.
    CO_MENTOR = "co_mentor"


class CoMentorStatus(StrEnum):
    """A teacher the mentor brings in to help the mentee (§7.1.1), with their consent."""

    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ENDED = "ended"  # removed by the mentor or a curator, left, or their consent withdrawn


class ProposalStatus(StrEnum):
    """The curator's or the director's answer to a mentor's proposal (§7.2.6, §7.2.7)."""

    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Responsible(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"
    BOTH = "both"


class ActivityStatus(StrEnum):
    PLANNED = "planned"
    REPORTED = "reported"  # the mentee reported it done
    CONFIRMED = "confirmed"  # the mentor confirmed
    RETURNED = "returned"  # the mentor returned it with a comment


class RequestKind(StrEnum):
    REPLACEMENT = "replacement"  # mentee: another mentor, §8.1.5
    RELEASE = "release"  # mentor: release me, §7.1.3
    DEADLINE = "deadline"  # either: move an activity's deadline, §10.2
    EXTENSION = "extension"  # either: extend the programme, §10.2
    EARLY_END = "early_end"  # either: end early for good reasons, §10.1.2
    DUTY_RELEASE = "duty_release"  # either: time off duties for a plan activity, the director, §4.3


class RequestStatus(StrEnum):
    AWAITING_PARTNER = "awaiting_partner"  # §10.2: the other side agrees first
    PENDING = "pending"  # with the curator
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # the other side declined, or the pair closed


class ChangeStatus(StrEnum):
    """A proposal to change an approved programme (§10.2)."""

    OPEN = "open"  # waiting for the mentor's and each mentee's answer
    AGREED = "agreed"  # everyone agreed: applied as the programme's next version
    REJECTED = "rejected"  # someone did not agree
    WITHDRAWN = "withdrawn"  # its author took it back before everyone answered


class MessageKind(StrEnum):
    QUESTION = "question"  # §8.1.3
    PROPOSAL = "proposal"  # §8.1.4


LABELS.update(
    _typed(
        [
            (StaffRole.CURATOR, N_("curator")),
            (StaffRole.DIRECTOR, N_("director")),
            (PairType.TEACHER_TEACHER, N_("teacher – teacher")),
            (PairType.HEAD_TEACHER, N_("head of the college – teacher")),
            (PairType.TEACHER_YOUNG, N_("teacher – young teacher")),
            (PairStatus.PROPOSED, N_("proposed, waiting for consent")),
            (PairStatus.DECLINED, N_("declined")),
            (PairStatus.ACCEPTED, N_("accepted, waiting for the order")),
            (PairStatus.ACTIVE, N_("active")),
            (PairStatus.CLOSED, N_("closed")),
            (ProgrammeStatus.DRAFT, N_("draft")),
            (ProgrammeStatus.SUBMITTED, N_("sent to the mentee")),
            (ProgrammeStatus.AGREED, N_("agreed, waiting for the curator")),
            (ProgrammeStatus.APPROVED, N_("in progress")),
            (ProgrammeStatus.COMPLETED, N_("completed")),
            (ProgrammeStatus.ENDED_EARLY, N_("ended early")),
            (EndReason.PLAN_DONE, N_("the plan is fully done (§10.1.1)")),
            (EndReason.BY_PARTICIPANT, N_("ended early by the mentor or mentee (§10.1.2)")),
            (EndReason.BY_CURATOR, N_("ended by the curator (§10.1.3)")),
            (Responsible.MENTEE, N_("mentee")),
            (Responsible.MENTOR, N_("mentor")),
            (Responsible.BOTH, N_("mentor and mentee")),
            (ActivityStatus.PLANNED, N_("planned")),
            (ActivityStatus.REPORTED, N_("reported, awaiting confirmation")),
            (ActivityStatus.CONFIRMED, N_("done")),
            (ActivityStatus.RETURNED, N_("returned for rework")),
            (RequestKind.REPLACEMENT, N_("replace my mentor")),
            (RequestKind.RELEASE, N_("release me from mentoring")),
            (RequestKind.DEADLINE, N_("change an activity's deadline")),
            (RequestKind.EXTENSION, N_("extend the programme")),
            (RequestKind.EARLY_END, N_("end the programme early")),
            (RequestKind.DUTY_RELEASE, N_("release from duties for a plan activity (§4.3)")),
            (RequestStatus.AWAITING_PARTNER, N_("waiting for the other side")),
            (RequestStatus.PENDING, N_("with the curator")),
            (RequestStatus.APPROVED, N_("approved")),
            (RequestStatus.REJECTED, N_("rejected")),
            (RequestStatus.WITHDRAWN, N_("withdrawn")),
            (ChangeStatus.OPEN, N_("waiting for everyone's answer")),
            (ChangeStatus.AGREED, N_("agreed by everyone and applied")),
            (ChangeStatus.REJECTED, N_("not agreed")),
            (ChangeStatus.WITHDRAWN, N_("withdrawn by its author")),
            (CoMentorStatus.INVITED, N_("invited, waiting for their consent")),
            (CoMentorStatus.ACCEPTED, N_("agreed, helps the pair")),
            (CoMentorStatus.DECLINED, N_("declined the invitation")),
            (CoMentorStatus.ENDED, N_("no longer a co-mentor")),
            (ProposalStatus.OPEN, N_("waiting for the curator or the director")),
            (ProposalStatus.ACCEPTED, N_("accepted")),
            (ProposalStatus.DECLINED, N_("declined")),
        ]
    )
)
