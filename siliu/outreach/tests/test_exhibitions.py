"""Exhibitions: asked for, planned, held with the attendance counted, or cancelled; every change through
the transitions table with an event; refusals write nothing; the pages and the API."""

import datetime
import io
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, connections, transaction
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from siliu.core.errors import Conflict, DomainError, PermissionRefused, ValidationFailed
from siliu.core.roles import Role
from siliu.network.tests.factories import (
    CountyFactory,
    OutletFactory,
    ProvinceFactory,
    TownshipFactory,
    VillageFactory,
)
from siliu.outreach.exhibitions.services import (
    exhibition_cancel,
    exhibition_create,
    exhibition_hold,
    exhibition_photo_add,
    exhibition_plan,
    exhibition_request,
)
from siliu.outreach.models import (
    EXHIBITION_TRANSITIONS,
    Exhibition,
    ExhibitionEvent,
    ExhibitionKind,
    ExhibitionStatus,
    StampIssue,
    VenueKind,
)
from siliu.outreach.tests.factories import County, stamp_issue_build

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = datetime.date(2026, 12, 7)


@pytest.fixture
def stamp(db: None) -> StampIssue:
    return stamp_issue_build()


def _snapshot(exhibition: Exhibition) -> tuple[Any, ...]:
    """What a refusal must leave as it was: the row, its stamps, its events."""
    row = Exhibition.objects.values().get(pk=exhibition.pk)
    stamps = sorted(Exhibition.objects.get(pk=exhibition.pk).stamps.values_list("pk", flat=True))
    events = list(ExhibitionEvent.objects.filter(exhibition=exhibition).values_list("id", "to_status"))
    return (row, stamps, events)


def _planned(county: County, manager: User, stamp: StampIssue, *, day: datetime.date = TODAY) -> Exhibition:
    return exhibition_create(
        actor=manager,
        village_code=county.villages[0].code,
        venue_kind=VenueKind.SCHOOL,
        venue_name="王家沟村小学",
        kind=ExhibitionKind.EXHIBITION,
        title="王家沟村小学：邮票上的党史",
        scheduled_on=day,
        stamp_ids=[stamp.pk],
        leader_name="王建国",
        now=NOW - datetime.timedelta(days=10),
    )


def _requested(county: County, **fields: Any) -> Exhibition:
    values: dict[str, Any] = {
        "requester": AnonymousUser(),
        "village_code": county.villages[2].code,
        "venue_kind": VenueKind.SCHOOL,
        "venue_name": "石门村小学",
        "contact_name": "赵老师",
        "contact_phone": "139 0000 0000",
        "preferred_on": TODAY + datetime.timedelta(days=20),
        "now": NOW,
        **fields,
    }
    return exhibition_request(**values)


# --- requests --------------------------------------------------------------------------------------


def test_a_school_asks_without_an_account(county: County) -> None:
    """The request is answered for by the village's township office (石门村 has no station); the phone is
    kept as 11 digits; its first event has no actor."""
    exhibition = _requested(county)
    assert exhibition.status == ExhibitionStatus.REQUESTED
    assert exhibition.outlet == county.east_office
    assert (exhibition.contact_name, exhibition.contact_phone) == ("赵老师", "13900000000")
    assert exhibition.title == "石门村小学：邮票上的党史"
    assert exhibition.scheduled_on == datetime.date(2026, 12, 27)
    assert list(exhibition.events.values_list("from_status", "to_status", "actor")) == [
        ("", "requested", None)
    ]


def test_a_villager_with_an_account_needs_no_phone(county: County, make_user: Callable[..., User]) -> None:
    """Logged in, the account is the way back; a village square needs no name."""
    villager = make_user(Role.CONSUMER)
    exhibition = _requested(
        county,
        requester=villager,
        village_code=county.villages[0].code,
        venue_kind=VenueKind.VILLAGE_SQUARE,
        venue_name="",
        contact_name="",
        contact_phone="",
    )
    assert exhibition.requester == villager
    assert exhibition.outlet == county.stations[0]
    assert exhibition.title == "青龙镇王家沟村：邮票上的党史"
    assert list(exhibition.events.values_list("actor", flat=True)) == [villager.pk]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"contact_phone": ""}, "invalid_phone", "contact_phone"),
        ({"contact_phone": "12345"}, "invalid_phone", "contact_phone"),
        ({"contact_name": ""}, "contact_required", "contact_name"),
        ({"venue_name": ""}, "venue_name_required", "venue_name"),
        ({"village_code": ""}, "village_required", "village"),
        ({"village_code": "999999999999"}, "unknown_village", "village"),
        ({"venue_kind": "barracks"}, "invalid_venue_kind", "venue_kind"),
        ({"preferred_on": TODAY - datetime.timedelta(days=1)}, "date_in_past", "preferred_on"),
        ({"preferred_on": TODAY + datetime.timedelta(days=367)}, "date_too_far", "preferred_on"),
    ],
)
def test_a_bad_request_is_refused_and_nothing_is_written(
    county: County, change: dict[str, Any], code: str, field: str
) -> None:
    """Each rule refuses with its code on its field; no exhibition, no event."""
    with pytest.raises(ValidationFailed) as refused:
        _requested(county, **change)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert Exhibition.objects.count() == ExhibitionEvent.objects.count() == 0


