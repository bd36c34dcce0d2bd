"""The message outbox: texts to phones written in the transaction that has something to say, and sent
after it commits through a pluggable backend (``SILIU_MESSAGE_BACKEND``; ADR 0026)."""
