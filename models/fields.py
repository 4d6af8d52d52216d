"""Rules for the answers participants type: lengths, ranges, allowed options.

Handlers parse input with these and show `InvalidValue.message` (a gettext id) on failure,
so the registration form and profile editing enforce exactly the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from models.enums import Difficulty, MentoringForm, PairType, Qualification, Responsible, Role
from models.errors import InvalidValue, NotFound
from models.i18n_marker import N_

FieldKind = Literal["text", "int", "choice", "multi"]
# Letters, with spaces, hyphens, dots and apostrophes between them (Петрова-Водкина, O'Neil).
_PERSON_NAME = re.compile(r"^[^\W\d_]+(?:[ .\-'’]+[^\W\d_]+)*\.?$")
# Control characters (all but tab and newline): invisible, and refused by XLSX and DOCX files;
# bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069, the marks U+200E, U+200F,
# U+061C), which make a name or a file name read differently from what it is; zero-width
# spaces and joiners (U+200B–U+200D, U+2060, U+FEFF), which make two equal names differ.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
# Database integers are 32-bit: a larger number typed or forged never reaches a query.
MAX_ID = 2**31 - 1


def printable(text: str) -> str:
    """The text without control, bidi and zero-width characters, for storing and documents."""
    return _CONTROL.sub("", text)


def check_id(value: int) -> int:
    """A row number typed or taken from a button: out of range means there is no such row."""
    if not 0 < value <= MAX_ID:
        raise NotFound()
    return value


@dataclass(frozen=True)
class FieldSpec:
    key: str
    kind: FieldKind
    prompt: str  # gettext id
    label: str  # gettext id, used on the profile card and the edit menu
    max_length: int = 0
    min_value: int = 0
    max_value: int = 0
    options: tuple[StrEnum, ...] = ()
    min_selected: int = 0
    optional: bool = False  # a text step that may be skipped
    person_name: bool = False

    def clean(self, raw: str | None, *, typed: bool = True) -> str | int:
        """Validate typed input for a text or number field; a message without text is empty
        (`typed=False`: an answer stored before a rule for typing was added, such as the two
        words of a full name)."""
        raw = printable(raw or "")
        text = " ".join(raw.split()) if self.kind == "int" or self.person_name else raw.strip()
        if not text:
            raise InvalidValue(N_("Please send the answer as text."))
        if text.startswith("/"):
            raise InvalidValue(
                N_("That looks like a command. Type the answer, or send /cancel to stop.")
            )
        if self.kind == "int":
            return self._clean_int(text)
        if len(text) > self.max_length:
            raise InvalidValue(
                N_("That is too long: at most {limit} characters, you sent {length}."),
                limit=self.max_length,
                length=len(text),
            )
        if self.person_name and not _PERSON_NAME.match(text):
            raise InvalidValue(N_("Please type your full name in letters, e.g. Ivanova Maria."))
        if self.person_name and typed and len(text.split()) < 2:
            raise InvalidValue(
                N_("Please type at least the surname and the first name, e.g. Ivanova Maria.")
            )
        if self.person_name and (text.islower() or text.isupper()):
            return name_capitalised(text)
        return text

    def _clean_int(self, text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise InvalidValue(
                N_("Please send a whole number from {low} to {high}."),
                low=self.min_value,
                high=self.max_value,
            ) from None
        if not self.min_value <= value <= self.max_value:
            raise InvalidValue(
                N_("The number must be from {low} to {high}."),
                low=self.min_value,
                high=self.max_value,
            )
        return value

    def coerce(self, value: object) -> object:
        """Validate a stored or typed answer of any kind (None only for optional fields)."""
        if self.kind == "multi":
            return self.clean_selection(value if isinstance(value, list | tuple) else [])
        if value is None or value == "":
            if self.optional:
                return None
            raise InvalidValue(N_("Please send the answer as text."))
        if self.kind == "choice":
            return self.option(str(value))
        return self.clean(str(value), typed=False)

    def text(self, value: object) -> str | None:
        """A text answer, validated (None only where the field is optional)."""
        if self.kind != "text":
            raise TypeError(f"{self.key} is not a text field")
        cleaned = self.coerce(value)
        return None if cleaned is None else str(cleaned)

    def option(self, code: str) -> StrEnum:
        """The option with this code; unknown codes (stale or forged buttons) are refused."""
        for option in self.options:
            if option.value == code:
                return option
        raise InvalidValue(N_("This button is no longer valid."))

    def clean_selection(self, codes: Iterable[str]) -> list[str]:
        chosen = {self.option(code).value for code in codes}
        if len(chosen) < self.min_selected:
            raise InvalidValue(N_("Choose at least one option."))
        # Keep the declared order so the stored list is stable.
        return [option.value for option in self.options if option.value in chosen]


def name_capitalised(text: str) -> str:
    """«орлова ольга» or «ОРЛОВА ОЛЬГА» → «Орлова Ольга» (each part of a double name too:
    «салтыкова-щедрина» → «Салтыкова-Щедрина»). A name typed with capitals of its own
    («ван дер Берг») is left as typed by the caller."""
    return " ".join(
        "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))
        for word in text.split(" ")
    )


FIELDS: dict[str, FieldSpec] = {
    spec.key: spec
    for spec in (
        FieldSpec(
            "full_name",
            "text",
            N_("Your full name (surname, first name, patronymic):"),
            N_("Full name"),
            max_length=150,
            person_name=True,
        ),
        FieldSpec("position", "text", N_("Your position (e.g. teacher):"), N_("Position"), 150),
        FieldSpec(
            "department",
            "text",
            N_("Your department or cycle commission (ПЦК):"),
            N_("Department"),
            150,
        ),
        FieldSpec(
            "subjects",
            "text",
            N_("Subjects you teach (comma-separated):"),
            N_("Subjects"),
            500,
        ),
        FieldSpec(
            "experience_years",
            "int",
            N_("Teaching experience in full years (a number from 0 to 60):"),
            N_("Teaching experience, years"),
            min_value=0,
            max_value=60,
        ),
        FieldSpec(
            "qualification",
            "choice",
            N_("Your qualification category:"),
            N_("Qualification category"),
            options=tuple(Qualification),
        ),
        FieldSpec(
            "difficulties",
            "multi",
            N_(
                "Which professional difficulties do you have? Tap all that apply, then Done. "
                "You can add your own in the next step."
            ),
            N_("Difficulties"),
            options=tuple(Difficulty),
        ),
        FieldSpec(
            "difficulties_other",
            "text",
            N_("Anything else that is difficult? Describe it in your own words, or tap Skip."),
            N_("Other difficulties"),
            1000,
            optional=True,
        ),
        FieldSpec(
            "learning_goals",
            "text",
            N_("What would you like to learn or improve with a mentor?"),
            N_("What I want to learn"),
            1000,
        ),
        FieldSpec(
            "mentee_forms",
            "multi",
            N_("Which forms of mentoring would suit you? Tap all that apply, then Done."),
            N_("Preferred forms of mentoring"),
            options=tuple(MentoringForm),
            min_selected=1,
        ),
        FieldSpec(
            "competences",
            "text",
            N_(
                "Your competences and expertise as a mentor (methods, technologies, "
                "achievements you can share):"
            ),
            N_("Competences"),
            1000,
        ),
        FieldSpec(
            "mentor_subjects",
            "text",
            N_("Subjects or areas in which you can mentor:"),
            N_("Mentoring subjects"),
            500,
        ),
        FieldSpec(
            "mentor_forms",
            "multi",
            N_("Which forms of mentoring can you offer? Tap all that apply, then Done."),
            N_("Forms of mentoring offered"),
            options=tuple(MentoringForm),
            min_selected=1,
        ),
        FieldSpec(
            "capacity",
            "int",
            N_("How many mentees can you take at once? (1 to 10)"),
            N_("Mentees at once"),
            min_value=1,
            max_value=10,
        ),
    )
}

PROFILE_KEYS = (
    "full_name",
    "position",
    "department",
    "subjects",
    "experience_years",
    "qualification",
)
MENTEE_KEYS = ("difficulties", "difficulties_other", "learning_goals", "mentee_forms")
MENTOR_KEYS = ("competences", "mentor_subjects", "mentor_forms", "capacity")

ROLE_FIELD = FieldSpec(
    "role",
    "choice",
    N_(
        "In which role do you want to take part? A mentor candidate joins the bank of mentors "
        "after the curator's approval."
    ),
    N_("Role"),
    options=tuple(Role),
)
FIELDS[ROLE_FIELD.key] = ROLE_FIELD


def check_difficulties(difficulties: list[str] | None, other: str | None) -> None:
    """A mentee names at least one difficulty, from the list or in their own words."""
    if not difficulties and not other:
        raise InvalidValue(N_("Name at least one difficulty: pick from the list or describe it."))


def text_field(
    key: str, prompt: str, label: str, limit: int, *, optional: bool = False
) -> FieldSpec:
    return FieldSpec(key, "text", prompt, label, limit, optional=optional)


for _spec in (
    text_field("decline_reason", N_("Why? (optional: tap Skip)"), N_("Reason"), 500, optional=True),
    text_field("order_number", N_("Number of the director's order:"), N_("Order number"), 50),
    text_field("goal", N_("The goal of the programme:"), N_("Goal"), 1000),
    text_field(
        "programme_difficulties",
        N_("The professional difficulties the programme addresses:"),
        N_("Difficulties addressed"),
        1000,
    ),
    text_field(
        "strengths", N_("The mentee's strengths to support:"), N_("Strengths to support"), 1000
    ),
    text_field("activity_title", N_("Title of the activity:"), N_("Activity"), 200),
    text_field(
        "activity_description",
        N_("Short description (optional: tap Skip):"),
        N_("Description"),
        1000,
        optional=True,
    ),
    text_field(
        "expected_result",
        N_("Expected result: what will show the activity is done (type it or tap Skip):"),
        N_("Expected result"),
        1000,
        optional=True,
    ),
    text_field("comment", N_("Your comment:"), N_("Comment"), 1000),
    text_field(
        "change_comment",
        N_("Why do you not agree? A comment for the others (type it or tap Skip):"),
        N_("Comment"),
        1000,
        optional=True,
    ),
    text_field("report_comment", N_("What was done? A short comment:"), N_("Report"), 1000),
    text_field("meeting_topic", N_("Topic of the meeting:"), N_("Topic"), 200),
    text_field("meeting_done", N_("What was done at the meeting?"), N_("What was done"), 1000),
    text_field("meeting_result", N_("The result:"), N_("Result"), 1000),
    text_field(
        "meeting_next",
        N_("The next assignment (optional: tap Skip):"),
        N_("Next assignment"),
        1000,
        optional=True,
    ),
    text_field("request_reason", N_("Explain the reason:"), N_("Reason"), 1000),
    text_field("message_text", N_("Type your message:"), N_("Message"), 2000),
    text_field(
        "survey_comment",
        N_("Anything to add? (optional: tap Skip)"),
        N_("Comment"),
        1000,
        optional=True,
    ),
):
    FIELDS[_spec.key] = _spec


_DATE = re.compile(r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})\s*$")


# Every date of the programme's life falls in this range: 1900 or 2999 is a typing slip.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2099


def parse_date(text: str | None, today: date, prefer: str = "current_period") -> date:
    """A date as people type it: ДД.ММ.ГГГГ or ДД.ММ.ГГ (dots, slashes or dashes), or words
    in Russian or English («сегодня», «завтра», «15 марта», «через 2 недели») read by
    dateparser against `today`; «31.02.2026» is told there is no such date. `prefer` says
    which «15 марта» is meant: "future", "past" or "current_period" (this year's)."""
    typed = " ".join((text or "").split())[:60]
    value: date | None
    match = _DATE.match(typed)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            value = date(year + 2000 if year < 100 else year, month, day)
        except ValueError:
            raise InvalidValue(
                N_("There is no such date: {date}. Please check the day and the month."),
                date=typed,
            ) from None
    elif any(char.isalpha() for char in typed):
        value = _words(typed, today, prefer)
    else:
        value = None
    if value is None:
        raise InvalidValue(
            N_(
                "Please type the date as DD.MM.YYYY (15.10.2026, 15.10.26) or in words "
                "(«завтра», «15 марта», «через 2 недели»)."
            )
        )
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise InvalidValue(
            N_("Please check the year: a date from {low} to {high} is expected."),
            low=EARLIEST_YEAR,
            high=LATEST_YEAR,
        )
    return value


def _words(typed: str, today: date, prefer: str) -> date | None:
    import dateparser  # loaded on the first date typed in words (it takes a second)

    found = dateparser.parse(
        typed,
        languages=["ru", "en"],
        settings={
            "RELATIVE_BASE": datetime.combine(today, datetime.min.time()),
            "PREFER_DATES_FROM": prefer,
            "DATE_ORDER": "DMY",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    return found.date() if found is not None else None


def check_not_future(value: date, today: date) -> date:
    """A meeting is logged after it took place (checked at the date step, not at the end)."""
    if value > today:
        raise InvalidValue(
            N_("A meeting is logged after it took place: the date is in the future.")
        )
    return value


for _spec in (
    FieldSpec(
        "pair_forms",
        "multi",
        N_("Forms of mentoring for this pair (several may combine). Tap, then Done:"),
        N_("Forms"),
        options=tuple(MentoringForm),
        min_selected=1,
    ),
    FieldSpec(
        "pair_type",
        "choice",
        N_("Type of the pair:"),
        N_("Pair type"),
        options=tuple(PairType),
    ),
    FieldSpec(
        "responsible",
        "choice",
        N_("Who is responsible for it?"),
        N_("Responsible"),
        options=tuple(Responsible),
    ),
):
    FIELDS[_spec.key] = _spec
