"""Every user-visible text in the code is in both catalogues, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, create_i18n
from models.enums import LABELS, ProgrammeStatus, RequestStatus, Responsible, Role, label_id

REPO = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": None, "N_": None, "__": None, "ngettext": (1, 2), "NP_": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def code_messages() -> set[str]:
    found = set()
    for package in ("bot", "handlers", "rendering", "models", "scheduler"):
        for _name, _line, message, _comments, _context in extract_from_dir(
            REPO / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message)
    return found


def catalogue(locale: str):
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return read_po(po_file)


def test_the_code_has_messages_to_translate() -> None:
    assert len(code_messages()) > 100


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_every_message_is_in_the_catalogue(locale: str) -> None:
    ids = {message.id for message in catalogue(locale) if message.id}
    missing = sorted(code_messages() - ids)
    assert missing == [], f"run the i18n update from README.md; missing in {locale}: {missing}"


def test_every_russian_message_is_translated_with_the_same_placeholders() -> None:
    for message in catalogue("ru"):
        if not message.id:
            continue
        assert not message.fuzzy, f"fuzzy: {message.id!r}"
        if message.pluralizable:  # Russian has three plural forms: one, few, many
            forms = message.string
            assert len(forms) == 3, message.id
            assert all(forms), f"untranslated plural: {message.id!r}"
            wanted = sorted(PLACEHOLDER.findall(message.id[1]))
            assert all(sorted(PLACEHOLDER.findall(form)) == wanted for form in forms), message.id
            continue
        assert message.string, f"untranslated: {message.id!r}"
        assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
            PLACEHOLDER.findall(message.string)
        ), message.id


def test_catalogues_compile_on_start_and_translate(tmp_path: Path) -> None:
    for locale in ("ru", "en"):
        target = tmp_path / locale / "LC_MESSAGES"
        target.mkdir(parents=True)
        source = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
        (target / "messages.po").write_bytes(source.read_bytes())
    i18n = create_i18n("ru", tmp_path)
    assert (tmp_path / "ru" / "LC_MESSAGES" / "messages.mo").exists()
    assert i18n.gettext("⬅ Back") == "⬅ Назад"
    assert i18n.gettext("⬅ Back", locale="en") == "⬅ Back"


def test_every_member_of_a_labelled_enum_has_its_own_label() -> None:
    labelled = {enum for enum, _value in LABELS}
    assert len(labelled) >= 10
    for enum in labelled:
        for member in enum:
            assert label_id(member) is not None, member
    # Members that are equal as strings keep their own labels.
    assert label_id(ProgrammeStatus.APPROVED) == "in progress"
    assert label_id(RequestStatus.APPROVED) == "approved"
    assert label_id(Role.MENTEE) != label_id(Responsible.MENTEE)


def test_no_gettext_call_hides_inside_an_f_string() -> None:
    """babel cannot extract `_()` from an f-string expression; such a text stays English."""
    pattern = re.compile(r"""f(["']).*?\{_\(["']""")
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for package in ("bot", "handlers", "rendering", "models", "scheduler")
        for path in (REPO / package).rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
