"""SQLAlchemy tables and the domain rules that change them. Never imports aiogram."""

from models.approvals import BankDecision
from models.audit import AuditEntry
from models.base import Base
from models.broadcasts import Broadcast
from models.changes import ProgrammeChange
from models.choice import MentorWish
from models.comentors import CoMentor
from models.consent import Consent
from models.departments import Department
from models.forms import FormDraft
from models.invites import Invite
from models.journal import Meeting, PairMessage
from models.library import Material
from models.mentor_rights import MentorProposal
from models.outbox import OutboxMessage
from models.pairs import MentorReplacement, Pair, PairingExclusion, PairMember
from models.papers import SignedPaper
from models.participant import Participant
from models.profiles import MenteeProfile, MentorProfile
from models.programmes import Activity, Programme
from models.progress import ActivityProgress
from models.requests import Request
from models.roadmap import EventGuest, Roadmap, RoadmapEvent, RoadmapStage
from models.site import SiteItem
from models.staff import StaffImport, StaffMember
from models.surveys import SurveyAnswer
from models.updates import ProcessedUpdate

__all__ = [
    "Activity",
    "ActivityProgress",
    "AuditEntry",
    "BankDecision",
    "Base",
    "Broadcast",
    "CoMentor",
    "Consent",
    "Department",
    "EventGuest",
    "FormDraft",
    "Invite",
    "Material",
    "Meeting",
    "MenteeProfile",
    "MentorProfile",
    "MentorProposal",
    "MentorReplacement",
    "MentorWish",
    "OutboxMessage",
    "Pair",
    "PairMember",
    "PairMessage",
    "PairingExclusion",
    "Participant",
    "ProcessedUpdate",
    "Programme",
    "ProgrammeChange",
    "Request",
    "Roadmap",
    "RoadmapEvent",
    "RoadmapStage",
    "SignedPaper",
    "SiteItem",
    "StaffImport",
    "StaffMember",
    "SurveyAnswer",
]
