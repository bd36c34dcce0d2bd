"""Requests: routing, due times, filing three ways, the transitions and their refusals, escalation."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from siliu.appeals.models import (
    Appeal,
    AppealCategory,
    AppealChannel,
    AppealEvent,
    AppealStatus,
    Message,
    MessageKind,
)
from siliu.appeals.requests.routing import appeal_due, appeal_route
from siliu.appeals.requests.selectors import appeal_get, appeal_queue
from siliu.appeals.requests.services import (
    appeal_acknowledge,
    appeal_file,
    appeal_file_for_villager,
    appeal_rate,
    appeal_reject_duplicate,
    appeal_resolve,
    appeal_withdraw,
    appeals_escalate,
)
from siliu.appeals.tests.conftest import NOW, County
from siliu.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from siliu.core.models import Event
from siliu.core.roles import Role, user_role_grant
from siliu.core.start import start_cards
from siliu.network.tests.factories import VillageFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def file(
    county: County, *, village: str = "east", category: str = "delivery", at: datetime.datetime = NOW
) -> Appeal:
    return appeal_file(
        requester=county.villager,
        category=category,
        village_code=getattr(county, village).code,
        text="包裹放错人家了",
        now=at,
    )


def state(appeal: Appeal) -> tuple[object, ...]:
    """What a refused action must leave as it was."""
    appeal.refresh_from_db()
    return (
        appeal.status,
        appeal.acknowledged_at,
        appeal.resolved_at,
        appeal.resolution,
        appeal.rating,
        appeal.escalated_at,
        appeal.events.count(),
        Message.objects.filter(appeal=appeal).count(),
        Event.objects.filter(kind__startswith="appeal.").count(),
    )


# --- routing and due times --------------------------------------------------------------------------


def test_a_village_with_a_station_goes_to_its_station(county: County) -> None:
    """东村 has its own station: its requests go there."""
    assert appeal_route(village_code=county.east.code).outlet == county.east_station


def test_a_village_without_a_station_goes_to_its_township_office(county: County) -> None:
    """西村 has no station: its township's office handles its requests."""
    route = appeal_route(village_code=county.west.code)
    assert (route.outlet, route.township) == (county.office, county.qingshui)


def test_a_village_nobody_serves_is_refused_on_the_village_field(county: County) -> None:
    """A village with neither a station nor an office: refused, naming the village."""
    nowhere = VillageFactory.create(name="远村")
    with pytest.raises(ValidationFailed) as refused:
        appeal_route(village_code=nowhere.code)
    assert (refused.value.code, refused.value.field) == ("village_not_served", "village")


def test_due_times_follow_the_category(county: County, settings: object) -> None:
    """A delivery request: 24 h to acknowledge, 5 days to resolve; a suggestion: 72 h and 30 days."""
    assert appeal_due(category="delivery", filed_at=NOW) == (NOW + 24 * HOUR, NOW + 120 * HOUR)
    assert appeal_due(category="suggestion", filed_at=NOW) == (NOW + 72 * HOUR, NOW + 720 * HOUR)
    appeal = file(county)
    assert (appeal.acknowledge_due_at, appeal.resolve_due_at) == (NOW + 24 * HOUR, NOW + 120 * HOUR)


# --- filing -----------------------------------------------------------------------------------------


def test_filing_online_routes_records_and_tells_the_requester(county: County) -> None:
    """A logged-in villager files: routed to 东村服务站, one event, one outbox event, one message to the
    phone of their profile with the link to the request."""
    appeal = file(county)
    assert (appeal.status, appeal.channel, appeal.outlet, appeal.township) == (
        AppealStatus.FILED,
        AppealChannel.ONLINE,
        county.east_station,
        county.qingshui,
    )
    assert list(appeal.events.values_list("kind", "from_status", "to_status", "actor")) == [
        ("filed", "", "filed", county.villager.pk)
    ]
    assert list(Event.objects.filter(kind__startswith="appeal.").values_list("kind", "ref")) == [
        ("appeal.filed", str(appeal.pk))
    ]
    message = Message.objects.get(appeal=appeal)
    assert (message.to, message.kind, message.sent_at) == ("13800000001", MessageKind.APPEAL_UPDATE, None)
    assert f"/appeals/r/{appeal.access_token}/" in message.text
    assert "东村服务站" in message.text