def test_a_village_no_outlet_serves_cannot_ask(county: County) -> None:
    """Without a station or a township office, nobody could answer for it."""
    village = VillageFactory.create(parent=TownshipFactory.create(parent=county.county))
    with pytest.raises(ValidationFailed) as refused:
        _requested(county, village_code=village.code)
    assert refused.value.code == "village_not_served"
    assert Exhibition.objects.count() == 0


# --- planning, holding, cancelling -----------------------------------------------------------------


def test_a_request_is_planned_held_and_counted(county: County, manager: User, stamp: StampIssue) -> None:
    """requested → planned → held, an event each; the attendance and the day are kept."""
    other = stamp_issue_build(
        series_number="2015-20", name="抗战胜利七十周年", issued_on=datetime.date(2015, 9, 3)
    )
    exhibition = _requested(county)
    exhibition = exhibition_plan(
        exhibition=exhibition,
        actor=manager,
        scheduled_on=TODAY,
        stamp_ids=[stamp.pk, other.pk, stamp.pk],
        leader_name="李秀英",
        kind=ExhibitionKind.TALK,
        now=NOW,
    )
    assert (exhibition.status, exhibition.kind, exhibition.leader_name) == ("planned", "talk", "李秀英")
    assert sorted(exhibition.stamps.values_list("pk", flat=True)) == sorted([stamp.pk, other.pk])
    exhibition = exhibition_hold(exhibition=exhibition, actor=manager, attendance_count=86, now=NOW)
    exhibition.refresh_from_db()
    assert (exhibition.status, exhibition.attendance_count, exhibition.held_on) == ("held", 86, TODAY)
    assert list(exhibition.events.values_list("from_status", "to_status", "actor", "note")) == [
        ("", "requested", None, ""),
        ("requested", "planned", manager.pk, ""),
        ("planned", "held", manager.pk, "参加 86 人"),
    ]


def test_nobody_came_is_a_count(county: County, manager: User, stamp: StampIssue) -> None:
    """0 people is recorded as held with 0 (it still says the village was visited)."""
    exhibition = exhibition_hold(
        exhibition=_planned(county, manager, stamp), actor=manager, attendance_count=0, now=NOW
    )
    assert (exhibition.status, exhibition.attendance_count) == ("held", 0)


@pytest.mark.parametrize(
    ("attendance", "code"),
    [
        (None, "attendance_required"),
        (-1, "invalid_attendance"),
        (100_001, "invalid_attendance"),
        (True, "invalid_attendance"),
    ],
)
def test_held_needs_an_attendance(
    county: County, manager: User, stamp: StampIssue, attendance: Any, code: str
) -> None:
    """Without a whole number 0–100000 of people nothing changes: still planned, no event."""
    exhibition = _planned(county, manager, stamp)
    before = _snapshot(exhibition)
    with pytest.raises(ValidationFailed) as refused:
        exhibition_hold(exhibition=exhibition, actor=manager, attendance_count=attendance, now=NOW)
    assert (refused.value.code, refused.value.field) == (code, "attendance_count")
    assert _snapshot(exhibition) == before


def test_a_day_to_come_cannot_be_recorded_held(county: County, manager: User, stamp: StampIssue) -> None:
    """Planned for tomorrow, it cannot be held today."""
    exhibition = _planned(county, manager, stamp, day=TODAY + datetime.timedelta(days=1))
    before = _snapshot(exhibition)
    with pytest.raises(Conflict) as refused:
        exhibition_hold(exhibition=exhibition, actor=manager, attendance_count=30, now=NOW)
    assert (refused.value.code, refused.value.field) == ("not_yet_held", "held_on")
    assert _snapshot(exhibition) == before


