"""Where scoped permissions hold: a county manager in their county, a courier on their round.

The fixture county is 示范县 (610199). A county manager posted to another county (610299) is, here,
a manager elsewhere: every check that lets the local manager through refuses them, and lists leave
out what is not theirs.
"""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from siliu.core.errors import PermissionRefused
from siliu.core.permissions import Permission, places_cached, user_can, user_can_at, user_outlet_ids
from siliu.core.roles import Role
from siliu.logistics.claims.selectors import claim_list
from siliu.logistics.claims.services import claim_decide, claim_submit
from siliu.logistics.models import ClaimKind, Parcel, ParcelException, RoundPlan, RoundPlanStatus, Vehicle
from siliu.logistics.parcels.selectors import exception_counts, parcel_exceptions, parcel_list
from siliu.logistics.parcels.services import ScanInput, scans_record
from siliu.logistics.rounds.selectors import round_plans_visible
from siliu.logistics.rounds.services import round_depart, vehicle_driver_set
from siliu.network.models import Outlet, Region, RegionLevel
from siliu.network.services import county_post_create, region_create

MakeUser = Callable[..., User]
MakeParcel = Callable[..., Parcel]


@pytest.fixture
def other_county(county: dict[str, Outlet]) -> Region:
    province = Region.objects.get(code="610000")
    return region_create(code="610299", name="邻县", level=RegionLevel.COUNTY, parent=province)


@pytest.fixture
def here(make_user: MakeUser, county: dict[str, Outlet]) -> User:
    """The county manager of the fixture county."""
    return make_user(Role.COUNTY_MANAGER, username="here", county=Region.objects.get(code="610199"))


@pytest.fixture
def elsewhere(make_user: MakeUser, other_county: Region) -> User:
    """A county manager of the neighbouring county."""
    return make_user(Role.COUNTY_MANAGER, username="elsewhere", county=other_county)


def _scan(parcel: Parcel, outlet: str, event_id: str, code: str = "EMA") -> ScanInput:
    return ScanInput(
        event_id=event_id,
        tracking_number=parcel.tracking_number,
        code=code,
        outlet_code=outlet,
        occurred_at=parcel.created_at + datetime.timedelta(minutes=5),
    )


def test_a_county_manager_reads_scans_and_cancels_only_in_their_county(
    here: User, elsewhere: User, make_parcel: MakeParcel, make_user: MakeUser
) -> None:
    """Parcels, exceptions, scans and cancels: the local manager acts, the manager elsewhere is told
    the parcel does not exist and sees empty lists; a manager with no post holds nothing at all."""
    parcel = make_parcel()
    Parcel.objects.filter(pk=parcel.pk).update(
        exception=ParcelException.NO_SCAN, exception_flagged_at=parcel.created_at
    )
    unposted = make_user(Role.COUNTY_MANAGER, username="unposted", county=False)
    url = f"/api/v1/parcels/{parcel.tracking_number}"
    for user, seen in ((here, True), (elsewhere, False), (unposted, False)):
        client = APIClient()
        client.force_authenticate(user)
        assert client.get(url).status_code == (200 if seen else 404), user.username
        assert list(parcel_list(actor=user)) == ([parcel] if seen else [])
        assert list(parcel_exceptions(actor=user)) == ([parcel] if seen else [])
        assert exception_counts(actor=user)[ParcelException.NO_SCAN] == (1 if seen else 0)
        assert user_can(user, Permission.PARCEL_READ)  # the role holds it: the place decides
    refused = scans_record(scans=[_scan(parcel, "VS11", "e1")], actor=elsewhere)
    assert [result.status for result in refused] == ["not_your_outlet"]
    assert not parcel.events.filter(event_id="e1").exists()
    accepted = scans_record(scans=[_scan(parcel, "VS11", "h1")], actor=here)
    assert [result.status for result in accepted] == ["created"]
    client = APIClient()
    client.force_authenticate(elsewhere)
    assert client.post(f"{url}/cancel").status_code == 404
    parcel.refresh_from_db()
    assert parcel.status == "accepted"