def test_a_user_without_a_phone_files_and_is_told_on_their_page_only(
    county: County, make_user: object
) -> None:
    """No mobile number on the profile: the request is filed, no message is queued."""
    user = User.objects.create(username="nophone")
    appeal = appeal_file(requester=user, category="price", village_code=county.west.code, text="贵", now=NOW)
    assert appeal.outlet == county.office
    assert Message.objects.count() == 0


def test_bad_input_is_refused_on_its_field_and_writes_nothing(county: County) -> None:
    """A bad category, empty text, no village: 400 on the field; no request, event or message."""
    cases = [
        ({"category": "weather"}, "category", "invalid_category"),
        ({"text": "  "}, "text", "text_required"),
        ({"text": "长" * 1001}, "text", "too_long"),
        ({"village_code": ""}, "village", "village_required"),
        ({"village_code": "999999999999"}, "village", "unknown_village"),
    ]
    for change, field, code in cases:
        arguments = {"category": "delivery", "village_code": county.east.code, "text": "有事", **change}
        with pytest.raises(ValidationFailed) as refused:
            appeal_file(requester=county.villager, now=NOW, **arguments)  # type: ignore[arg-type]
        assert (refused.value.field, refused.value.code) == (field, code)
    assert (Appeal.objects.count(), AppealEvent.objects.count(), Message.objects.count()) == (0, 0, 0)


def test_an_operator_files_for_a_villager_at_their_counter(county: County) -> None:
    """At 东村服务站's counter, for a villager with a phone of an existing user: the request is theirs,
    filed by the operator, and the villager gets the message."""
    appeal = appeal_file_for_villager(
        operator=county.operator,
        counter=county.east_station,
        phone="138 0000 0001",
        category="pickup",
        village_code=county.west.code,
        text="寄件要跑到镇上",
        now=NOW,
    )
    assert (appeal.channel, appeal.requester, appeal.filed_by, appeal.phone, appeal.outlet) == (
        AppealChannel.COUNTER,
        county.villager,
        county.operator,
        "13800000001",
        county.office,
    )
    assert Message.objects.get(appeal=appeal).to == "13800000001"


def test_an_operator_cannot_file_at_another_station_s_counter(county: County) -> None:
    """The operator of 东村 at 南村's counter: refused, nothing written."""
    with pytest.raises(PermissionRefused):
        appeal_file_for_villager(
            operator=county.operator,
            counter=county.south_station,
            phone="13900000000",
            category="pickup",
            village_code=county.south.code,
            text="x",
            now=NOW,
        )
    assert Appeal.objects.count() == 0


def test_a_counter_filing_needs_the_villager_s_mobile(county: County) -> None:
    """Without a mobile number the villager could not be told: refused on ``phone``."""
    with pytest.raises(ValidationFailed) as refused:
        appeal_file_for_villager(
            operator=county.operator,
            counter=county.east_station,
            phone="12345",
            category="pickup",
            village_code=county.east.code,
            text="x",
            now=NOW,
        )
    assert (refused.value.field, Appeal.objects.count()) == ("phone", 0)


# --- transitions ------------------------------------------------------------------------------------


def test_the_station_acknowledges_and_resolves_and_the_villager_rates(county: County) -> None:
    """filed → acknowledged → resolved → closed, an event and a message at each step but the rating."""
    appeal = file(county)
    appeal_acknowledge(appeal=appeal, actor=county.operator, note="明天上门", now=NOW + HOUR)
    appeal_resolve(appeal=appeal, actor=county.operator, resolution="已送回", now=NOW + 5 * HOUR)
    appeal_rate(appeal=appeal, actor=county.villager, rating=5, text="很快", now=NOW + 6 * HOUR)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.acknowledged_at, appeal.resolved_at, appeal.rating, appeal.rating_text) == (
        AppealStatus.CLOSED,
        NOW + HOUR,
        NOW + 5 * HOUR,
        5,
        "很快",
    )
    assert list(appeal.events.values_list("kind", "from_status", "to_status")) == [
        ("filed", "", "filed"),
        ("acknowledged", "filed", "acknowledged"),
        ("resolved", "acknowledged", "resolved"),
        ("closed", "resolved", "closed"),
    ]
    assert list(Event.objects.filter(ref=str(appeal.pk)).order_by("pk").values_list("kind", flat=True)) == [
        "appeal.filed",
        "appeal.acknowledged",
        "appeal.resolved",
        "appeal.closed",
    ]
    texts = list(Message.objects.filter(appeal=appeal).order_by("pk").values_list("text", flat=True))
    assert len(texts) == 3
    assert "已受理" in texts[1] and "明天上门" in texts[1]
    assert "已办结" in texts[2] and "已送回" in texts[2] and appeal.access_token in texts[2]