def test_the_database_refuses_a_held_exhibition_without_attendance(
    county: County, manager: User, stamp: StampIssue
) -> None:
    """The check constraint holds even against a write that skips the services."""
    exhibition = _planned(county, manager, stamp)
    with pytest.raises(IntegrityError), transaction.atomic():
        Exhibition.objects.filter(pk=exhibition.pk).update(status=ExhibitionStatus.HELD, held_on=TODAY)


def _to(exhibition: Exhibition, status: str, actor: User, stamp: StampIssue) -> Exhibition:
    if status == ExhibitionStatus.PLANNED:
        return exhibition_plan(
            exhibition=exhibition,
            actor=actor,
            scheduled_on=TODAY,
            stamp_ids=[stamp.pk],
            leader_name="王",
            now=NOW,
        )
    if status == ExhibitionStatus.HELD:
        return exhibition_hold(exhibition=exhibition, actor=actor, attendance_count=10, now=NOW)
    return exhibition_cancel(exhibition=exhibition, actor=actor, reason="下雨", now=NOW)


#: Every (from, to) the table does not allow, for an exhibition that exists.
REFUSED_MOVES = [
    (before, after)
    for before in ExhibitionStatus.values
    for after in (ExhibitionStatus.PLANNED, ExhibitionStatus.HELD, ExhibitionStatus.CANCELLED)
    if after not in EXHIBITION_TRANSITIONS[before]
]


@pytest.mark.parametrize(("before", "after"), REFUSED_MOVES)
def test_a_move_the_table_does_not_allow_is_refused(
    county: County, manager: User, stamp: StampIssue, before: str, after: str
) -> None:
    """A held or cancelled exhibition stays so; a request is planned before it is held; nothing changes."""
    exhibition = _requested(county)
    path = {
        "requested": [],
        "planned": ["planned"],
        "held": ["planned", "held"],
        "cancelled": ["cancelled"],
    }[before]
    for status in path:
        exhibition = _to(exhibition, status, manager, stamp)
    snapshot = _snapshot(exhibition)
    with pytest.raises(Conflict) as refused:
        _to(exhibition, after, manager, stamp)
    assert refused.value.code == "exhibition_status"
    assert _snapshot(exhibition) == snapshot


def test_a_cancellation_says_why(county: County, manager: User) -> None:
    """No reason, no cancellation; with one it is kept and is the event's note."""
    exhibition = _requested(county)
    before = _snapshot(exhibition)
    with pytest.raises(ValidationFailed) as refused:
        exhibition_cancel(exhibition=exhibition, actor=manager, reason=" ", now=NOW)
    assert refused.value.code == "reason_required"
    assert _snapshot(exhibition) == before
    exhibition = exhibition_cancel(exhibition=exhibition, actor=manager, reason="学校期末考试", now=NOW)
    assert (exhibition.status, exhibition.cancel_reason) == ("cancelled", "学校期末考试")
    assert exhibition.events.last().note == "学校期末考试"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"stamp_ids": []}, "stamps_required", "stamps"),
        ({"stamp_ids": [999999]}, "unknown_stamp", "stamps"),
        ({"leader_name": ""}, "leader_required", "leader_name"),
        ({"scheduled_on": None}, "date_required", "scheduled_on"),
        ({"scheduled_on": TODAY - datetime.timedelta(days=1)}, "date_in_past", "scheduled_on"),
        ({"title": ""}, "title_required", "title"),
        ({"venue_kind": VenueKind.OUTLET}, "outlet_required", "outlet"),
        ({"outlet_code": "NOPE"}, "unknown_outlet", "outlet"),
    ],
)
def test_a_bad_plan_is_refused_and_nothing_is_written(
    county: County, manager: User, stamp: StampIssue, change: dict[str, Any], code: str, field: str
) -> None:
    """Planning checks the date, the stamps, the leader, the title and the outlet."""
    values: dict[str, Any] = {
        "actor": manager,
        "village_code": county.villages[0].code,
        "venue_kind": VenueKind.VILLAGE_SQUARE,
        "kind": ExhibitionKind.EXHIBITION,
        "title": "王家沟村：邮票上的党史",
        "scheduled_on": TODAY,
        "stamp_ids": [stamp.pk],
        "leader_name": "王建国",
        "now": NOW,
        **change,
    }
    with pytest.raises(ValidationFailed) as refused:
        exhibition_create(**values)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert Exhibition.objects.count() == ExhibitionEvent.objects.count() == 0


