"""/cancel keeps a form; /start offers to continue; «continue» asks the question of the step
the person stopped at again — with its buttons for a choice, its prompt for a typed step."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.driver import Person, buttons, said, texts
from tests.factories import make_teacher

CONTINUE = "Продолжить с того места"


async def stop_and_continue(curator: Person) -> list[str]:
    assert said(await curator.send("/cancel"), "/start")
    assert said(await curator.send("/start"), "Продолжить")
    return texts(await curator.press(CONTINUE))


async def test_continuing_a_broadcast_asks_the_audience_again_with_its_buttons(
    curator: Person, session_pool: async_sessionmaker[AsyncSession]
) -> None:
    async with session_pool() as session:
        await make_teacher(session, telegram_id=5201)
    await curator.send("/broadcast")
    await curator.send("Семинар в пятницу")
    assert curator.last_markup()  # «who receives it?» with the audiences

    resumed = await stop_and_continue(curator)

    assert "Кому отправить?" in resumed
    assert not any("последний вопрос" in text for text in resumed)
    _, markup = curator.last_markup()
    labels = [label for label, _data in buttons(markup)]
    assert labels[:3] == ["Всем", "Наставникам", "Наставляемым"]  # to whom: one case
    assert said(await curator.press("Наставляемым"), "Получателей: 1")  # the answers were kept


async def test_continuing_a_broadcast_asks_for_its_text_again(curator: Person) -> None:
    await curator.send("/broadcast")

    resumed = await stop_and_continue(curator)

    assert any(text.startswith("Отправьте сообщение для рассылки") for text in resumed), resumed
    assert said(await curator.send("Семинар в пятницу"), "Кому отправить?")


async def test_continuing_a_site_item_asks_for_the_item_again(curator: Person) -> None:
    await curator.send("/publish")
    replies = await curator.press("Новости")
    prompt = [text for text in texts(replies) if "/cancel" in text]
    assert prompt

    resumed = await stop_and_continue(curator)

    assert prompt[0] in resumed
