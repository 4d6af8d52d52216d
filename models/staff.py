"""The yearly list of teachers (§6.4.2): the staff list imported from an XLSX, who of them must
be mentored this year, their personal invitation links and who has not registered yet.

An import is read whole, checked row by row and shown to the curator as a preview; applying
it recomputes the difference against the current list and commits it at once (all or
nothing). A person is keyed by the full name folded to lower case with «ё» read as «е», so
the same file imported twice changes nothing."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models import formatting
from models.access import Actor
from models.audit import audit
from models.base import Base, utcnow
from models.enums import ParticipantStatus, Role
from models.errors import AlreadyDecided, InvalidValue, NotFound
from models.i18n_marker import N_
from models.invites import Invite, new_invite_code, well_formed
from models.participant import Participant
from models.statistics import academic_year

MAX_ROWS = 2000  # a college's staff is a few hundred; more is a wrong file
MAX_SCANNED = 20_000  # rows read at most (formatted empty rows included)
MAX_FILE_BYTES = 5 * 1024 * 1024
NAME_LENGTH = 50
TEXT_LENGTH = 150

# Column headings understood, folded (see `fold`); the first row holding them is the header.
COLUMNS: dict[str, tuple[str, ...]] = {
    "surname": ("фамилия", "surname", "last name"),
    "name": ("имя", "name", "first name"),
    "patronymic": ("отчество", "patronymic", "middle name"),
    "full_name": ("фио", "ф.и.о.", "ф. и. о.", "full name"),
    "position": ("должность", "position"),
    "department": (
        "отделение",
        "подразделение",
        "кафедра",
        "пцк",
        "цикловая комиссия",
        "department",
    ),
    "hire_date": (
        "дата приема",
        "дата приема на работу",
        "дата поступления на работу",
        "принят",
        "hire date",
        "hired",
    ),
    "young": ("молодой специалист", "молодой педагог", "young specialist"),
}
REQUIRED = ("position", "department", "hire_date", "young")
COLUMN_TITLES = {
    "surname": N_("surname"),
    "name": N_("name"),
    "patronymic": N_("patronymic"),
    "full_name": N_("full name"),
    "position": N_("position"),
    "department": N_("department"),
    "hire_date": N_("hire date"),
    "young": N_("young specialist"),
}
EXPECTED = ["surname", "name", "patronymic", *REQUIRED]
YES = {"да", "д", "yes", "y", "1", "+", "х", "x", "v", "✓", "true", "истина"}
NO = {"", "нет", "н", "no", "n", "0", "-", "–", "—", "false", "ложь"}


def fold(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


def person_key(surname: str, name: str, patronymic: str) -> str:
    return fold(f"{surname} {name} {patronymic}")


class StaffMember(Base):
    """A teacher on the yearly list; may not have opened the bot yet."""

    __tablename__ = "staff_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    surname: Mapped[str] = mapped_column(String(NAME_LENGTH))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    patronymic: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    position: Mapped[str] = mapped_column(String(TEXT_LENGTH))
    department: Mapped[str] = mapped_column(String(TEXT_LENGTH))
    hire_date: Mapped[date | None] = mapped_column(Date)
    young_specialist: Mapped[bool] = mapped_column(Boolean, default=False)
    year: Mapped[int] = mapped_column(Integer)  # the academic year of the list (its start)
    must_mentor: Mapped[bool] = mapped_column(Boolean, default=False)
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invites.id", ondelete="SET NULL"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.surname, self.name, self.patronymic) if part)


class StaffImport(Base):
    """A checked file waiting for the curator's «Apply» (the preview's rows, as JSON)."""

    __tablename__ = "staff_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    rows: Mapped[str] = mapped_column(Text)
    applied_at: Mapped[datetime | None]


@dataclass(frozen=True)
class Row:
    surname: str
    name: str
    patronymic: str
    position: str
    department: str
    hire_date: date | None
    young_specialist: bool

    @property
    def key(self) -> str:
        return person_key(self.surname, self.name, self.patronymic)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.surname, self.name, self.patronymic) if part)


@dataclass(frozen=True)
class Problem:
    """A row not taken (row 0: the whole file), with a gettext message id and its values."""

    row: int
    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedList:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    read: int = 0  # non-empty data rows found

    @property
    def refused(self) -> bool:
        """The whole file is refused (no header, too many rows, not a workbook)."""
        return any(problem.row == 0 for problem in self.problems)


def _refuse(message: str, **params: Any) -> ParsedList:
    return ParsedList(problems=[Problem(0, message, params)])


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _header(values: Iterable[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(values):
        heading = fold(_text(value)).rstrip(":*").strip()
        for column, names in COLUMNS.items():
            if heading in names and column not in found:
                found[column] = index
    return found


def _date(value: Any, today: date) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    else:
        text = _text(value).rstrip("г. ").strip()
        found: date | None = None
        for separator in (".", "/", "-"):
            parts = text.split(separator)
            if len(parts) == 3 and all(part.strip().isdigit() for part in parts):
                numbers = [int(part) for part in parts]
                day, month, year = numbers if len(parts[0]) <= 2 else numbers[::-1]
                if year < 100:
                    year += 2000 if year <= today.year % 100 else 1900
                try:
                    found = date(year, month, day)
                except ValueError:
                    raise InvalidValue(
                        N_("the hire date «{value}» does not exist"), value=text
                    ) from None
                break
        if found is None:
            raise InvalidValue(
                N_("the hire date «{value}» is not a date like 01.09.2024"), value=text[:30]
            )
        parsed = found
    if parsed > today:
        raise InvalidValue(
            N_("the hire date {value} is in the future"), value=formatting.day(parsed)
        )
    if parsed.year < 1940:
        raise InvalidValue(N_("the hire date {value} is too early"), value=formatting.day(parsed))
    return parsed


def _yes(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(_text(value))
    if text in YES or text.startswith("да"):
        return True
    if text in NO:
        return False
    raise InvalidValue(
        N_("«young specialist» is «{value}»; write «да» or «нет»"), value=_text(value)[:30]
    )


def _part(values: tuple[Any, ...], index: int | None) -> Any:
    return values[index] if index is not None and index < len(values) else None


def _row(values: tuple[Any, ...], columns: dict[str, int], today: date) -> Row:
    def text(column: str, limit: int) -> str:
        value = _text(_part(values, columns.get(column)))
        if len(value) > limit:
            raise InvalidValue(
                N_("the {column} is longer than {limit} characters"),
                column=column,
                limit=limit,
            )
        if any(not char.isprintable() for char in value):
            raise InvalidValue(N_("the {column} holds control characters"), column=column)
        return value

    if "full_name" in columns and "surname" not in columns:
        parts = text("full_name", 3 * NAME_LENGTH).split(" ", 2)
        surname, name, patronymic = [*parts, "", ""][:3]
    else:
        surname, name, patronymic = (
            text("surname", NAME_LENGTH),
            text("name", NAME_LENGTH),
            text("patronymic", NAME_LENGTH),
        )
    for value in (surname, name, patronymic):
        if len(value) > NAME_LENGTH:
            raise InvalidValue(
                N_("the {column} is longer than {limit} characters"),
                column="full_name",
                limit=NAME_LENGTH,
            )
    if not surname or not name:
        raise InvalidValue(N_("the surname or the name is empty"))
    if any(char.isdigit() for char in surname + name + patronymic):
        raise InvalidValue(N_("the name «{value}» holds digits"), value=f"{surname} {name}"[:60])
    position = text("position", TEXT_LENGTH)
    department = text("department", TEXT_LENGTH)
    if not position or not department:
        raise InvalidValue(N_("the position or the department is empty"))
    return Row(
        surname=surname,
        name=name,
        patronymic=patronymic,
        position=position,
        department=department,
        hire_date=_date(_part(values, columns.get("hire_date")), today),
        young_specialist=_yes(_part(values, columns.get("young"))),
    )


def parse_staff_workbook(data: bytes, today: date) -> ParsedList:
    """Read the first sheet: find the header, check every row; never raises on bad input."""
    if len(data) > MAX_FILE_BYTES:
        return _refuse(N_("The file is larger than 5 MB; a staff list is much smaller."))
    from openpyxl import load_workbook  # imported when used: ~22 MB a process need not keep
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        return _refuse(
            N_("This is not an Excel workbook (.xlsx). Save the list as .xlsx and send it again.")
        )
    try:
        return _parse_sheet(book.worksheets[0].iter_rows(values_only=True), today)
    except Exception:  # a damaged workbook may fail anywhere inside openpyxl
        return _refuse(N_("The workbook is damaged and cannot be read. Save it again as .xlsx."))
    finally:
        book.close()


def _parse_sheet(lines: Iterable[tuple[Any, ...]], today: date) -> ParsedList:
    columns: dict[str, int] = {}
    parsed = ParsedList()
    first: dict[str, tuple[int, Row]] = {}
    clashing: set[str] = set()
    for number, values in enumerate(lines, start=1):
        if number > MAX_SCANNED:
            break
        if not columns:
            found = _header(values)
            if {"position", "department"} <= set(found) or "surname" in found:
                columns = found
                has_name = {"surname", "name"} <= set(found) or "full_name" in found
                missing = [c for c in ("surname", "name") if not has_name and c not in found]
                missing += [column for column in REQUIRED if column not in found]
                if missing:
                    return _refuse(
                        N_("The list has no column: {columns}. Expected columns: {expected}."),
                        columns=missing,
                        expected=EXPECTED,
                    )
            elif number >= 10:
                break
            continue
        if all(_text(value) == "" for value in values):
            continue
        parsed.read += 1
        if parsed.read > MAX_ROWS:
            return _refuse(
                N_(
                    "The file has more than {limit} filled rows; a college's staff list is "
                    "shorter. Check that it is the right file, or split it."
                ),
                limit=MAX_ROWS,
            )
        try:
            row = _row(values, columns, today)
        except InvalidValue as error:
            parsed.problems.append(Problem(number, error.message, error.params))
            continue
        if row.key in first:
            earlier_number, earlier = first[row.key]
            if earlier == row:
                parsed.problems.append(
                    Problem(number, N_("repeats row {row}"), {"row": earlier_number})
                )
            else:
                clashing.add(row.key)
                parsed.problems.append(
                    Problem(
                        number,
                        N_("{name} is also in row {row} with other data"),
                        {"name": row.full_name, "row": earlier_number},
                    )
                )
            continue
        first[row.key] = (number, row)
    if not columns:
        return _refuse(
            N_("No header row found. Expected columns: {expected}."),
            expected=EXPECTED,
        )
    for key in clashing:  # neither of two different rows for one person is taken
        number, row = first.pop(key)
        parsed.problems.append(
            Problem(
                number,
                N_("{name} appears more than once with different data"),
                {"name": row.full_name},
            )
        )
    parsed.rows = [row for _number, row in sorted(first.values(), key=lambda item: item[0])]
    parsed.problems.sort(key=lambda problem: problem.row)
    return parsed


def must_mentor(row: Row | StaffMember, year: int) -> bool:
    """Young specialists, and teachers hired since 1 September of this academic year."""
    return row.young_specialist or (row.hire_date is not None and row.hire_date >= date(year, 9, 1))


FIELDS = ("position", "department", "hire_date", "young_specialist")


@dataclass
class Preview:
    added: list[Row] = field(default_factory=list)
    changed: list[Row] = field(default_factory=list)
    unchanged: int = 0
    removed: list[StaffMember] = field(default_factory=list)
    year: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


async def _current(session: AsyncSession) -> dict[str, StaffMember]:
    return {member.key: member for member in await session.scalars(select(StaffMember))}


def _differs(member: StaffMember, row: Row, year: int) -> bool:
    return (
        any(getattr(member, name) != getattr(row, name) for name in FIELDS)
        or (member.surname, member.name, member.patronymic)
        != (row.surname, row.name, row.patronymic)
        or member.year != year
    )


async def preview_import(session: AsyncSession, rows: list[Row], today: date) -> Preview:
    year = academic_year(today)[0].year
    current = await _current(session)
    preview = Preview(year=year)
    keys = set()
    for row in rows:
        keys.add(row.key)
        member = current.get(row.key)
        if member is None:
            preview.added.append(row)
        elif _differs(member, row, year):
            preview.changed.append(row)
        else:
            preview.unchanged += 1
    preview.removed = sorted(
        (member for key, member in current.items() if key not in keys), key=lambda m: m.key
    )
    return preview


def _encode(rows: list[Row]) -> str:
    return json.dumps(
        [
            {**asdict(row), "hire_date": row.hire_date.isoformat() if row.hire_date else None}
            for row in rows
        ],
        ensure_ascii=False,
    )


def _decode(text: str) -> list[Row]:
    return [
        Row(
            **{
                **item,
                "hire_date": date.fromisoformat(item["hire_date"]) if item["hire_date"] else None,
            }
        )
        for item in json.loads(text)
    ]


async def save_import(
    session: AsyncSession, actor: Actor, parsed: ParsedList, file_name: str
) -> StaffImport:
    """Keep the checked rows until the curator applies them (or sends another file)."""
    actor.require_curator()
    if parsed.refused or not parsed.rows:
        raise InvalidValue(N_("Nothing in this file can be taken."))
    pending = StaffImport(
        created_by=actor.telegram_id, file_name=file_name[:255], rows=_encode(parsed.rows)
    )
    session.add(pending)
    await session.commit()
    return pending


async def pending_rows(session: AsyncSession, import_id: int) -> list[Row]:
    pending = await session.get(StaffImport, import_id)
    if pending is None:
        raise NotFound()
    return _decode(pending.rows)


@dataclass(frozen=True)
class Applied:
    preview: Preview
    linked: int  # already registered teachers found on the list


async def apply_import(session: AsyncSession, actor: Actor, import_id: int, today: date) -> Applied:
    """Make the list what the file says, in one commit; a second press changes nothing."""
    actor.require_curator()
    pending = await session.get(StaffImport, import_id)
    if pending is None:
        raise NotFound()
    if pending.applied_at is not None:
        raise AlreadyDecided(N_("This list has already been applied."))
    newer = await session.scalar(
        select(func.count())
        .select_from(StaffImport)
        .where(StaffImport.id > pending.id, StaffImport.applied_at.is_not(None))
    )
    if newer:
        raise AlreadyDecided(N_("A newer list has been applied since; send this file again."))
    rows = _decode(pending.rows)
    preview = await preview_import(session, rows, today)
    year = preview.year
    current = await _current(session)
    for member in preview.removed:
        await session.delete(member)
    for row in rows:
        member = current.get(row.key) or StaffMember(key=row.key, year=year)
        if member.id is None:
            session.add(member)
        member.surname, member.name, member.patronymic = row.surname, row.name, row.patronymic
        for name in FIELDS:
            setattr(member, name, getattr(row, name))
        member.year = year
        member.must_mentor = must_mentor(row, year)
        if member.invite_id is None:
            new_invite = Invite(
                code=new_invite_code(),
                role=Role.MENTEE if member.must_mentor else None,
                created_by=actor.telegram_id,
            )
            session.add(new_invite)
            await session.flush()
            member.invite_id = new_invite.id
        else:
            invite = await session.get(Invite, member.invite_id)
            if invite is not None:
                invite.role = Role.MENTEE if member.must_mentor else None
    await session.flush()
    linked = await _link_registered(session)
    await _mark_year(session, year)
    pending.applied_at = utcnow()
    audit(
        session,
        actor.telegram_id,
        "staff.import",
        "staff_import",
        pending.id,
        added=len(preview.added),
        changed=len(preview.changed),
        removed=len(preview.removed),
    )
    await session.commit()
    return Applied(preview, linked)


async def _registered_by_name(session: AsyncSession) -> dict[str, Participant]:
    people = await session.scalars(
        select(Participant).where(
            Participant.status == ParticipantStatus.ACTIVE, Participant.full_name.is_not(None)
        )
    )
    found: dict[str, Participant] = {}
    for person in people:
        found.setdefault(fold(person.full_name or ""), person)
    return found


async def _link_registered(session: AsyncSession) -> int:
    """Join unlinked list entries to registered teachers with the same full name."""
    members = list(
        await session.scalars(select(StaffMember).where(StaffMember.participant_id.is_(None)))
    )
    if not members:
        return 0
    taken = set(
        await session.scalars(
            select(StaffMember.participant_id).where(StaffMember.participant_id.is_not(None))
        )
    )
    by_name = await _registered_by_name(session)
    linked = 0
    for member in members:
        person = by_name.get(member.key)
        if person is not None and person.id not in taken:
            member.participant_id = person.id
            taken.add(person.id)
            linked += 1
    return linked


async def _mark_year(session: AsyncSession, year: int) -> None:
    """§6.4.2: the list's «must be mentored» becomes the participant's mark for the year."""
    members = await session.scalars(
        select(StaffMember).where(
            StaffMember.must_mentor.is_(True), StaffMember.participant_id.is_not(None)
        )
    )
    for member in members:
        person = await session.get(Participant, member.participant_id)
        if person is not None and person.include_year != year:
            person.include_year = year


async def claim_invite(session: AsyncSession, code: str, participant: Participant) -> bool:
    """A teacher opened their personal link: join them to their entry on the list."""
    if not well_formed(code):
        return False  # not one of our links (malformed codes are ignored, as invitations')
    member = await session.scalar(
        select(StaffMember)
        .join(Invite, Invite.id == StaffMember.invite_id)
        .where(Invite.code == code)
    )
    if member is None or member.participant_id not in (None, participant.id):
        return False  # not a list link, or someone else's link forwarded
    already = await session.scalar(
        select(StaffMember.id).where(
            StaffMember.participant_id == participant.id, StaffMember.id != member.id
        )
    )
    if already is not None:
        return False
    member.participant_id = participant.id
    if member.must_mentor:
        participant.include_year = member.year
    await session.commit()
    return True


async def link_on_registration(session: AsyncSession, participant: Participant) -> bool:
    """Someone registered without their link: find them on the list by the full name."""
    already = await session.scalar(
        select(StaffMember.id).where(StaffMember.participant_id == participant.id)
    )
    if already is not None or not participant.full_name:
        return False
    member = await session.scalar(
        select(StaffMember).where(
            StaffMember.key == fold(participant.full_name), StaffMember.participant_id.is_(None)
        )
    )
    if member is None:
        return False
    member.participant_id = participant.id
    if member.must_mentor:
        participant.include_year = member.year
    await session.commit()
    return True


@dataclass(frozen=True)
class ListedTeacher:
    member: StaffMember
    invite_code: str | None
    registered: bool


@dataclass(frozen=True)
class Overview:
    total: int
    must_mentor: int
    registered: int
    year: int | None

    @property
    def not_registered(self) -> int:
        return self.total - self.registered


async def staff_list(
    session: AsyncSession, *, only_unregistered: bool = False, only_must: bool = False
) -> list[ListedTeacher]:
    rows = await session.execute(
        select(StaffMember, Invite.code, Participant.status)
        .outerjoin(Invite, Invite.id == StaffMember.invite_id)
        .outerjoin(Participant, Participant.id == StaffMember.participant_id)
        .order_by(StaffMember.surname, StaffMember.name, StaffMember.patronymic, StaffMember.id)
    )
    listed = []
    for member, code, status in rows.all():
        registered = status == ParticipantStatus.ACTIVE
        if only_unregistered and registered:
            continue
        if only_must and not member.must_mentor:
            continue
        listed.append(ListedTeacher(member, code, registered))
    return listed


async def staff_overview(session: AsyncSession) -> Overview:
    listed = await staff_list(session)
    return Overview(
        total=len(listed),
        must_mentor=sum(1 for item in listed if item.member.must_mentor),
        registered=sum(1 for item in listed if item.registered),
        year=max((item.member.year for item in listed), default=None),
    )


TEMPLATE_HEADINGS = (
    "Фамилия",
    "Имя",
    "Отчество",
    "Должность",
    "Отделение",
    "Дата приёма",
    "Молодой специалист",
)