def test_resolving_a_filed_request_acknowledges_it_at_the_same_time(county: County) -> None:
    """A station may resolve at once: acknowledged_at is the resolution's time."""
    appeal = file(county)
    appeal_resolve(appeal=appeal, actor=county.operator, resolution="当场解决", now=NOW + HOUR)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.acknowledged_at, appeal.resolved_at) == (
        AppealStatus.RESOLVED,
        NOW + HOUR,
        NOW + HOUR,
    )


def test_another_station_may_not_handle_and_nothing_changes(county: County) -> None:
    """南村's operator on 东村's request: refused; the request, its events and messages unchanged."""
    appeal = file(county)
    before = state(appeal)
    with pytest.raises(PermissionRefused):
        appeal_acknowledge(appeal=appeal, actor=county.south_operator, now=NOW)
    with pytest.raises(PermissionRefused):
        appeal_resolve(appeal=appeal, actor=county.south_operator, resolution="x", now=NOW)
    with pytest.raises(PermissionRefused):
        appeal_acknowledge(appeal=appeal, actor=county.villager, now=NOW)
    assert state(appeal) == before


def test_the_county_manager_may_handle_any_request_in_the_county(county: County) -> None:
    """A late request can be taken up by the county: the manager resolves it."""
    appeal = file(county)
    appeal_resolve(appeal=appeal, actor=county.manager, resolution="县里协调", now=NOW)
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.RESOLVED


def test_refused_transitions_write_nothing(county: County) -> None:
    """Rating before resolution, acknowledging twice, resolving without a note, rating 6, withdrawing a
    resolved request: each refused, nothing written."""
    appeal = file(county)
    before = state(appeal)
    with pytest.raises(Conflict):
        appeal_rate(appeal=appeal, actor=county.villager, rating=4, now=NOW)
    with pytest.raises(ValidationFailed) as refused:
        appeal_resolve(appeal=appeal, actor=county.operator, resolution="  ", now=NOW)
    assert refused.value.field == "resolution"
    assert state(appeal) == before
    appeal_acknowledge(appeal=appeal, actor=county.operator, now=NOW)
    before = state(appeal)
    with pytest.raises(Conflict):
        appeal_acknowledge(appeal=appeal, actor=county.operator, now=NOW)
    assert state(appeal) == before
    appeal_resolve(appeal=appeal, actor=county.operator, resolution="好了", now=NOW)
    before = state(appeal)
    with pytest.raises(ValidationFailed) as bad_rating:
        appeal_rate(appeal=appeal, actor=county.villager, rating=6, now=NOW)
    assert bad_rating.value.field == "rating"
    with pytest.raises(Conflict):
        appeal_withdraw(appeal=appeal, actor=county.villager, now=NOW)
    assert state(appeal) == before


def test_only_the_requester_or_their_link_may_rate(county: County, make_user: object) -> None:
    """Someone else: not found, nothing written; the link's token rates it without a login."""
    appeal = file(county)
    appeal_resolve(appeal=appeal, actor=county.operator, resolution="好了", now=NOW)
    stranger = User.objects.create(username="stranger")
    before = state(appeal)
    with pytest.raises(NotFound):
        appeal_rate(appeal=appeal, actor=stranger, rating=1, now=NOW)
    with pytest.raises(NotFound):
        appeal_rate(appeal=appeal, actor=stranger, rating=1, token="wrong", now=NOW)
    assert state(appeal) == before
    appeal_rate(appeal=appeal, actor=stranger, rating=3, token=appeal.access_token, now=NOW)
    assert Appeal.objects.get(pk=appeal.pk).rating == 3


def test_a_duplicate_is_closed_into_the_other_request(county: County) -> None:
    """The second of two same requests is rejected as its duplicate; itself or an unknown one is refused."""
    first, second = file(county), file(county)
    before = state(second)
    for bad in (second.pk, 999_999):
        with pytest.raises(ValidationFailed):
            appeal_reject_duplicate(appeal=second, actor=county.operator, duplicate_of_id=bad, now=NOW)
    assert state(second) == before
    appeal_reject_duplicate(appeal=second, actor=county.operator, duplicate_of_id=first.pk, now=NOW)
    second.refresh_from_db()
    assert (second.status, second.duplicate_of_id) == (AppealStatus.REJECTED, first.pk)