def test_a_county_manager_plans_rounds_and_decides_claims_only_in_their_county(
    here: User, elsewhere: User, county: dict[str, Outlet], make_parcel: MakeParcel, make_user: MakeUser
) -> None:
    sender = make_user(Role.CONSUMER, username="sender")
    parcel = make_parcel(sender_user=sender)
    scans_record(scans=[_scan(parcel, "VS11", "a1")], actor=None)
    claim = claim_submit(parcel=parcel, kind=ClaimKind.LOSS, claimant=sender, claimed_loss_fen=1000)
    assert user_can_at(here, Permission.ROUND_PLAN, county["TS1"])
    assert not user_can_at(elsewhere, Permission.ROUND_PLAN, county["TS1"])
    assert list(claim_list(user=here)) == [claim]
    assert list(claim_list(user=elsewhere)) == []
    with pytest.raises(PermissionRefused) as refused:
        claim_decide(claim=claim, approve=True, actor=elsewhere)
    assert refused.value.code == "not_your_county"
    claim.refresh_from_db()
    assert claim.status == "submitted"
    assert claim_decide(claim=claim, approve=True, actor=here).status == "approved"


def test_county_posts_are_for_county_managers_in_counties(
    here: User, make_user: MakeUser, county: dict[str, Outlet]
) -> None:
    from siliu.core.errors import ValidationFailed

    township = Region.objects.get(code="610199001")
    with pytest.raises(ValidationFailed) as refused:
        county_post_create(user=here, county=township)
    assert (refused.value.code, refused.value.field) == ("not_a_county", "county")
    with pytest.raises(ValidationFailed) as refused:
        county_post_create(user=make_user(Role.COURIER), county=Region.objects.get(code="610199"))
    assert (refused.value.code, refused.value.field) == ("not_county_manager", "user")


# --- couriers ------------------------------------------------------------------------------------


def _van(outlet: Outlet, name: str, driver: User | None = None) -> Vehicle:
    return Vehicle.objects.create(
        outlet=outlet,
        name=name,
        capacity_g=500_000,
        shift_starts_at=datetime.time(8),
        shift_ends_at=datetime.time(17),
        driver=driver,
    )


def _stop(code: str, deliveries: list[str]) -> dict[str, Any]:
    return {"code": code, "name": code, "deliveries": deliveries, "pickups": [], "arrived_at": None}


def _plan(outlet: Outlet, day: datetime.date, routes: list[tuple[Vehicle, list[str]]]) -> RoundPlan:
    """A finished plan of ``outlet`` for ``day``: one route per van with its stops."""
    return RoundPlan.objects.create(
        outlet=outlet,
        planned_on=day,
        status=RoundPlanStatus.DONE,
        progress=100,
        seconds=1,
        created_at=timezone.now(),
        result={
            "routes": [
                {
                    "vehicle": {"id": van.pk, "name": van.name},
                    "stops": [_stop(code, []) for code in stops],
                    "trip_count": 1,
                    "departed_at": None,
                }
                for van, stops in routes
            ]
        },
    )


