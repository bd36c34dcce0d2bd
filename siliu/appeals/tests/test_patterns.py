"""Recurring needs: three of a kind in one township within 30 days are one pattern; taken as one job and
resolved together."""

import datetime

import pytest

from siliu.appeals.models import Appeal, AppealEvent, AppealStatus, Job, Message
from siliu.appeals.patterns.selectors import pattern_get, pattern_list, text_similarity
from siliu.appeals.patterns.services import job_resolve, pattern_take
from siliu.appeals.requests.services import appeal_acknowledge, appeal_file, appeal_withdraw
from siliu.appeals.tests.conftest import NOW, County
from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
TEXTS = ["包裹放错人家了，邻居收了我的快递", "快递又被放到别人家门口", "我的包裹被放在隔壁家"]


def file(
    county: County, village: str, days_ago: float, *, category: str = "delivery", text: str = ""
) -> Appeal:
    return appeal_file(
        requester=county.villager,
        category=category,
        village_code=getattr(county, village).code,
        text=text or "包裹放错人家了",
        now=NOW - days_ago * DAY,
    )


def three_in_qingshui(county: County) -> list[Appeal]:
    """Three delivery requests in 清水乡 (东村 twice, 西村 once) within 20 days."""
    return [
        file(county, village, days, text=text)
        for village, days, text in zip(("east", "west", "east"), (20, 9, 1), TEXTS, strict=True)
    ]


def test_three_of_a_kind_in_one_township_within_30_days_are_one_pattern(county: County) -> None:
    """东村 and 西村 are both in 清水乡: one pattern of three, the representative one of them."""
    appeals = three_in_qingshui(county)
    patterns = pattern_list(user=county.manager, now=NOW)
    assert len(patterns) == 1
    pattern = patterns[0]
    assert (pattern.township, pattern.category.value, pattern.open_count) == (county.qingshui, "delivery", 3)
    assert {member.appeal for member in pattern.members} == set(appeals)
    assert pattern.representative in appeals
    assert pattern.key == f"{county.qingshui.code}-delivery"


def test_two_are_not_a_pattern(county: County) -> None:
    """Two of a kind: no pattern."""
    file(county, "east", 3)
    file(county, "west", 2)
    assert pattern_list(user=county.manager, now=NOW) == []


def test_the_same_kind_in_another_township_does_not_count(county: County) -> None:
    """Two in 清水乡 and one in 红山镇 (南村): no pattern."""
    file(county, "east", 3)
    file(county, "west", 2)
    file(county, "south", 1)
    assert pattern_list(user=county.manager, now=NOW) == []


def test_another_category_does_not_count(county: County) -> None:
    """Two deliveries and a price complaint in 清水乡: no pattern."""
    file(county, "east", 3)
    file(county, "west", 2)
    file(county, "east", 1, category="price")
    assert pattern_list(user=county.manager, now=NOW) == []


def test_a_request_older_than_30_days_does_not_count(county: County) -> None:
    """31, 10 and 1 days ago: only two within the window, no pattern; 29 days ago it would be."""
    old = file(county, "east", 31)
    file(county, "west", 10)
    file(county, "east", 1)
    assert pattern_list(user=county.manager, now=NOW) == []
    Appeal.objects.filter(pk=old.pk).update(filed_at=NOW - 29 * DAY)
    assert len(pattern_list(user=county.manager, now=NOW)) == 1


def test_withdrawn_and_duplicate_requests_do_not_count(county: County) -> None:
    """Three, one of them withdrawn: no pattern."""
    appeals = three_in_qingshui(county)
    appeal_withdraw(appeal=appeals[0], actor=county.villager, now=NOW)
    assert pattern_list(user=county.manager, now=NOW) == []


def test_only_the_manager_s_county_is_seen(county: County) -> None:
    """An operator holds no appeal.manage: no patterns for them."""
    three_in_qingshui(county)
    assert pattern_list(user=county.operator, now=NOW) == []


def test_text_similarity_reads_chinese_characters() -> None:
    """Two ways of saying a parcel went to the wrong house are closer than a price complaint."""
    assert text_similarity(TEXTS[0], TEXTS[2]) > text_similarity(TEXTS[0], "寄一箱猕猴桃邮费比镇上贵")
    assert text_similarity("包裹放错了", "包裹放错了") == 100