def test_the_requester_withdraws_an_open_request(county: County) -> None:
    """Withdrawn by its requester: an event, no message."""
    appeal = file(county)
    appeal_withdraw(appeal=appeal, actor=county.villager, now=NOW)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.WITHDRAWN
    assert Message.objects.filter(appeal=appeal).count() == 1  # the filing's only


# --- escalation -------------------------------------------------------------------------------------


def test_a_request_not_acknowledged_in_24_hours_is_escalated_once(county: County) -> None:
    """At 23 h nothing; at 24 h escalated (an event, an outbox event, a message); a second sweep adds
    nothing."""
    appeal = file(county)
    assert appeals_escalate(now=NOW + 23 * HOUR) == 0
    assert appeals_escalate(now=NOW + 24 * HOUR) == 1
    assert appeals_escalate(now=NOW + 25 * HOUR) == 0
    appeal.refresh_from_db()
    assert appeal.escalated_at == NOW + 24 * HOUR
    assert list(appeal.events.filter(kind="escalated").values_list("from_status", "to_status", "note")) == [
        ("filed", "filed", "超过应受理时间")
    ]
    assert Event.objects.filter(kind="appeal.escalated", ref=str(appeal.pk)).count() == 1
    assert "县级管理员" in Message.objects.filter(appeal=appeal).order_by("-pk").first().text  # type: ignore[union-attr]


def test_an_acknowledged_request_is_escalated_when_past_its_resolve_time(county: County) -> None:
    """Acknowledged in time, not resolved in 5 days: escalated at 120 h, not before."""
    appeal = file(county)
    appeal_acknowledge(appeal=appeal, actor=county.operator, now=NOW + HOUR)
    assert appeals_escalate(now=NOW + 119 * HOUR) == 0
    assert appeals_escalate(now=NOW + 120 * HOUR) == 1


def test_resolved_requests_are_never_escalated(county: County) -> None:
    """Resolved late, it is no longer open: no escalation."""
    appeal = file(county)
    appeal_resolve(appeal=appeal, actor=county.operator, resolution="好了", now=NOW + 30 * HOUR)
    assert appeals_escalate(now=NOW + 200 * HOUR) == 0


def test_the_county_list_puts_escalated_and_late_first(county: County, make_user: object) -> None:
    """The manager's list: the escalated request, then the late one, then the others by due time; the
    operator of 东村 sees only 东村's; the auditor sees all."""
    on_time = file(county, at=NOW)
    late = file(county, village="west", at=NOW - 30 * HOUR)
    escalated = file(county, village="south", at=NOW - 50 * HOUR)
    appeals_escalate(now=NOW - 20 * HOUR)
    assert Appeal.objects.filter(escalated_at__isnull=False).get() == escalated
    manager_list = list(appeal_queue(user=county.manager, show="open", now=NOW))
    assert manager_list == [escalated, late, on_time]
    assert list(appeal_queue(user=county.manager, show="late", now=NOW)) == [escalated, late]
    assert list(appeal_queue(user=county.operator, now=NOW)) == [on_time]
    auditor = User.objects.create(username="auditor")
    user_role_grant(user=auditor, role=Role.AUDITOR)
    assert len(appeal_queue(user=auditor, show="all", now=NOW)) == 3


def test_who_sees_a_request(county: County) -> None:
    """The requester, its station, the county; not another station."""
    appeal = file(county)
    for user in (county.villager, county.operator, county.manager):
        assert appeal_get(user=user, appeal_id=appeal.pk) == appeal
    with pytest.raises(NotFound):
        appeal_get(user=county.south_operator, appeal_id=appeal.pk)


def test_the_categories_are_the_issue_s_six(county: County) -> None:
    """Delivery, pickup, a missing service, a price, a complaint, a suggestion."""
    assert AppealCategory.values == [
        "delivery",
        "pickup",
        "missing_service",
        "price",
        "complaint",
        "suggestion",
    ]


def test_the_start_page_card_counts_the_open_requests_and_the_late(county: County) -> None:
    """The operator of 东村: two open there (one late), one elsewhere not counted; a consumer gets none."""
    file(county, at=timezone.now() - 30 * HOUR)
    file(county, at=timezone.now())
    file(county, village="south", at=timezone.now())
    cards = {card.testid: card for card in start_cards(user=county.operator)}
    card = cards["start-appeals-open"]
    assert (card.figure, card.url, card.note) == ("2", "/appeals/handle/", "其中超时 1 件")
    assert "start-appeals-open" not in {card.testid for card in start_cards(user=county.villager)}
