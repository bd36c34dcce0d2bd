"""On PostgreSQL, at once: a pattern taken twice becomes one job; wrong codes tried together are all
counted; two escalation sweeps escalate each request once."""

import datetime
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connections

from siliu.appeals.models import AppealEvent, Job, PhoneCode
from siliu.appeals.patterns.services import pattern_take
from siliu.appeals.requests.services import appeal_file, appeals_escalate, phone_code_check, phone_code_send
from siliu.appeals.tests.conftest import NOW, County
from siliu.core.errors import DomainError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DAY = datetime.timedelta(days=1)


def at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    """``work(0)`` … ``work(count - 1)`` in threads, each on its own connection; errors returned."""

    def run(number: int) -> Any:
        try:
            return work(number)
        except DomainError as error:
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def three(county: County) -> None:
    for village, days in (("east", 3), ("west", 2), ("east", 1)):
        appeal_file(
            requester=county.villager,
            category="delivery",
            village_code=getattr(county, village).code,
            text="包裹放错人家了",
            now=NOW - days * DAY,
        )


def test_a_pattern_taken_twice_at_once_is_one_job(county: County) -> None:
    """Four takes of one pattern at once: one job of three, the others refused."""
    three(county)
    key = f"{county.qingshui.code}-delivery"
    results = at_once(4, lambda n: pattern_take(actor=county.manager, key=key, note=f"第{n}次", now=NOW))
    jobs = [result for result in results if isinstance(result, Job)]
    assert (len(jobs), Job.objects.count(), Job.objects.get().appeals.count()) == (1, 1, 3)
    assert AppealEvent.objects.filter(kind="acknowledged").count() == 3


def test_wrong_codes_tried_at_once_are_all_counted(county: County) -> None:
    """Five wrong codes at once: five tries counted, and the code is dead."""
    sent = phone_code_send(phone="13912345678", now=NOW)
    wrong = f"{(int(sent.code) + 1) % 1_000_000:06d}"
    results = at_once(5, lambda _n: phone_code_check(phone="13912345678", code=wrong, now=NOW))
    assert sorted(result.code for result in results) == ["wrong_code"] * 5
    assert PhoneCode.objects.get().attempt_count == 5
    with pytest.raises(DomainError) as refused:
        phone_code_check(phone="13912345678", code=sent.code, now=NOW)
    assert refused.value.code == "code_tries_used"


def test_two_sweeps_at_once_escalate_each_request_once(county: County) -> None:
    """Three late requests, two sweeps together: three escalations in all, one event each."""
    three(county)
    counts = at_once(2, lambda _n: appeals_escalate(now=NOW + 10 * DAY))
    assert sum(counts) == 3
    assert AppealEvent.objects.filter(kind="escalated").count() == 3
