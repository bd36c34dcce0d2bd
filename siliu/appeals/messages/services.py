"""The outbox, written and sent.

:func:`message_queue` writes a message in the caller's transaction and asks for it to be sent once that
transaction commits, so a message exists exactly when what it tells did happen. :func:`messages_send`
sends what is due through the backend (:mod:`siliu.appeals.messages.backends`); a failure is recorded
and tried again after 1, 2, 4, … minutes, up to :data:`MAX_ATTEMPTS` times.
"""

import datetime
import logging
import re
from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from siliu.appeals.messages.backends import message_backend
from siliu.appeals.models import Appeal, Message, MessageKind

logger = logging.getLogger(__name__)

#: Tries before a message is given up.
MAX_ATTEMPTS = 6
TEXT_MAX_LENGTH = 500

#: Called after a commit that queued messages: the task module's enqueue, registered in :mod:`siliu.hooks`
#: (this module may not import the task layer above it).
_after_commit: list[Callable[[], None]] = []


def message_sender_register(send: Callable[[], None]) -> None:
    """Run ``send`` after each transaction that queued messages commits (``messages.tasks``)."""
    if send not in _after_commit:
        _after_commit.append(send)


def message_queue(
    *, to: str, text: str, kind: MessageKind, appeal: Appeal | None = None, now: datetime.datetime
) -> Message:
    """Write a message to ``to`` in the caller's transaction; it is sent after the transaction commits."""
    message = Message.objects.create(
        to=to, text=text[:TEXT_MAX_LENGTH], kind=kind, appeal=appeal, created_at=now, next_attempt_at=now
    )
    pending = {id(callback) for _savepoints, callback, _robust in transaction.get_connection().run_on_commit}
    for send in _after_commit:
        if id(send) not in pending:  # once per transaction, however many messages it queued
            transaction.on_commit(send, robust=True)
    return message


def message_text_at_rest(message: Message) -> str:
    """What a message keeps once it is sent or given up: a phone code's digits blanked (the code is
    stored only hashed, :class:`~siliu.appeals.models.PhoneCode`; the outbox holds it while it waits)."""
    if message.kind == MessageKind.PHONE_CODE:
        return re.sub(r"[0-9]{6}", "******", message.text)
    return message.text


def message_backoff(*, attempts: int) -> datetime.timedelta:
    """How long after its ``attempts``-th failed try a message is tried again: 1, 2, 4, … minutes."""
    return datetime.timedelta(minutes=2 ** max(attempts - 1, 0))


def messages_send(*, now: datetime.datetime | None = None, limit: int = 100) -> int:
    """Send the messages that are due; return how many were tried.

    Messages are claimed in a short transaction (``SKIP LOCKED`` on PostgreSQL, their next try pushed a
    few minutes on), so two workers never send one twice at once and no transaction waits on a gateway.
    A backend's error is never raised: it is recorded, and the message is tried again later or, after
    :data:`MAX_ATTEMPTS` tries, given up (no next try, the error kept).
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:limit]
        )
        Message.objects.filter(pk__in=[message.pk for message in due]).update(
            next_attempt_at=now + datetime.timedelta(minutes=5)
        )
    backend = message_backend()
    for message in due:
        try:
            backend.send(message)
        except Exception as error:  # a gateway's failure of any kind is recorded, never raised
            attempts = message.attempts + 1
            logger.warning("message %s to %s failed: %s", message.pk, message.to[:3], error)
            given_up = attempts >= MAX_ATTEMPTS
            Message.objects.filter(pk=message.pk).update(
                attempts=F("attempts") + 1,
                error=str(error)[:300] or type(error).__name__,
                next_attempt_at=None if given_up else now + message_backoff(attempts=attempts),
                text=message_text_at_rest(message) if given_up else message.text,
            )
            continue
        Message.objects.filter(pk=message.pk).update(
            attempts=F("attempts") + 1,
            sent_at=now,
            next_attempt_at=None,
            error="",
            text=message_text_at_rest(message),
        )
    return len(due)
