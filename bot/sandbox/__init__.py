"""`python -m bot sandbox`: the real bot against the built-in Bot API emulator, with a chat
console in the terminal. Its own SQLite file; never the production database or Telegram."""
