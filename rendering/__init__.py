"""What the chat, the scheduler and the publication show: texts, views, button data and their
keyboards, and the notices rendered at delivery from the outbox. Below `handlers/` (style §22):
the chat face, the scheduler and the publication import it; it never imports `handlers`."""