def test_an_exhibition_at_an_outlet_is_answered_for_there(
    county: County, manager: User, stamp: StampIssue
) -> None:
    """Held at the township office, the office answers for it, though the village has its station."""
    exhibition = exhibition_create(
        actor=manager,
        village_code=county.villages[0].code,
        venue_kind=VenueKind.OUTLET,
        outlet_code=county.east_office.code,
        kind=ExhibitionKind.EXHIBITION,
        title="青龙镇邮政所：邮票上的党史",
        scheduled_on=TODAY,
        stamp_ids=[stamp.pk],
        leader_name="王建国",
        now=NOW,
    )
    assert exhibition.outlet == county.east_office


def test_a_manager_of_another_county_is_refused(
    county: County, stamp: StampIssue, make_user: Callable[..., User]
) -> None:
    """outreach.manage holds in the manager's county only; the request stays as it was."""
    elsewhere = CountyFactory.create(code="610125", name="邻县", parent=ProvinceFactory.create())
    stranger = make_user(Role.COUNTY_MANAGER, county=elsewhere)
    exhibition = _requested(county)
    before = _snapshot(exhibition)
    with pytest.raises(PermissionRefused):
        _to(exhibition, ExhibitionStatus.PLANNED, stranger, stamp)
    with pytest.raises(PermissionRefused):
        _to(exhibition, ExhibitionStatus.CANCELLED, stranger, stamp)
    assert _snapshot(exhibition) == before


