"""How dates, moments and numbers are written, in chat, in documents and in domain messages:
one place, so «25.11.2026», «25.11.2026 14:30» and «4,5» look the same everywhere."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from babel.numbers import format_decimal

DATE_FORMAT = "%d.%m.%Y"  # 25.11.2026 (ГОСТ Р 7.0.97 allows it for dates in text and tables)
MOMENT_FORMAT = "%d.%m.%Y %H:%M"


def day(value: date) -> str:
    """25.11.2026."""
    return value.strftime(DATE_FORMAT)


def moment(value: datetime, zone: tzinfo) -> str:
    """25.11.2026 14:30, in the college's time zone."""
    return value.astimezone(zone).strftime(MOMENT_FORMAT)


def decimal(value: float, locale: str = "ru", digits: int = 1, *, fixed: bool = False) -> str:
    """«4,5» in Russian, «4.5» in English; `fixed` keeps trailing zeros («4,0»), as tables do."""
    fraction = ("0" if fixed else "#") * digits
    return format_decimal(value, format=f"0.{fraction}" if digits else "0", locale=locale)
