"""SQLAlchemy tables and the domain rules that change them. Never imports aiogram."""

from models.base import Base
from models.consent import Consent
from models.participant import Participant
from models.profiles import MenteeProfile, MentorProfile

__all__ = ["Base", "Consent", "MenteeProfile", "MentorProfile", "Participant"]
