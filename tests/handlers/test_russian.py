"""Russian that reads right: names in the case the sentence needs, plural forms, «4,5»."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import create_i18n
from models.i18n_marker import NP_
from models.names import Case, decline, decline_position
from rendering.notices import WITH_PAYLOAD
from rendering.texts import shorten
from rendering.ui import PickMentor
from rendering.views import decimal, name_in, reason_text
from tests.conftest import CURATOR_ID
from tests.driver import Person, said
from tests.factories import make_mentor, make_teacher
from tests.groups import make_group


@pytest.mark.parametrize(
    ("name", "genitive", "dative"),
    [
        ("Зайцева Мария Андреевна", "Зайцевой Марии Андреевны", "Зайцевой Марии Андреевне"),
        ("Иванов Сергей Петрович", "Иванова Сергея Петровича", "Иванову Сергею Петровичу"),
        ("Орлова Нина", "Орловой Нины", "Орловой Нине"),
        ("#12", "#12", "#12"),  # not a name: left as it is
    ],
)
def test_names_take_the_case_the_sentence_needs(name: str, genitive: str, dative: str) -> None:
    assert decline(name, Case.GENITIVE) == genitive
    assert decline(name, Case.DATIVE) == dative
    i18n = create_i18n("ru")
    with i18n.context(), i18n.use_locale("en"):
        assert name_in(name, Case.GENITIVE) == name  # English keeps the name as written


@pytest.mark.parametrize(
    ("position", "accusative", "genitive"),
    [
        (
            "заместитель директора по учебно-методической работе",
            "заместителя директора по учебно-методической работе",
            "заместителя директора по учебно-методической работе",
        ),
        ("социальный педагог", "социального педагога", "социального педагога"),
        ("Старший методист", "Старшего методиста", "Старшего методиста"),
        (
            "преподаватель, ПЦК экономики",
            "преподавателя, ПЦК экономики",
            "преподавателя, ПЦК экономики",
        ),
        ("педагог-психолог", "педагога-психолога", "педагога-психолога"),
        ("Зам. директора по УМР", "Зам. директора по УМР", "Зам. директора по УМР"),  # as typed
        ("deputy director", "deputy director", "deputy director"),
        ("", "", ""),
    ],
)
def test_positions_take_the_case_the_sentence_needs(
    position: str, accusative: str, genitive: str
) -> None:
    """«возложить на заместителя директора …», «от … преподавателя»: a position in an order or
    a consent is declined up to its head noun; what that noun governs stays as typed."""
    assert decline_position(position, Case.ACCUSATIVE) == accusative
    assert decline_position(position, Case.GENITIVE) == genitive


@pytest.mark.parametrize(
    ("n", "points", "years"),
    [
        (1, "1 балл", "стаж 1 год"),
        (2, "2 балла", "стаж 2 года"),
        (5, "5 баллов", "стаж 5 лет"),
        (11, "11 баллов", "стаж 11 лет"),
        (21, "21 балл", "стаж 21 год"),
    ],
)
def test_numbers_agree_with_their_nouns(n: int, points: str, years: str) -> None:
    i18n = create_i18n("ru")
    with i18n.context(), i18n.use_locale("ru"):
        shown = i18n.gettext(
            "{n}. <b>{name}</b>: {score} point", "{n}. <b>{name}</b>: {score} points", n
        ).format(n=1, name="Н", score=n)
        assert shown.endswith(points)
        reason = NP_("{count} year of teaching experience", "{count} years of teaching experience")
        assert reason_text(reason, {"count": n}).endswith(years)
        assert decimal(4.5) == "4,5"
        assert decimal(4.0) == "4"
    with i18n.context(), i18n.use_locale("en"):
        assert decimal(4.5) == "4.5"


async def test_the_mentor_list_names_the_mentee_in_the_genitive(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        await make_teacher(session, full_name="Зайцева Мария Андреевна")
        await make_mentor(session, full_name="Иванов Сергей Петрович", experience_years=21)
    await curator.send("/pair")
    shown = await curator.press("Зайцева")
    assert said(shown, "Наставники для <b>Зайцевой Марии Андреевны</b>")
    assert said(shown, "баллов") or said(shown, "балла") or said(shown, " балл,")
    assert not said(shown, "Зайцева Мария Андреевна</b>")


async def test_a_newcomer_is_added_to_the_group_of_the_mentor_in_the_genitive(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        pair, mentor, _mentees = await make_group(session)
        mentor.full_name = "Иванов Сергей Петрович"
        newcomer = await make_teacher(session, full_name="Зайцева Мария Андреевна")
        await session.commit()
    pick = PickMentor(mentee_id=newcomer.id, mentor_id=mentor.id, join_pair_id=pair.id)
    replies = await curator.press_data(pick.pack())
    assert said(replies, f"в группу №{pair.id} наставника <b>Иванова Сергея Петровича</b>?")


@pytest.mark.parametrize(
    ("n", "recipients", "times"),
    [
        (1, "для 1 получателя;", "1 раз подряд"),
        (2, "для 2 получателей;", "2 раза подряд"),
        (5, "для 5 получателей;", "5 раз подряд"),
        (11, "для 11 получателей;", "11 раз подряд"),
        (21, "для 21 получателя;", "21 раз подряд"),
    ],
)
async def test_a_broadcast_and_a_skipped_update_count_in_russian(
    n: int, recipients: str, times: str, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    i18n = create_i18n("ru")
    with i18n.context(), i18n.use_locale("ru"):
        queued = i18n.gettext(
            "Broadcast №{id} is queued for {count} recipient; I will send you a delivery summary.",
            "Broadcast №{id} is queued for {count} recipients; I will send you a delivery summary.",
            n,
        ).format(id=1, count=n)
        assert recipients in queued
    async with session_pool() as session:
        sender = await make_teacher(session, full_name="Иванов Сергей Петрович")
        render = await WITH_PAYLOAD["update.skipped"](
            session, 77, CURATOR_ID, {"user": sender.telegram_id, "tries": n}
        )
    assert render is not None
    with i18n.context(), i18n.use_locale("ru"):
        text, _markup = render()
    assert "Сообщение от Иванова Сергея Петровича (обновление 77)" in text
    assert f"остановило бота {times}" in text


@pytest.mark.parametrize(
    ("text", "limit", "shown"),
    [
        (
            "Выстроить систему оценивания и подготовить студентов",
            40,
            "Выстроить систему оценивания и…",
        ),
        (
            "Кузнецова Ольга Викторовна → Морозова Ирина Александровна",
            50,
            "Кузнецова Ольга Викторовна → Морозова Ирина…",
        ),
        ("Короткий", 40, "Короткий"),
        ("Оченьдлинноесловобезпробеловкотороененадорезать", 20, "Оченьдлинноесловобе…"),
    ],
)
def test_a_long_label_is_cut_between_words(text: str, limit: int, shown: str) -> None:
    """A button or a card value too long for its place ends with «…» after a whole word, not
    in the middle of one («…Ирина Александровн»)."""
    assert shorten(text, limit) == shown
    assert len(shown) <= limit


def test_the_charts_months_read_as_words(tmp_path: Path) -> None:
    """The monitoring chart's months: «окт. 2026», not the statistics' key «2026-10»."""
    from bot.i18n import LOCALES_DIR, create_i18n
    from handlers.curator.report import month_label

    for locale in ("ru", "en"):  # compiled here, as at the bot's start
        (tmp_path / locale / "LC_MESSAGES").mkdir(parents=True)
        source = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
        (tmp_path / locale / "LC_MESSAGES" / "messages.po").write_bytes(source.read_bytes())
    i18n = create_i18n("ru", tmp_path)
    with i18n.context(), i18n.use_locale("ru"):
        assert [month_label(m) for m in ("2026-10", "2027-05")] == ["окт. 2026", "май 2027"]
    with i18n.context(), i18n.use_locale("en"):
        assert month_label("2026-10") == "Oct 2026"
