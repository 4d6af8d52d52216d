"""Builds the DOCX templates shipped in ``documents/templates`` (run after changing a text):

    .venv/bin/python -m documents.build_templates

A college edits its copies in Word (letterhead, wording) and puts them in the folder of
``DOCUMENT_TEMPLATES_DIR``; the ``{{ … }}`` fields and ``{%p … %}`` lines must stay.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx.enum.text import WD_TAB_ALIGNMENT
from docx.shared import Mm

from documents.layout import (
    TEXT_WIDTH_MM,
    gost_document,
    heading,
    landscape_section,
    paragraph,
    signature_line,
    table,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"
REGULATION = "Положением о системе наставничества педагогических работников {{ college_short }}"


def _requisites(document: Any, title: str) -> None:
    """The letterhead and requisites of an order (ГОСТ Р 7.0.97: name, kind, date, №, place)."""
    paragraph(document, "{{ college_full }}", bold=True, align="center")
    heading(document, "ПРИКАЗ", space_before=18)
    para = paragraph(document, align="left", space_before=12)
    para.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    para.add_run("{{ order_date }}\t№ {{ order_number }}")
    paragraph(document, "{{ city }}", align="center")
    heading(document, title, space_before=18)


def _order_end(document: Any) -> None:
    paragraph(
        document,
        "{{ control_item }}. Контроль за исполнением настоящего приказа возложить на "
        "{{ curator_position_acc }} {{ curator_short_acc }}.",
        indent=True,
    )
    signature_line(document, "Директор", "{{ director_short }}", space_before=36)
    paragraph(document, "С приказом ознакомлены:", align="left", space_before=24)
    table(
        document,
        ["Фамилия, имя, отчество", "Подпись", "Дата"],
        [
            ["{%tr for person in acquainted %}", "", ""],
            ["{{ person }}", "", ""],
            ["{%tr endfor %}", "", ""],
        ],
        widths=[95, 35, 35],
        blank="",
    )


def _order(title: str, preamble: str, items: list[str], table_after: int) -> Callable[[], Any]:
    def build() -> Any:
        document = gost_document()
        _requisites(document, title)
        paragraph(document, f"{preamble},", indent=True, space_before=12)
        paragraph(document, "ПРИКАЗЫВАЮ:", bold=True, align="left", space_before=6)
        for number, item in enumerate(items, 1):
            paragraph(document, f"{number}. {item}", indent=True)
            if number == table_after:
                paragraph(document, "{{p table }}", align="left")
        _order_end(document)
        return document

    return build


ORDERS = {
    "order_pairs": _order(
        "О закреплении наставнических пар (групп)",
        f"В соответствии с {REGULATION} (пп. 5 п. 6.3, п. 9.2), на основании письменного "
        "согласия наставников и наставляемых",
        [
            "Закрепить наставнические пары (группы) в следующем составе:",
            "Наставникам совместно с наставляемыми в течение месяца разработать "
            "персонализированные программы наставничества и представить их куратору на "
            "утверждение.",
        ],
        1,
    ),
    "order_replacement": _order(
        "О замене наставника",
        f"В соответствии с {REGULATION} (пп. 3 п. 7.1, пп. 5 п. 8.1), на основании {{{{ basis }}}}",
        [
            "Освободить {{ old_mentor_acc }} от обязанностей наставника в наставнической "
            "паре (группе) № {{ pair_number }}.",
            "Назначить {{ new_mentor_acc }} наставником в наставнической паре (группе) "
            "№ {{ pair_number }} с {{ replaced_on }}",
            "Персонализированную программу наставничества продолжить с новым наставником; "
            "выполненные мероприятия сохраняются:",
        ],
        3,
    ),
    "order_early_end": _order(
        "О досрочном завершении персонализированной программы наставничества",
        f"В соответствии с {REGULATION} ({{{{ clause }}}}), на основании {{{{ basis }}}}",
        [
            "Завершить досрочно с {{ ended_on }} персонализированную программу наставничества "
            "наставнической пары (группы) № {{ pair_number }}:",
            "Освободить {{ mentor_acc }} от обязанностей наставника в этой паре (группе) "
            "с {{ ended_on }}",
        ],
        1,
    ),
    "order_completion": _order(
        "Об итогах реализации персонализированных программ наставничества",
        f"В соответствии с {REGULATION} (пп. 1 п. 10.1), в связи с выполнением планов "
        "мероприятий в полном объёме, по итогам {{ period }}",
        [
            "Признать {{ completed }}:",
            "Объявить благодарность за добросовестную работу {{ thanked[0] }} {{ thanked[1] }}.",
            "Куратору включить материалы завершённых программ в банк персонализированных "
            "программ наставничества (пп. 6 п. 6.4), лучшие практики — разместить на сайте "
            "колледжа (раздел 11).",
        ],
        1,
    ),
}


def _approval_block(document: Any) -> None:
    for text in (
        "УТВЕРЖДАЮ",
        "Директор {{ college_short }}",
        "____________ {{ director_short }}",
        "«___» ____________ 20__ г.",
    ):
        paragraph(document, text, align="left", left_mm=95, bold=text == "УТВЕРЖДАЮ")


def programme() -> Any:
    document = gost_document()
    _approval_block(document)
    heading(document, "ПЕРСОНАЛИЗИРОВАННАЯ ПРОГРАММА НАСТАВНИЧЕСТВА", space_before=24)
    paragraph(document, "{{ college_full }}", align="center")
    paragraph(document, "Основание: {{ order }}", align="left", space_before=12)
    paragraph(document, "{{p info_table }}", align="left")
    # The plan has six columns (activity, deadline, responsible, expected result, mark): on a
    # landscape page each is wide enough for its longest word.
    landscape_section(document)
    heading(document, "План мероприятий")
    paragraph(document, "{{p plan_table }}", align="left")
    paragraph(document, "{{ plan_summary }}", align="left", space_before=6)
    paragraph(document, "{{p changes_table }}", align="left")
    # The signatures stay together on one page (none left alone on the last one).
    signatures = [
        signature_line(document, "Наставник", "{{ mentor_short }}", space_before=30),
        paragraph(document, "{%p for mentee in mentees_short %}", align="left"),
        signature_line(document, "Наставляемый", "{{ mentee }}", space_before=12),
        paragraph(document, "{%p endfor %}", align="left"),
    ]
    for line in signatures:
        line.paragraph_format.keep_with_next = True
    signature_line(document, "Куратор", "{{ curator_short }}", space_before=12)
    return document


def _consent(title: str, opening: str, closing: list[str]) -> Callable[[], Any]:
    def build() -> Any:
        document = gost_document()
        paragraph(document, "Директору {{ college_short }}", align="left", left_mm=85)
        paragraph(document, "{{ director_short_dat }}", align="left", left_mm=85)
        paragraph(document, "от {{ name_gen }}", align="left", left_mm=85, space_before=6)
        paragraph(document, "{{ position_gen }}, {{ department }}", align="left", left_mm=85)
        heading(document, "СОГЛАСИЕ", space_before=24)
        paragraph(document, title, bold=True, align="center")
        paragraph(document, opening, indent=True, space_before=12)
        paragraph(document, "{%p for line in text %}", align="left")
        paragraph(document, "{{ line }}", indent=True)
        paragraph(document, "{%p endfor %}", align="left")
        for line in closing:
            paragraph(document, line, indent=True, space_before=6)
        para = paragraph(document, align="left", space_before=30)
        para.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
        para.add_run("«___» ____________ 20__ г.\t____________ / {{ short }}")
        return document

    return build


CONSENTS = {
    "consent_personal_data": _consent(
        "на обработку персональных данных",
        "Я, {{ name }}, подтверждаю своей подписью согласие, данное в чат-боте «Наставник» "
        "{{ given_on }} (версия текста {{ version }}), следующего содержания:",
        [],
    ),
    "consent_mentor": _consent(
        "на назначение наставником (п. 6.2 Положения)",
        "Я, {{ name }}, {{ position }}, даю согласие на назначение наставником "
        "педагогических работников приказом директора и подтверждаю согласие, данное в "
        "чат-боте «Наставник» {{ given_on }} (версия текста {{ version }}):",
        [],
    ),
    "consent_pair": _consent(
        "на участие в наставнической паре (группе) (пп. 5 п. 6.3 Положения)",
        "Я, {{ name }}, добровольно даю согласие на закрепление в наставнической паре "
        "(группе) № {{ pair_number }} в качестве {{ role }} и на возложение на меня "
        "дополнительных обязанностей, связанных с наставнической деятельностью:",
        ["Согласие выражено в чат-боте «Наставник» {{ given_on }}"],
    ),
}


def _memo(title: str, sections: list[tuple[str, list[str]]]) -> Callable[[], Any]:
    def build() -> Any:
        document = gost_document()
        paragraph(document, "{{ college_full }}", align="center")
        heading(document, "ПАМЯТКА", space_before=18)
        paragraph(document, title, bold=True, align="center")
        for section_title, lines in sections:
            heading(document, section_title)
            for line in lines:
                paragraph(document, line, indent=True)
        paragraph(
            document,
            "Куратор реализации программ наставничества: {{ curator_position }} "
            "{{ curator_name }}.",
            indent=True,
            space_before=12,
        )
        return document

    return build


ABOUT = (
    "Что такое программа наставничества",
    [
        "Наставничество в колледже организуется на основании приказа директора (п. 6.1) и "
        "помогает педагогу войти в профессию, преодолеть профессиональные затруднения и "
        "раскрыть свой потенциал.",
        "Пары и группы формируются добровольно, с письменного согласия участников, и "
        "утверждаются приказом директора (п. 9.2). Для каждой пары составляется "
        "персонализированная программа наставничества на срок от трёх месяцев до года.",
    ],
)
BOT_USE = (
    "Как пользоваться чат-ботом «Наставник»",
    [
        "/start — регистрация; /profile — анкета; /consent — ваши согласия; /mydata — что о "
        "вас хранится.",
        "/plan — программа, сроки и отметки о выполнении; /programme — составление программы "
        "(наставник).",
        "/done — отчёт о выполненном мероприятии (наставляемый); /meeting — запись встречи.",
        "/ask — вопрос наставнику; /propose — предложение по программе; /request — обращение "
        "к куратору (замена наставника, перенос срока, продление, досрочное завершение).",
        "/mentors — выбор наставника; /library — методическая копилка; /help — что умеет "
        "бот; /cancel — отменить начатое действие.",
        "Бот напоминает о сроках; после завершения программы заполните анкету мониторинга.",
    ],
)

MEMOS = {
    "memo_mentor": _memo(
        "для наставника (этапы 2–3 дорожной карты)",
        [
            ABOUT,
            (
                "Права наставника (п. 7.1)",
                [
                    "— привлекать для помощи наставляемому других педагогов колледжа с их "
                    "согласия;",
                    "— знакомиться с материалами о наставляемом в установленном порядке;",
                    "— обращаться к куратору и директору с просьбой о сложении обязанностей "
                    "наставника;",
                    "— проверять выполнение заданий наставляемым.",
                ],
            ),
            (
                "Обязанности наставника (п. 7.2)",
                [
                    "— руководствоваться законодательством и локальными актами колледжа;",
                    "— взаимодействовать со службами колледжа, работающими с наставляемым;",
                    "— включать начинающего педагога в жизнь коллектива, расширять его "
                    "профессиональный кругозор;",
                    "— привлекать к инновационной деятельности, конкурсам, конференциям;",
                    "— участвовать в обсуждении работы наставляемого и рекомендовать его к "
                    "участию в конкурсах, оказывать методическую поддержку.",
                ],
            ),
            BOT_USE,
        ],
    ),
    "memo_mentee": _memo(
        "для наставляемого (этапы 2–3 дорожной карты)",
        [
            ABOUT,
            (
                "Права наставляемого (п. 8.1)",
                [
                    "— систематически повышать свой профессиональный уровень;",
                    "— участвовать в составлении персонализированной программы;",
                    "— обращаться к наставнику за помощью по профессиональным вопросам;",
                    "— вносить предложения по совершенствованию программы;",
                    "— обращаться к куратору и директору с ходатайством о замене наставника.",
                ],
            ),
            (
                "Обязанности наставляемого (п. 8.2)",
                [
                    "— изучать нормативные акты в сфере образования и наставничества;",
                    "— выполнять мероприятия программы в установленные сроки;",
                    "— соблюдать правила внутреннего трудового распорядка;",
                    "— выполнять рекомендации наставника, устранять с ним выявленные затруднения;",
                    "— учиться у наставника передовым методам и формам работы.",
                ],
            ),
            BOT_USE,
        ],
    ),
}

BUILDERS: dict[str, Callable[[], Any]] = {
    **ORDERS,
    "programme": programme,
    **CONSENTS,
    **MEMOS,
}


def main() -> None:
    TEMPLATES.mkdir(exist_ok=True)
    for name, build in BUILDERS.items():
        build().save(TEMPLATES / f"{name}.docx")
        print(TEMPLATES / f"{name}.docx")


if __name__ == "__main__":
    main()
