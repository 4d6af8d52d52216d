"""/docs in the demo college: every document opens as a ГОСТ page, renders in LibreOffice with
no word of a table broken, and a college template that cannot be used falls back to ours."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from aiogram.methods import SendDocument
from docx import Document as DocxDocument
from docx.shared import Mm, Pt
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.sandbox.seed import seed_demo
from documents.render import BUILT_IN
from documents.reports import findings
from models.enums import ActivityStatus
from models.participant import Participant
from models.profiles import MentorProfile
from models.programmes import programmes_of, report_activity
from models.surveys import SurveyAnswer
from rendering.views import day
from tests.driver import Person, said, texts
from tests.factories import actor, college_today, make_active_pair
from tests.handlers.flows import ROLE_BOTH, ROLE_MENTEE, register
from tests.mocked_bot import MockedBot

SOFFICE = shutil.which("soffice")
# .ci/run installs LibreOffice and sets this: there the rendering checks must run.
OFFICE_REQUIRED = bool(os.environ.get("DOCS_REQUIRE_OFFICE") or os.environ.get("CI"))
PUNCTUATION = ".,;:()«»\"'!?-–"


def requisites(settings: Settings) -> None:
    settings.organization_name = (
        "Государственное бюджетное профессиональное образовательное учреждение "
        "«Многопрофильный технико-технологический колледж»"
    )
    settings.organization_short_name = "ГБПОУ «МТТК»"
    settings.organization_city = "г. Москва"
    settings.director_name = "Петров Иван Иванович"
    settings.curator_position = "заместитель директора по учебно-методической работе"


async def seeded(session_pool: async_sessionmaker[AsyncSession]) -> None:
    async with session_pool() as session:
        await seed_demo(session, college_today())


def sent_documents(bot: MockedBot) -> list[SendDocument]:
    return [m for m in bot.session.requests if isinstance(m, SendDocument)]


async def every_document(curator: Person, bot: MockedBot) -> dict[str, bytes]:
    """Press every button of /docs (the first item of each list) and collect the files."""
    steps = [
        ["Приказ о закреплении"],
        ["Приказ о замене", "→"],
        ["Приказ о досрочном", "№"],
        ["Приказ об итогах"],
        ["Персонализированная программа", "№"],
        ["Памятка наставнику"],
        ["Памятка наставляемому"],
        ["Анализ анкет"],
        ["Итоговый аналитический"],
        ["Бланки согласий", "Волкова", "Бланк: Согласие на обработку"],
        ["Бланки согласий", "Волкова", "Бланк: Согласие на наставническую"],
        ["Бланки согласий", "Лебедев", "Бланк: Согласие на участие"],
    ]
    for presses in steps:
        await curator.send("/docs")
        before = len(sent_documents(bot))
        for text in presses:
            replies = await curator.press(text)
        assert len(sent_documents(bot)) == before + 1, (presses, texts(replies))
    return {m.document.filename: m.document.data for m in sent_documents(bot)}


def all_runs(document: DocxDocument):  # type: ignore[no-untyped-def]
    for paragraph in document.paragraphs:
        yield from ((run, False) for run in paragraph.runs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    yield from ((run, True) for run in paragraph.runs)


def check_gost_page(name: str, document: DocxDocument) -> None:
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5), name
    assert abs(section.page_height - Mm(297)) < Mm(0.5), name
    assert abs(section.left_margin - Mm(30)) < Mm(0.5), name
    assert Mm(10) - Mm(0.5) <= section.right_margin <= Mm(15) + Mm(0.5), name
    assert abs(section.top_margin - Mm(20)) < Mm(0.5), name
    assert abs(section.bottom_margin - Mm(20)) < Mm(0.5), name
    normal = document.styles["Normal"].font
    assert (normal.name, normal.size) == ("Times New Roman", Pt(14)), name
    for paragraph in document.paragraphs:
        assert not paragraph.style.name.startswith(("Heading", "Title")), (name, paragraph.text)
    for run, in_table in all_runs(document):
        if not run.text.strip():
            continue
        assert run.font.name in (None, "Times New Roman"), (name, run.text)
        # a table steps down to 11 or 10 pt rather than break a word (documents.layout)
        sizes = (Pt(12), Pt(11), Pt(10)) if in_table else (Pt(14),)
        assert run.font.size in (None, *sizes), (name, run.text)
        colour = run.font.color.rgb if run.font.color and run.font.color.type else None
        assert colour in (None, "000000"), (name, run.text)


def whole_text(document: DocxDocument) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts).replace("\u00a0", " ")  # the non-breaking spaces: see glued_words


def cell_words(document: DocxDocument) -> set[str]:
    """Every word of four letters or more in the tables (split at spaces and hyphens)."""
    words = set()
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for word in re.split(r"[\s\-–—/]+", cell.text):
                    word = word.strip(PUNCTUATION)
                    if len(word) >= 4 and "{" not in word:
                        words.add(word)
    return words


def to_pdf_words(files: dict[str, bytes], folder: Path) -> dict[str, list[str]]:
    """All the documents converted in one LibreOffice call, then the words on the pages."""
    folder.mkdir()
    paths = []
    for number, data in enumerate(files.values()):
        path = folder / f"doc{number}.docx"
        path.write_bytes(data)
        paths.append(str(path))
    profile = folder / "profile"
    subprocess.run(
        [
            SOFFICE or "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *paths,
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    result = {}
    for number, name in enumerate(files):
        pdf = folder / f"doc{number}.pdf"
        assert pdf.exists(), name
        # -bbox lists the words as laid out: no joining of a word broken at the line's end.
        boxes = subprocess.run(
            ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        result[name] = [unescape(w) for w in re.findall(r"<word [^>]*>(.*?)</word>", boxes)]
    return result


async def test_the_demo_college_produces_every_document_on_a_gost_page(
    curator: Person,
    bot: MockedBot,
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
) -> None:
    requisites(settings)
    await seeded(session_pool)
    async with session_pool() as session:  # the curator entered the order for the change
        from sqlalchemy import select

        from models.pairs import MentorReplacement, record_replacement_order
        from tests.factories import CURATOR

        change = await session.scalar(select(MentorReplacement))
        assert change is not None
        await record_replacement_order(
            session, CURATOR, change.id, order_number="71-н", order_date=date(2026, 9, 20)
        )
    files = await every_document(curator, bot)
    stamp = college_today().isoformat()
    assert set(files) == {
        f"Приказ_о_закреплении_пар_{stamp}.docx",
        f"Приказ_о_замене_наставника_{stamp}.docx",
        f"Приказ_о_досрочном_завершении_{stamp}.docx",
        f"Приказ_об_итогах_программ_{stamp}.docx",
        *[n for n in files if n.startswith("Программа_наставничества_пара_")],
        f"Памятка_наставнику_{stamp}.docx",
        f"Памятка_наставляемому_{stamp}.docx",
        f"Анализ_анкетирования_{stamp}.docx",
        *[n for n in files if n.startswith("Отчёт_о_наставничестве_")],
        f"Согласие_на_обработку_ПДн_Волкова_{stamp}.docx",
        f"Согласие_наставника_Волкова_{stamp}.docx",
        *[n for n in files if n.startswith("Согласие_на_участие_в_паре_")],
    }
    assert len(files) == 12
    docs = {name: DocxDocument(io.BytesIO(data)) for name, data in files.items()}
    for name, document in docs.items():
        check_gost_page(name, document)
    text = {name.rsplit("_", 1)[0]: whole_text(d) for name, d in docs.items()}

    for kind in (
        "Приказ_о_закреплении_пар",
        "Приказ_о_замене_наставника",
        "Приказ_о_досрочном_завершении",
        "Приказ_об_итогах_программ",
    ):
        order = text[kind]
        for block in (
            "Многопрофильный технико-технологический колледж",
            "ПРИКАЗ",
            "г. Москва",
            "ПРИКАЗЫВАЮ:",
            "Контроль за исполнением настоящего приказа",
            "И.И. Петров",
            "С приказом ознакомлены:",
            # control item: the curator's position and name in the accusative
            "возложить на заместителя директора по учебно-методической работе Л.Ю. Андросову.",
            ",\nПРИКАЗЫВАЮ:",  # the preamble leads into the order
            "Андросова Людмила Юрьевна",  # the curator, among those acquainted
        ):
            assert block in order, (kind, block)
        assert "{{" not in order, kind
        assert "{%" not in order, kind
    pairs_order = text["Приказ_о_закреплении_пар"]
    assert "Лебедев Максим Юрьевич" in pairs_order  # the pair waiting for the order
    # the pair's number is the one its consent and later orders give it, not a row's count
    pair_consent_text = next(v for k, v in text.items() if k.startswith("Согласие_на_участие"))
    number = re.search(r"\(группе\) № (\d+)", pair_consent_text)
    assert number is not None
    assert "№ пары\nНаставник" in pairs_order
    assert f"Срок\n{number[1]}\nИванов Сергей Петрович" in pairs_order
    assert "Наставляемый: Лебедев Максим Юрьевич." in pair_consent_text  # one person
    assert "Петрова Анна Сергеевна" not in pairs_order  # approved already: not again
    replacement = text["Приказ_о_замене_наставника"]
    assert "Смирнов Андрей Николаевич" in replacement  # the old mentor
    assert "Иванов Сергей Петрович" in replacement  # the new one
    assert "обращения Павловой Светланы Игоревны от" in replacement  # her request, the basis
    assert "Освободить Смирнова Андрея Николаевича от обязанностей наставника" in replacement
    assert "Назначить Иванова Сергея Петровича наставником" in replacement
    assert "20 сентября 2026 г." in replacement  # its order, entered by the curator
    assert "№ 71-н" in replacement
    assert "пп. 3 п. 10.1" in text["Приказ_о_досрочном_завершении"]
    assert "Длительная болезнь наставляемого" in text["Приказ_о_досрочном_завершении"]
    completion = text["Приказ_об_итогах_программ"]
    assert "Новикова Дарья Андреевна" in completion
    assert "3 из 3" in completion
    assert "4,4" in completion  # the mean of both questionnaires, with a decimal comma
    # one programme and one mentor: the singular
    assert "Признать завершённой персонализированную программу наставничества:" in completion
    assert "работу наставнику Волковой Елене Игоревне." in completion
    assert "Наставляемый\nПрежний наставник" in replacement
    assert "Наставник\nНаставляемый\nСрок программы" in text["Приказ_о_досрочном_завершении"]

    programme = next(v for k, v in text.items() if k.startswith("Программа_наставничества"))
    for block in ("УТВЕРЖДАЮ", "И.И. Петров", "приказ директора от", "План мероприятий"):
        assert block in programme, block
    assert "Отметка" in programme
    assert "Цель программы" in programme
    assert re.search(
        r"\d{1,2} (января|февраля|марта|апреля|мая|июня|июля|августа|сентября|"
        r"октября|ноября|декабря) \d{4} г\.",
        programme,
    )

    consent = text["Согласие_на_обработку_ПДн_Волкова"]
    assert "от Волковой Елены Игоревны\nпреподавателя, " in consent  # from whom: genitive
    assert "Директору ГБПОУ «МТТК»\nИ.И. Петрову" in consent
    assert "г.." not in "".join(text.values())
    assert "Я, Волкова Елена Игоревна" in consent
    assert "pd-2026.1" in consent
    assert "152-ФЗ" in consent  # the exact text of the consent, in Russian
    assert "mentor-2026.1" in text["Согласие_наставника_Волкова"]
    pair_consent = next(v for k, v in text.items() if k.startswith("Согласие_на_участие"))
    assert "Лебедев Максим Юрьевич" in pair_consent
    assert "наставляемого" in pair_consent

    assert "Права наставника (п. 7.1)" in text["Памятка_наставнику"]
    assert "Обязанности наставляемого (п. 8.2)" in text["Памятка_наставляемому"]
    analysis = text["Анализ_анкетирования"]
    assert "Недостаточно ответов" in analysis  # 3 answers in the demo college
    assert "Очень полезные встречи" in analysis
    report_name = next(k for k in docs if k.startswith("Отчёт_о_наставничестве_"))
    report = whole_text(docs[report_name])
    assert "Сравнение с предыдущим учебным годом" in report
    assert len(docs[report_name].inline_shapes) == 1  # the chart

    if "sqlite" not in settings.database_url:
        return  # the rendering does not depend on the database: once is enough
    if SOFFICE is None:
        assert not OFFICE_REQUIRED, "CI must install LibreOffice (.ci/run)"
        pytest.skip("LibreOffice is not installed here")
    pdf = to_pdf_words(files, Path(os.environ.get("DOCS_PDF_DIR") or _tmp()) / "pdf")
    for name, document in docs.items():
        tokens = {p.strip(PUNCTUATION) for w in pdf[name] for p in re.split(r"[\-–—/\s]+", w)}
        broken = sorted(w for w in cell_words(document) if w not in tokens)
        assert broken == [], (name, broken)


def first_sheet_as_csv(data: bytes, folder: Path) -> str:
    """What LibreOffice Calc shows on the first sheet of the workbook, as CSV."""
    (folder / "export.xlsx").write_bytes(data)
    subprocess.run(
        [
            SOFFICE or "soffice",
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--headless",
            "--convert-to",
            "csv",
            "--outdir",
            str(folder),
            str(folder / "export.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (folder / "export.csv").read_text(encoding="utf-8", errors="replace")


def _tmp() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="docs-")


async def test_the_export_has_names_filters_wrapping_and_typed_formulas_as_text(
    curator: Person,
    bot: MockedBot,
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await seeded(session_pool)
    async with session_pool() as session:
        mentor = await session.scalar(
            select(MentorProfile).order_by(MentorProfile.participant_id).limit(1)
        )
        assert mentor is not None
        mentor.competences = "=1+2"  # typed by a person: must stay a text
        petrova = await session.scalar(
            select(Participant).where(Participant.full_name == "Петрова Анна Сергеевна")
        )
        programme = (await programmes_of(session, petrova.id))[0]  # type: ignore[union-attr]
        activity = next(a for a in programme.activities if a.status == ActivityStatus.PLANNED)
        await session.commit()
        await report_activity(
            session, actor(petrova), activity.id, comment='=HYPERLINK("http://x","y")'
        )
    await curator.send("/export")
    (document,) = sent_documents(bot)
    data = document.document.data
    book = load_workbook(io.BytesIO(data))
    assert "Замены наставников" in book.sheetnames
    for sheet in book:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == sheet.dimensions, sheet.title
        # printed landscape, as wide as the page, the header on every page, in one font
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.fitToWidth in (1, 2), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title
        assert {c.font.name for c in sheet[1]} == {"Calibri"}, sheet.title
        for cell in sheet[1]:  # a header's longest word fits its column: no «Подтвержден|о»
            longest = max(len(word) for word in str(cell.value).split())
            assert sheet.column_dimensions[cell.column_letter].width > longest, cell.value
        assert all(sheet.row_dimensions[r].height for r in range(1, sheet.max_row + 1))
        assert all(c.alignment.wrap_text for row in sheet.iter_rows() for c in row), sheet.title
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)

    def rows(title: str) -> list[dict[str, object]]:
        sheet = book[title]
        header = [c.value for c in sheet[1]]
        return [dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(2)]

    for title in ("Программы", "Мероприятия", "Обращения", "Анкеты"):
        for row in rows(title):
            assert row["Наставник"] not in (None, "—"), title
            assert row["Наставляемые"] not in (None, "—"), title
    reported = [r for r in rows("Мероприятия") if r["Отчёт наставляемого"]]
    assert '=HYPERLINK("http://x","y")' in [r["Отчёт наставляемого"] for r in reported]
    assert any(r["Описание"] == "Разбор оценочных материалов" for r in rows("Мероприятия"))
    mentees = {r["ФИО"]: r for r in rows("Банк наставляемых")}
    assert mentees["Петрова Анна Сергеевна"]["Наставник"] == "Иванов Сергей Петрович"
    assert mentees["Петрова Анна Сергеевна"]["Статус"] == "в паре"
    assert mentees["Фёдоров Никита Алексеевич"]["Наставник"] == "—"
    assert mentees["Петрова Анна Сергеевна"]["Квалификационная категория"]
    (replaced,) = rows("Замены наставников")
    assert replaced["Прежний наставник"] == "Смирнов Андрей Николаевич"
    assert replaced["Новый наставник"] == "Иванов Сергей Петрович"
    competences = [r["Компетенции"] for r in rows("Банк наставников")]
    assert "=1+2" in competences

    if SOFFICE is None:
        assert not OFFICE_REQUIRED, "CI must install LibreOffice (.ci/run)"
        return
    first_sheet = first_sheet_as_csv(data, tmp_path)
    assert "=1+2" in first_sheet  # LibreOffice shows the text, it did not compute 3


async def test_a_template_the_college_broke_is_reported_and_ours_is_used(
    curator: Person,
    bot: MockedBot,
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await seeded(session_pool)
    folder = tmp_path / "templates"
    folder.mkdir()
    settings.document_templates_dir = folder

    async def memo() -> tuple[list[str], str]:
        await curator.send("/docs")
        replies = await curator.press("Памятка наставнику")
        data = sent_documents(bot)[-1].document.data
        return texts(replies), whole_text(DocxDocument(io.BytesIO(data)))

    # The college's own copy, with its letterhead: used as it is.
    own = DocxDocument(BUILT_IN / "memo_mentor.docx")
    own.paragraphs[0].insert_paragraph_before("Бланк колледжа: ул. Учебная, 1")
    own.save(folder / "memo_mentor.docx")
    said_, text = await memo()
    assert "Бланк колледжа: ул. Учебная, 1" in text
    assert not [t for t in said_ if "шаблон" in t]

    # Not a DOCX at all.
    (folder / "memo_mentor.docx").write_bytes(b"this is a scanned letter, not a DOCX")
    said_, text = await memo()
    assert any("memo_mentor.docx — не файл DOCX" in t for t in said_), said_
    assert "Права наставника (п. 7.1)" in text  # the built-in template, nothing lost

    # A field renamed by mistake: unknown to the bot.
    own = DocxDocument(BUILT_IN / "memo_mentor.docx")
    own.add_paragraph("Куратор: {{ curator_nmae }}")
    own.save(folder / "memo_mentor.docx")
    said_, text = await memo()
    assert any("curator_nmae" in t and "встроенный шаблон" in t for t in said_), said_
    assert "{{" not in text

    # A required field deleted: the order would lose its table of pairs.
    own = DocxDocument(BUILT_IN / "order_pairs.docx")
    for paragraph in own.paragraphs:
        if "{{p table }}" in paragraph.text:
            paragraph.text = "(таблица удалена)"
    own.save(folder / "order_pairs.docx")
    await curator.send("/docs")
    replies = await curator.press("Приказ о закреплении")
    assert any("нет обязательных полей: table" in t for t in texts(replies)), texts(replies)
    order = DocxDocument(io.BytesIO(sent_documents(bot)[-1].document.data))
    assert "Лебедев Максим Юрьевич" in whole_text(order)

    # Broken {{ }} syntax.
    own = DocxDocument(BUILT_IN / "memo_mentee.docx")
    own.add_paragraph("{{ college_full ")
    own.save(folder / "memo_mentee.docx")
    await curator.send("/docs")
    replies = await curator.press("Памятка наставляемому")
    assert any("ошибка в полях" in t for t in texts(replies)), texts(replies)


async def test_the_order_lists_only_pairs_waiting_unless_the_curator_asks_for_all(
    curator: Person, bot: MockedBot, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        await make_active_pair(session)
    await curator.send("/docs")
    replies = await curator.press("Приказ о закреплении")
    assert said(replies, "Нет пар и групп, ожидающих приказа директора.")
    assert not sent_documents(bot)
    await curator.press("Приказ по всем действующим парам")
    order = DocxDocument(io.BytesIO(sent_documents(bot)[-1].document.data))
    assert "Иванова Мария Петровна" in whole_text(order)


async def test_the_curator_marks_signed_paper_consents_and_sees_them_in_the_card_and_export(
    curator: Person, bot: MockedBot, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        pair = await make_active_pair(session)
        mentee = await session.get(Participant, pair.mentee_ids[0])
    assert mentee is not None
    today = college_today()  # the college's day, read when the test runs (not at import)
    replies = await curator.press_data(f"pn:card:{mentee.id}")
    card = texts(replies)[0]
    assert "Подписанные согласия на бумаге" in card
    assert "Согласие на обработку персональных данных: не получено" in card
    assert f"Согласие на участие в паре (группе) №{pair.id}: не получено" in card
    await curator.press("Бумажные согласия")
    replies = await curator.press("Отметить")  # the first: personal data
    assert said(replies, f"Согласие на обработку персональных данных: получено {day(today)}")
    assert said(await curator.press_data(f"pn:card:{mentee.id}"), f"получено {day(today)}")
    await curator.send("/export")
    book = load_workbook(io.BytesIO(sent_documents(bot)[-1].document.data))
    consents = book["Банк согласий"]
    header = [c.value for c in consents[1]]
    column = header.index("Бумажный экземпляр получен")
    received = [row[column].value for row in consents.iter_rows(2) if row[1].value]
    assert [v.date() for v in received if v] == [today]
    assert said(await curator.send("/audit"), "получено подписанное согласие на бумаге")
    # A forged button for a paper the person does not have is refused.
    replies = await curator.press_data(f"sp:mark:{mentee.id}:pair:999999")
    assert not said(replies, "получено")


def test_strong_and_weak_points_are_computed_from_the_answers() -> None:
    def answer(role: str, goals: int, support: int, organisation: int, growth: int):  # type: ignore[no-untyped-def]
        ratings = {"goals": goals, "support": support, "organisation": organisation}
        return SurveyAnswer(role=role, ratings=ratings | {"growth": growth}, comment=None)

    answers = [
        answer("mentor", 5, 5, 2, 4),
        answer("mentor", 5, 4, 2, 4),
        answer("mentee", 4, 5, 3, 2),
        answer("mentee", 5, 5, 2, 2),
        answer("mentee", 5, 5, 3, 2),
    ]
    strong, weak = findings(answers, lambda text: text)
    assert strong[0].startswith(
        "«How fully were the programme's goals reached?» — средняя оценка 4,8"
    )
    assert any("How useful" in s for s in strong)
    assert any(w.startswith("«How well was the programme organised") for w in weak)
    assert any("по-разному: 4,0 против 2,0" in w for w in weak)  # growth: mentors vs mentees


async def test_a_new_participant_gets_the_memo_of_each_role_after_registration(
    person: Callable[..., Person],
) -> None:
    mentee, mentor = person(7101), person(7102)
    await register(mentee, ROLE_MENTEE)
    replies = mentee.bot.session.requests
    memo = [t for t in texts(replies, 7101) if t.startswith("<b>Памятка")]
    assert len(memo) == 1
    assert "Памятка наставляемому" in memo[0]
    assert "п. 8.1" in memo[0]
    assert "/done" in memo[0]
    assert len(memo[0]) < 1000  # short enough for a phone
    await register(mentor, ROLE_BOTH, name="Орлова Нина")
    memos = [t for t in texts(mentor.bot.session.requests, 7102) if t.startswith("<b>Памятка")]
    assert [m.split("\n")[0] for m in memos] == [
        "<b>Памятка наставляемому</b>",
        "<b>Памятка наставнику</b>",
    ]


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page of a PDF that to_pdf_words made, as laid out."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return text.split("\f")[:-1]


def row_flags(document: DocxDocument) -> list[tuple[bool, bool]]:
    """(cannot split, repeated as the header) of every row of every table."""
    flags = []
    for docx_table in document.tables:
        for row in docx_table.rows:
            properties = row._tr.trPr
            names = (
                {child.tag.rsplit("}", 1)[1] for child in properties}
                if properties is not None
                else set()
            )
            flags.append(("cantSplit" in names, "tblHeader" in names))
    return flags


async def test_a_long_order_and_a_long_plan_print_whole_words_whole_rows_and_page_numbers(
    curator: Person,
    bot: MockedBot,
    settings: Settings,
    session_pool: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    """The order for every pair of the demo college and a group (six rows, positions, a
    distance form, three mentees in one row) and a group's plan of sixteen activities: every
    word of a table whole on the page (the table's type steps down to 11 or 10 pt rather than
    break one), no row split across two pages, a heading never the last line of its page, the
    pages from the second on numbered at the top."""
    from datetime import timedelta

    from models.programmes import (
        ProgrammeDraft,
        add_activity,
        respond_to_draft,
        review_programme,
        save_draft,
        submit_programme,
    )
    from tests.factories import CURATOR, END, START
    from tests.groups import make_group

    requisites(settings)
    await seeded(session_pool)
    async with session_pool() as session:
        pair, mentor, mentees = await make_group(
            session,
            3,
            names=("Ким Ирина Олеговна", "Шевчук Олег Петрович", "Гарипова Эльвира Рашитовна"),
        )
        draft = ProgrammeDraft(
            "Освоить проектную методику и провести серию открытых занятий",
            "Планирование занятий, работа с трудными группами",
            "Владение цифровыми инструментами",
            ["group", "virtual"],
            START,
            END,
        )
        programme = await save_draft(session, actor(mentor), pair.id, draft)
        for n in range(1, 17):
            await add_activity(
                session,
                actor(mentor),
                programme.id,
                title=f"Посещение и анализ занятий наставника по МДК.01.0{n % 9 + 1}",
                description="Совместный разбор технологической карты, наблюдение за приёмами "
                "активизации познавательной деятельности обучающихся",
                deadline=START + timedelta(days=7 * n),
                responsible="mentee" if n % 2 else "mentor",
                expected_result="Лист наблюдения, самоанализ, корректировка рабочей программы",
            )
        await submit_programme(session, actor(mentor), programme.id)
        for mentee in mentees:
            await respond_to_draft(session, actor(mentee), programme.id, agree=True)
        await review_programme(session, CURATOR, programme.id, approve=True)
        programme_id = programme.id
    await curator.press_data("dc:order_all:0")
    await curator.press_data(f"dc:programme:{programme_id}")
    order_data, plan_data = (m.document.data for m in sent_documents(bot)[-2:])
    order, plan = DocxDocument(io.BytesIO(order_data)), DocxDocument(io.BytesIO(plan_data))
    pairs_table = order.tables[0]
    assert len(pairs_table.rows) >= 6  # the header and at least five pairs
    sizes = {
        run.font.size
        for row in pairs_table.rows
        for cell in row.cells
        for para in cell.paragraphs
        for run in para.runs
    }
    assert len(sizes) == 1
    assert Pt(10) <= sizes.pop() <= Pt(12)
    for document in (order, plan):
        flags = row_flags(document)
        assert all(cannot_split for cannot_split, _ in flags)
        titles = ("О закреплении", "ПЕРСОНАЛИЗИРОВАННАЯ", "План мероприятий")
        headings = [
            p for p in document.paragraphs if p.text == "ПРИКАЗ" or p.text.startswith(titles)
        ]
        assert headings
        assert all(p.paragraph_format.keep_with_next for p in headings)
    if SOFFICE is None:
        assert not OFFICE_REQUIRED, "CI must install LibreOffice (.ci/run)"
        pytest.skip("LibreOffice is not installed here")
    words = to_pdf_words({"order": order_data, "plan": plan_data}, tmp_path / "pdf")
    for name, document in (("order", order), ("plan", plan)):
        tokens = {p.strip(PUNCTUATION) for w in words[name] for p in re.split(r"[\-–—/\s]+", w)}
        broken = sorted(w for w in cell_words(document) if w not in tokens)
        assert broken == [], (name, broken)
    pages = pdf_pages(tmp_path / "pdf" / "doc1.pdf")  # the plan, converted above
    assert len(pages) >= 3
    assert not pages[0].strip().startswith("1")  # the first page is not numbered
    for number, page in enumerate(pages[1:], 2):
        assert page.strip().split()[0] == str(number), page[:80]


def test_the_memos_name_only_commands_a_participant_has() -> None:
    """A memo tells mentors and mentees which commands to use: each one must be in their menu
    (it once sent them to /pair, which only a curator has)."""
    from bot.commands import PARTICIPANT_COMMANDS

    theirs = {f"/{name}" for name, _ in PARTICIPANT_COMMANDS}
    for name in ("memo_mentor", "memo_mentee"):
        text = whole_text(DocxDocument(BUILT_IN / f"{name}.docx"))
        named = set(re.findall(r"/[a-z]+", text))
        assert named, name
        assert named <= theirs, (name, sorted(named - theirs))