def test_a_courier_scans_and_reads_on_their_round_only(
    county: dict[str, Outlet], make_user: MakeUser, make_parcel: MakeParcel
) -> None:
    """The driver of 青龙镇's first van: with no plan today, only the van's outlet is theirs; with
    today's plan, the stops of their van's route too, not those of the other van nor yesterday's;
    they scan out their own route and are refused another van's (``not_your_round``)."""
    courier = make_user(Role.COURIER, username="driver")
    mine = _van(county["TS1"], "一号车")
    vehicle_driver_set(vehicle=mine, driver=courier)
    other = _van(county["TS1"], "二号车")
    assert user_outlet_ids(courier, Permission.PARCEL_SCAN) == {county["TS1"].pk}
    today = timezone.localdate()
    _plan(county["TS1"], today - datetime.timedelta(days=1), [(mine, ["VS21"])])
    plan = _plan(county["TS1"], today, [(mine, ["VS11"]), (other, ["VS12"])])
    assert user_outlet_ids(courier, Permission.PARCEL_SCAN) == {county["TS1"].pk, county["VS11"].pk}
    assert list(round_plans_visible(actor=courier)) == [plan, *RoundPlan.objects.exclude(pk=plan.pk)]
    on_round = make_parcel(origin="VS11", destination="VS21")
    off_round = make_parcel(origin="VS21", destination="VS12")
    assert list(parcel_list(actor=courier)) == [on_round]
    results = scans_record(
        scans=[
            _scan(on_round, "VS11", "r1"),
            _scan(off_round, "VS21", "r2"),
            _scan(off_round, "VS12", "r3"),
        ],
        actor=courier,
    )
    assert [result.status for result in results] == ["created", "not_your_outlet", "not_your_outlet"]
    round_depart(plan=plan, route_index=0, actor=courier)
    with pytest.raises(PermissionRefused) as refused:
        round_depart(plan=plan, route_index=1, actor=courier)
    assert refused.value.code == "not_your_round"
    plan.refresh_from_db()
    assert plan.result["routes"][0]["departed_at"] is not None
    assert plan.result["routes"][1]["departed_at"] is None
    elsewhere = _plan(county["TS2"], today, [(_van(county["TS2"], "三号车"), ["VS21"])])
    assert elsewhere not in round_plans_visible(actor=courier)


def test_the_round_plan_page_offers_scans_only_on_the_couriers_own_route(
    county: dict[str, Outlet], make_user: MakeUser
) -> None:
    from django.test import Client

    courier = make_user(Role.COURIER, username="driver")
    mine = _van(county["TS1"], "一号车", driver=courier)
    plan = _plan(
        county["TS1"], timezone.localdate(), [(mine, ["VS11"]), (_van(county["TS1"], "二号车"), ["VS12"])]
    )
    client = Client()
    client.force_login(courier)
    index = client.get("/logistics/rounds/")
    assert index.status_code == 200
    assert b'data-testid="round-plan-form"' not in index.content
    assert f"/logistics/rounds/{plan.pk}/".encode() in index.content
    assert client.post("/logistics/rounds/", {"outlet": county["TS1"].pk}).status_code == 403
    page = client.get(f"/logistics/rounds/{plan.pk}/").content.decode()
    assert f"/logistics/rounds/{plan.pk}/routes/1/depart/" in page
    assert f"/logistics/rounds/{plan.pk}/routes/2/depart/" not in page
    assert f"/logistics/rounds/{plan.pk}/routes/1/stops/1/arrive/" in page
    assert f"/logistics/rounds/{plan.pk}/routes/2/stops/1/arrive/" not in page


def test_a_courier_must_hold_the_courier_role_to_drive(
    county: dict[str, Outlet], make_user: MakeUser
) -> None:
    from siliu.core.errors import ValidationFailed

    van = _van(county["TS1"], "一号车")
    with pytest.raises(ValidationFailed) as refused:
        vehicle_driver_set(vehicle=van, driver=make_user(Role.STATION_OPERATOR))
    assert (refused.value.code, refused.value.field) == ("not_a_courier", "driver")
    van.refresh_from_db()
    assert van.driver is None


def test_places_are_looked_up_once_per_request(
    here: User, county: dict[str, Outlet], django_assert_num_queries: Any
) -> None:
    """Inside one request (:func:`places_cached`) the second check of a county asks the database
    nothing; outside one, every check looks again."""
    with places_cached():
        assert user_can_at(here, Permission.PARCEL_READ, county["VS11"])
        with django_assert_num_queries(0):
            assert user_can_at(here, Permission.PARCEL_READ, county["VS21"])
            assert user_outlet_ids(here, Permission.EXCEPTION_READ) == {
                outlet.pk for outlet in county.values()
            }
    with django_assert_num_queries(2):  # the posts, then the outlets in them
        assert user_can_at(here, Permission.PARCEL_READ, county["VS11"])
