"""/mentee: the mentor opens the mentee's card and recommends them for a contest; the curator
gets the proposal; a forged button for someone else's mentee is refused."""

from __future__ import annotations

from handlers.mentee_card import MenteeProposal
from models.mentor_rights import ProposalKind
from tests.driver import Person, said
from tests.handlers.flows import form_pair


async def test_the_mentor_sees_the_card_and_recommends(people, curator: Person) -> None:
    mentee, mentor, other = people
    assert said(await mentor.send("/mentee"), "нет утверждённой пары")
    await form_pair(curator, mentee, mentor)
    replies = await mentor.send("/mentee")
    assert said(replies, "Петрова Анна")
    assert said(replies, "Анкета наставляемого")
    await mentor.press("Рекомендовать к конкурсу")
    replies = await mentor.send("Конкурс «Педагогический дебют»")
    assert said(replies, "Отправлено куратору и директору")
    assert said(replies, "рекомендация к участию в конкурсе", chat_id=curator.user_id)
    assert said(replies, "Педагогический дебют", chat_id=curator.user_id)
    replies = await curator.send("/report")
    assert said(replies, "Предложения наставников (п. 7.2.6, 7.2.7)")
    assert said(replies, "• рекомендация к участию в конкурсе: 1")
    forged = MenteeProposal(pair_id=1, mentee_id=1, kind=ProposalKind.ENCOURAGE).pack()
    assert said(await other.press_data(forged), "недоступно")