def test_a_photo_is_added_to_a_held_exhibition(county: County, manager: User, stamp: StampIssue) -> None:
    """Re-encoded and kept on the exhibition; a request takes none."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (0, 120, 0)).save(out, format="PNG")
    data = out.getvalue()
    held = exhibition_hold(
        exhibition=_planned(county, manager, stamp), actor=manager, attendance_count=40, now=NOW
    )
    held = exhibition_photo_add(exhibition=held, actor=manager, upload=io.BytesIO(data), size=len(data))
    assert len(held.photos) == 1 and held.photos[0].startswith(f"/media/exhibitions/{held.pk}/")
    requested = _requested(county)
    with pytest.raises(Conflict) as refused:
        exhibition_photo_add(exhibition=requested, actor=manager, upload=io.BytesIO(data), size=len(data))
    assert refused.value.code == "photo_not_allowed"
    requested.refresh_from_db()
    assert requested.photos == []


# --- pages and API ---------------------------------------------------------------------------------


def test_the_request_page_takes_a_request_without_a_login(client: Client, county: County) -> None:
    """The picker's village, a school and a phone; the page says it was filed."""
    response = client.post(
        "/outreach/request/",
        {
            "township": county.east.code,
            "village": county.villages[2].code,
            "venue_kind": "school",
            "venue_name": "石门村小学",
            "kind": "exhibition",
            "contact_name": "赵老师",
            "contact_phone": "13900000000",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert 'data-testid="request-filed"' in response.content.decode()
    assert Exhibition.objects.get().status == ExhibitionStatus.REQUESTED


def test_the_request_page_is_rate_limited(
    client: Client, county: County, throttle_rates: Callable[..., None]
) -> None:
    """Past the per-address allowance the page answers 429 with Retry-After and files nothing."""
    throttle_rates(exhibition_request="1/hour")
    form = {
        "township": county.east.code,
        "village": county.villages[0].code,
        "venue_kind": "village_square",
        "kind": "talk",
        "contact_name": "王",
        "contact_phone": "13900000000",
    }
    assert client.post("/outreach/request/", form).status_code == 200
    response = client.post("/outreach/request/", form)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert Exhibition.objects.count() == 1


def test_the_manager_holds_an_exhibition_on_its_page(
    client: Client, county: County, manager: User, stamp: StampIssue
) -> None:
    """The list shows it, the hold form records it; without a count the form says so (400)."""
    exhibition = _planned(county, manager, stamp, day=timezone.localdate())
    client.force_login(manager)
    assert "王家沟村小学：邮票上的党史" in client.get("/outreach/exhibitions/").content.decode()
    refused = client.post(f"/outreach/exhibitions/{exhibition.pk}/hold/", {"attendance_count": ""})
    assert refused.status_code == 400
    assert 'data-testid="error-attendance_count"' in refused.content.decode()
    assert (
        client.post(f"/outreach/exhibitions/{exhibition.pk}/hold/", {"attendance_count": "57"}).status_code
        == 302
    )
    exhibition.refresh_from_db()
    assert (exhibition.status, exhibition.attendance_count) == ("held", 57)


def test_the_request_and_hold_through_the_api(
    api_client: APIClient, county: County, manager: User, stamp: StampIssue
) -> None:
    """POST requests (anyone) → plan → hold; a missing attendance is a 400 on the field."""
    response = api_client.post(
        "/api/v1/outreach/requests",
        {
            "village": county.villages[1].code,
            "venue_kind": "village_square",
            "contact_name": "李",
            "contact_phone": "13800000000",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    exhibition_id = response.json()["id"]
    api_client.force_authenticate(manager)
    today = timezone.localdate().isoformat()
    planned = api_client.post(
        f"/api/v1/outreach/exhibitions/{exhibition_id}/plan",
        {"scheduled_on": today, "stamps": [stamp.pk], "leader_name": "王建国"},
        format="json",
    )
    assert planned.status_code == 200, planned.json()
    assert planned.json()["status"] == "planned"
    missing = api_client.post(f"/api/v1/outreach/exhibitions/{exhibition_id}/hold", {}, format="json")
    assert missing.status_code == 400 and "attendance_count" in missing.json()["errors"]
    held = api_client.post(
        f"/api/v1/outreach/exhibitions/{exhibition_id}/hold", {"attendance_count": 42}, format="json"
    )
    assert held.status_code == 200
    assert (held.json()["status"], held.json()["attendance_count"]) == ("held", 42)
    assert [row["to_status"] for row in held.json()["history"]] == ["requested", "planned", "held"]
    again = api_client.post(
        f"/api/v1/outreach/exhibitions/{exhibition_id}/hold", {"attendance_count": 1}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "exhibition_status"


def test_an_exhibition_outside_the_county_is_not_found(
    api_client: APIClient, county: County, make_user: Callable[..., User]
) -> None:
    """A manager of another county gets 404 for it, in the API and on the page."""
    exhibition = _requested(county)
    elsewhere = CountyFactory.create(code="610125", name="邻县", parent=ProvinceFactory.create())
    stranger = make_user(Role.COUNTY_MANAGER, county=elsewhere)
    OutletFactory.create(
        region=VillageFactory.create(parent=TownshipFactory.create(code="610125101", parent=elsewhere))
    )
    api_client.force_authenticate(stranger)
    assert api_client.get(f"/api/v1/outreach/exhibitions/{exhibition.pk}").status_code == 404
    client = Client()
    client.force_login(stranger)
    assert client.get(f"/outreach/exhibitions/{exhibition.pk}/").status_code == 404


# --- concurrency (PostgreSQL) ------------------------------------------------------------------------


def _in_threads(work: Callable[[int], str], count: int = 6) -> list[str]:
    """Run ``work(n)`` in ``count`` threads at once, each on its own connection."""
    barrier = threading.Barrier(count)

    def run(number: int) -> str:
        try:
            barrier.wait()
            return work(number)
        except DomainError as error:
            return error.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_counts_record_one(county: County, manager: User, stamp: StampIssue) -> None:
    """Six people record the same exhibition held at once: one count stands, one event, five refusals."""
    exhibition = _planned(county, manager, stamp)

    def hold(number: int) -> str:
        return exhibition_hold(
            exhibition=exhibition, actor=manager, attendance_count=10 + number, now=NOW
        ).status

    assert sorted(_in_threads(hold)) == ["exhibition_status"] * 5 + ["held"]
    exhibition.refresh_from_db()
    assert exhibition.attendance_count in range(10, 16)
    assert list(exhibition.events.values_list("to_status", flat=True)) == ["planned", "held"]


def test_the_phone_is_whole_for_the_manager_and_masked_for_the_auditor(
    county: County, manager: User, make_user: Callable[..., User]
) -> None:
    """The county manager calls back; the auditor reads 139****0000, on the page and in the API."""
    exhibition = _requested(county)
    auditor = make_user(Role.AUDITOR)
    for user, shown in ((manager, "13900000000"), (auditor, "139****0000")):
        client = Client()
        client.force_login(user)
        page = client.get(f"/outreach/exhibitions/{exhibition.pk}/").content.decode()
        assert f'data-testid="contact-phone">{shown}<' in page
        api = APIClient()
        api.force_authenticate(user)
        assert api.get(f"/api/v1/outreach/exhibitions/{exhibition.pk}").json()["contact_phone"] == shown
