"""People's names in the grammatical case a Russian sentence needs (pytrovich, the Python port
of the petrovich rules): «Наставники для Зайцевой Марии Андреевны», «согласие Иванова Сергея
Петровича». A name that is not «Фамилия Имя [Отчество]» is left as it was typed."""

from __future__ import annotations

from enum import Enum
from functools import lru_cache

from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case as _Case
from pytrovich.enums import Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker


class Case(Enum):
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