def test_taking_a_pattern_acknowledges_its_requests_as_one_job(county: County) -> None:
    """The job holds the three; the two filed ones are acknowledged with the note and told, the
    acknowledged one gets a joined event; the pattern is gone from the list."""
    appeals = three_in_qingshui(county)
    appeal_acknowledge(appeal=appeals[0], actor=county.operator, now=NOW - 19 * DAY)
    messages_before = Message.objects.count()
    job = pattern_take(
        actor=county.manager,
        key=f"{county.qingshui.code}-delivery",
        note="与投递员核对门牌",
        assignee_id=county.operator.pk,
        now=NOW,
    )
    assert (job.category, job.township, job.status, job.assignee, job.note) == (
        "delivery",
        county.qingshui,
        Job.Status.OPEN,
        county.operator,
        "与投递员核对门牌",
    )
    assert set(job.appeals.values_list("pk", "status")) == {
        (appeal.pk, AppealStatus.ACKNOWLEDGED) for appeal in appeals
    }
    assert sorted(AppealEvent.objects.filter(job=job).values_list("kind", flat=True)) == [
        "acknowledged",
        "acknowledged",
        "joined",
    ]
    assert Message.objects.count() == messages_before + 2
    assert pattern_list(user=county.manager, now=NOW) == []


def test_resolving_the_job_resolves_every_open_request_with_one_note(county: County) -> None:
    """Each request resolved with the job's note, each requester asked to rate; the job resolved."""
    three_in_qingshui(county)
    job = pattern_take(actor=county.manager, key=f"{county.qingshui.code}-delivery", note="核对门牌", now=NOW)
    job_resolve(actor=county.manager, job_id=job.pk, resolution="已与投递员核对门牌", now=NOW + DAY)
    job.refresh_from_db()
    assert (job.status, job.resolved_at, job.resolution) == (
        Job.Status.RESOLVED,
        NOW + DAY,
        "已与投递员核对门牌",
    )
    assert set(job.appeals.values_list("status", "resolution", "resolved_at")) == {
        (AppealStatus.RESOLVED, "已与投递员核对门牌", NOW + DAY)
    }
    with pytest.raises(Conflict):
        job_resolve(actor=county.manager, job_id=job.pk, resolution="再来一次", now=NOW + 2 * DAY)


def test_refused_takes_write_nothing(county: County) -> None:
    """No note, a request not in the pattern, a stranger as assignee, an operator taking it, an unknown
    pattern: each refused, no job, no event."""
    appeals = three_in_qingshui(county)
    other = file(county, "south", 1)
    key = f"{county.qingshui.code}-delivery"
    events = AppealEvent.objects.count()
    with pytest.raises(ValidationFailed):
        pattern_take(actor=county.manager, key=key, note=" ", now=NOW)
    with pytest.raises(ValidationFailed):
        pattern_take(actor=county.manager, key=key, note="x", appeal_ids=[appeals[0].pk, other.pk], now=NOW)
    with pytest.raises(ValidationFailed):
        pattern_take(actor=county.manager, key=key, note="x", assignee_id=county.south_operator.pk, now=NOW)
    with pytest.raises(PermissionRefused):
        pattern_take(actor=county.operator, key=key, note="x", now=NOW)
    with pytest.raises(NotFound):
        pattern_take(actor=county.manager, key=f"{county.hongshan.code}-delivery", note="x", now=NOW)
    assert (Job.objects.count(), AppealEvent.objects.count()) == (0, events)
    assert pattern_get(user=county.manager, key=key, now=NOW).open_count == 3


def test_a_job_may_take_part_of_a_pattern(county: County) -> None:
    """Two of the three ticked: the third stays out of the job."""
    appeals = three_in_qingshui(county)
    job = pattern_take(
        actor=county.manager,
        key=f"{county.qingshui.code}-delivery",
        note="x",
        appeal_ids=[appeals[0].pk, appeals[1].pk],
        now=NOW,
    )
    assert set(job.appeals.all()) == {appeals[0], appeals[1]}
    assert Appeal.objects.get(pk=appeals[2].pk).status == AppealStatus.FILED
