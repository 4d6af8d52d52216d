"""People's names in the grammatical case a Russian sentence needs (pytrovich, the Python port
of the petrovich rules): «Наставники для Зайцевой Марии Андреевны», «согласие Иванова Сергея
Петровича». A name that is not «Фамилия Имя [Отчество]» is left as it was typed."""

from __future__ import annotations

import functools
from enum import Enum
from functools import lru_cache

import pymorphy3
from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case as _Case
from pytrovich.enums import Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker


class Case(Enum):
    # each with its pymorphy3 grammeme (tag), for a position's words (decline_position)
    GENITIVE = _Case.GENITIVE  # кого? чего? — «для Зайцевой Марии»
    DATIVE = _Case.DATIVE  # кому? — «Зайцевой Марии»
    ACCUSATIVE = _Case.ACCUSATIVE  # кого? — «пригласить Зайцеву Марию»
    INSTRUMENTAL = _Case.INSTRUMENTAL  # кем? — «с Зайцевой Марией»
    PREPOSITIONAL = _Case.PREPOSITIONAL  # о ком? — «о Зайцевой Марии»


_maker = PetrovichDeclinationMaker()
_detector = PetrovichGenderDetector()


def _gender(first: str, middle: str | None) -> Gender:
    try:
        gender: Gender = _detector.detect(  # type: ignore[no-untyped-call]  # pytrovich is untyped
            firstname=first, middlename=middle
        )
        return gender
    except (KeyError, ValueError, IndexError):  # a name the rules do not know
        return Gender.ANDROGYNOUS


@lru_cache(maxsize=4096)
def decline(full_name: str, case: Case) -> str:
    """«Фамилия Имя Отчество» (or «Фамилия Имя») in `case`; anything else unchanged."""
    words = full_name.split()
    if not 2 <= len(words) <= 3 or not all(w.replace("-", "").isalpha() for w in words):
        return full_name
    last, first, *rest = words
    middle = rest[0] if rest else None
    gender = _gender(first, middle)
    parts = [
        _maker.make(NamePart.LASTNAME, gender, case.value, last),
        _maker.make(NamePart.FIRSTNAME, gender, case.value, first),
    ]
    if middle is not None:
        parts.append(_maker.make(NamePart.MIDDLENAME, gender, case.value, middle))
    return " ".join(parts)


_GRAMMEME = {
    Case.GENITIVE: "gent",
    Case.DATIVE: "datv",
    Case.ACCUSATIVE: "accs",
    Case.INSTRUMENTAL: "ablt",
    Case.PREPOSITIONAL: "loct",
}
_DECLINABLE = frozenset({"NOUN", "ADJF", "PRTF"})


@functools.cache
def morph() -> pymorphy3.MorphAnalyzer:
    """Loaded on first use, not at start-up (its dictionaries take ~15 MB)."""
    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=1024)
def decline_position(position: str, case: Case) -> str:
    """A position in `case`: «заместитель директора по учебно-методической работе» →
    «заместителя директора по …», «социальный педагог» → «социального педагога». The words
    up to the first noun are declined; what that noun governs is left as typed, and so is a
    position pymorphy3 does not read as Russian words in the nominative."""
    words = position.split(" ")
    for index, word in enumerate(words):
        core = word.rstrip(",;:")
        if not core or core.endswith("."):  # an abbreviation («Зам. директора»): as typed
            break
        parses = [p for p in morph().parse(core) if "nomn" in p.tag and p.tag.POS in _DECLINABLE]
        if not parses:
            break
        last = index == len(words) - 1 or word != core  # nothing after it in its group
        # «Старший методист»: before another word an adjective, not a noun made of one
        parsed = (
            next((p for p in parses if p.tag.POS != "NOUN"), parses[0])
            if not last
            else (next((p for p in parses if p.tag.POS == "NOUN"), parses[0]))
        )
        wanted = {_GRAMMEME[case]}
        form = (parsed.inflect(wanted | {"anim"}) if parsed.tag.POS != "NOUN" else None) or (
            parsed.inflect(wanted)
        )
        if form is None:
            break
        declined = form.word.replace("ё", "е") if "ё" not in core else form.word
        if core[:1].isupper():
            declined = declined[:1].upper() + declined[1:]
        words[index] = declined + word[len(core) :]
        if parsed.tag.POS == "NOUN":
            break
    return " ".join(words)
