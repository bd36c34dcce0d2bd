"""Random identifiers (order numbers, trace codes, pickup codes) from one replaceable source, and the
bound of the database's own ids (:data:`MAX_ID`).

In service the source is the operating system's (:class:`secrets.SystemRandom`): codes that must not
be guessed are not. The demo generator replays a year of history and needs the same identifiers on
every run, so it draws them from a seeded generator within :func:`seeded` — for that call only.
"""

import contextlib
import contextvars
import random
import secrets
from collections.abc import Iterator, Sequence
from typing import Final

#: Largest primary key (a ``BigAutoField``, 64-bit): the bound of every id a client names.
MAX_ID: Final = 2**63 - 1

_system = secrets.SystemRandom()
_source: contextvars.ContextVar[random.Random] = contextvars.ContextVar("siliu_ids_source", default=_system)


def randbelow(upper: int) -> int:
    """A random integer in ``[0, upper)``."""
    return _source.get().randrange(upper)


def choice(alphabet: Sequence[str]) -> str:
    """A random element of ``alphabet``."""
    return _source.get().choice(alphabet)


@contextlib.contextmanager
def seeded(seed: str | int) -> Iterator[None]:
    """Draw identifiers from a generator seeded with ``seed`` inside the ``with`` block (demo data only)."""
    token = _source.set(random.Random(seed))
    try:
        yield
    finally:
        _source.reset(token)
