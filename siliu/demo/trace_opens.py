"""Buyers opening the demo's trace pages over its year, so that 经营概况 has opens to count.

Each trace batch of the history is opened a few times (more for a batch made early, which was on
sale longer) at moments between its registration and the end of the history; each open is a
``trace.opened`` event as the public trace page appends one (:mod:`siliu.commerce.trace.views`),
at its historical time. The times are drawn from a ``random.Random`` seeded from the county's seed,
over the batches in the order of their (seeded) codes, so the same seed gives the same opens.
"""

import datetime
import random

from siliu.commerce.models import TraceBatch
from siliu.core.events import TRACE_OPENED, events_append
from siliu.demo.commerce_history import HistoryWindow

#: Opens of a batch on sale for the whole year: from this few to this many (fewer for a later batch).
OPENS_PER_YEAR = (3, 14)


def demo_trace_opens(*, seed: int, window: HistoryWindow) -> int:
    """Append the opens of every trace batch between its registration (or the history's start) and the
    window's end; the number appended."""
    rng = random.Random(f"siliu-demo-trace-opens:{seed}")
    year = (window.end - window.start).total_seconds()
    count = 0
    for code, created_at in TraceBatch.objects.order_by("code").values_list("code", "created_at"):
        since = max(created_at, window.start)
        span = (window.end - since).total_seconds()
        if span <= 0:
            continue
        opens = round(rng.randint(*OPENS_PER_YEAR) * span / year)
        for moment in sorted(rng.uniform(0, span) for _open in range(opens)):
            events_append(TRACE_OPENED, [code], at=since + datetime.timedelta(seconds=round(moment)))
        count += opens
    return count
