"""Where a message goes when it leaves the outbox: the backend named by ``SILIU_MESSAGE_BACKEND``.

A backend is a class with ``send(message)``: it delivers the text (``message.to``, ``message.text``) or
raises; whatever it raises is recorded on the message and the send is tried again later. Two come with
Siliu, for development: ``console`` prints each message, ``log`` appends it to ``SILIU_MESSAGE_LOG``.
A real SMS gateway is a class of the same shape named by its dotted path (ADR 0026).
"""

import datetime
import sys
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from siliu.appeals.models import Message


class MessageBackend(Protocol):
    def send(self, message: Message) -> None: ...


class ConsoleBackend:
    """Prints each message on standard output (development)."""

    def send(self, message: Message) -> None:
        sys.stdout.write(f"[短信 → {message.to}] {message.text}\n")
        sys.stdout.flush()


class LogBackend:
    """Appends each message as one line to ``SILIU_MESSAGE_LOG`` (development, demonstrations)."""

    def send(self, message: Message) -> None:
        path = settings.SILIU_MESSAGE_LOG
        path.parent.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="seconds")
        with path.open("a", encoding="utf-8") as log:
            log.write(f"{stamp}\t{message.to}\t{message.kind}\t{message.text}\n")


BACKENDS: dict[str, type[MessageBackend]] = {"console": ConsoleBackend, "log": LogBackend}


def message_backend() -> MessageBackend:
    """The configured backend: ``console``, ``log`` or the class at a dotted path."""
    name = settings.SILIU_MESSAGE_BACKEND
    backend_class = BACKENDS.get(name) or import_string(name)
    return backend_class()
