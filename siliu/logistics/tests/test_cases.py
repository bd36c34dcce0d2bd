"""Exception cases: the county manager takes a flagged parcel, notes, contacts, claims and resolves."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from siliu.core.errors import Conflict, PermissionRefused, ValidationFailed
from siliu.core.names import person_name
from siliu.core.roles import Role
from siliu.logistics.cases.selectors import exception_rows
from siliu.logistics.cases.services import (
    exception_case_assign,
    exception_case_claim,
    exception_case_contact,
    exception_case_note,
    exception_case_resolve,
)
from siliu.logistics.models import (
    Claim,
    ClaimKind,
    ExceptionCase,
    ExceptionCaseEvent,
    Parcel,
)
from siliu.logistics.parcels.exceptions import parcel_exceptions_flag
from siliu.logistics.parcels.services import ScanInput, scans_record
from siliu.logistics.tests.conftest import MONDAY_0730
from siliu.network.models import Outlet, Region, RegionLevel
from siliu.network.services import region_create

MakeUser = Callable[..., User]
FIVE_WEEKS_LATER = MONDAY_0730 + datetime.timedelta(weeks=5)


@pytest.fixture
def here(make_user: MakeUser, county: dict[str, Outlet]) -> User:
    return make_user(Role.COUNTY_MANAGER, username="here", county=Region.objects.get(code="610199"))


@pytest.fixture
def elsewhere(make_user: MakeUser, county: dict[str, Outlet]) -> User:
    other = region_create(
        code="610299", name="邻县", level=RegionLevel.COUNTY, parent=Region.objects.get(code="610000")
    )
    return make_user(Role.COUNTY_MANAGER, username="elsewhere", county=other)


@pytest.fixture
def silent(make_parcel: Callable[..., Parcel], make_user: MakeUser) -> Parcel:
    """A parcel accepted at VS11 and not scanned since, flagged five weeks later."""
    parcel = make_parcel(sender_user=make_user(Role.CONSUMER, username="sender"))
    scans_record(
        scans=[
            ScanInput(
                "s1", parcel.tracking_number, "EMA", "VS11", MONDAY_0730 + datetime.timedelta(minutes=15)
            )
        ],
        now=MONDAY_0730 + datetime.timedelta(hours=1),
    )
    parcel_exceptions_flag(now=FIVE_WEEKS_LATER)
    parcel.refresh_from_db()
    return parcel


def test_the_manager_assigns_notes_contacts_claims_and_resolves(silent: Parcel, here: User) -> None:
    """Each action appends one event to the one open case; the claim is the sender's, linked."""
    at = FIVE_WEEKS_LATER + datetime.timedelta(hours=1)
    case = exception_case_assign(parcel=silent, assignee=here, actor=here, now=at)
    exception_case_note(parcel=silent, text="问过青龙镇，未见此件", actor=here, now=at)
    exception_case_contact(parcel=silent, party="recipient", text="未收到", actor=here, now=at)
    exception_case_claim(
        parcel=silent, kind=ClaimKind.LOSS, claimed_loss_fen=5000, description="丢失", actor=here, now=at
    )
    case = exception_case_resolve(parcel=silent, resolution="按丢失理赔", actor=here, now=at)
    assert ExceptionCase.objects.count() == 1
    assert (case.status, case.assignee, case.resolution, case.resolved_at, case.kind) == (
        "resolved",
        here,
        "按丢失理赔",
        at,
        "no_scan",
    )
    claim = Claim.objects.get()
    assert (case.claim, claim.claimant.username, claim.claimed_loss_fen) == (claim, "sender", 5000)
    assert [(e.kind, e.text) for e in ExceptionCaseEvent.objects.order_by("pk")] == [
        ("opened", "长时间无扫描"),
        ("assigned", person_name(here)),
        ("note", "问过青龙镇，未见此件"),
        ("contacted", "已联系收件人：未收到"),
        ("claim_opened", f"#{claim.pk} 丢失"),
        ("resolved", "按丢失理赔"),
    ]
    with pytest.raises(ValidationFailed):
        exception_case_resolve(parcel=silent, resolution="", actor=here, now=at)


def test_a_manager_of_another_county_cannot_act_and_nothing_changes(
    silent: Parcel, here: User, elsewhere: User
) -> None:
    """Refused at the parcel's places: no case, no event, no claim; nor may a case go to them."""
    for act in (
        lambda: exception_case_note(parcel=silent, text="x", actor=elsewhere),
        lambda: exception_case_resolve(parcel=silent, resolution="x", actor=elsewhere),
        lambda: exception_case_claim(
            parcel=silent, kind="loss", claimed_loss_fen=100, description="", actor=elsewhere
        ),
    ):
        with pytest.raises(PermissionRefused) as refused:
            act()
        assert refused.value.code == "not_your_exception"
    with pytest.raises(ValidationFailed) as refused_assignee:
        exception_case_assign(parcel=silent, assignee=elsewhere, actor=here)
    assert refused_assignee.value.code == "assignee_cannot_handle"
    assert (ExceptionCase.objects.count(), ExceptionCaseEvent.objects.count(), Claim.objects.count()) == (
        0,
        0,
        0,
    )


def test_a_parcel_without_a_flag_has_no_case_to_open(make_parcel: Callable[..., Parcel], here: User) -> None:
    """Only a flagged parcel opens a case."""
    with pytest.raises(Conflict) as refused:
        exception_case_note(parcel=make_parcel(), text="x", actor=here)
    assert refused.value.code == "parcel_not_flagged"
    assert ExceptionCase.objects.count() == 0


def test_rows_say_since_when_and_mask_phones_to_who_cannot_read_the_parcel(
    silent: Parcel, here: User, make_user: MakeUser
) -> None:
    """The silence counts from the last scan; phones in full for ``parcel.read`` there, masked else."""
    [row] = exception_rows(actor=here, parcels=[silent], now=FIVE_WEEKS_LATER)
    assert (row.since, row.days, row.recipient_phone, row.may_handle) == (
        MONDAY_0730 + datetime.timedelta(minutes=15),
        34,
        "+8613900000002",
        True,
    )
    assert [user.username for user in row.handlers] == ["here"]
    [masked] = exception_rows(actor=make_user(Role.CONSUMER), parcels=[silent], now=FIVE_WEEKS_LATER)
    assert (masked.recipient_phone, masked.may_handle) == ("+86 139****0002", False)


def test_the_page_lists_the_silent_parcel_and_takes_a_note(
    client: Client, silent: Parcel, here: User
) -> None:
    """The exceptions page shows the row with its age and forms; a note posted lands on the case."""
    client.force_login(here)
    page = client.get("/logistics/exceptions/").content.decode()
    assert silent.tracking_number in page and "天前" in page and 'name="action" value="resolve"' in page
    response = client.post(
        f"/logistics/exceptions/{silent.tracking_number}/", {"action": "note", "text": "已催查"}
    )
    assert response.status_code == 302
    assert ExceptionCaseEvent.objects.filter(kind="note", text="已催查").count() == 1
    assert "已催查" in client.get("/logistics/exceptions/").content.decode()


def test_the_page_refuses_a_manager_of_another_county(
    client: Client, silent: Parcel, elsewhere: User
) -> None:
    """Someone else's parcel: 403, nothing written."""
    client.force_login(elsewhere)
    response = client.post(
        f"/logistics/exceptions/{silent.tracking_number}/", {"action": "note", "text": "x"}
    )
    assert response.status_code == 403
    assert ExceptionCase.objects.count() == 0


def test_the_api_takes_one_action_at_a_time_and_answers_4xx_with_field_and_code(
    silent: Parcel, here: User, elsewhere: User
) -> None:
    """Note then resolve through the API; a missing field is 400 naming it; another county's manager
    finds no such parcel (404); a GET shows the case with its events."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(here)
    url = f"/api/v1/logistics/exceptions/{silent.tracking_number}/case"
    assert client.get(url).json()["code"] == "no_case"
    body = client.post(url, {"action": "note", "text": "已催查"}, format="json").json()
    assert (body["status"], [event["kind"] for event in body["events"]]) == ("open", ["opened", "note"])
    missing = client.post(url, {"action": "contact"}, format="json")
    assert (missing.status_code, missing.json()["code"], list(missing.json()["errors"])) == (
        400,
        "required",
        ["party"],
    )
    bad = client.post(url, {"action": "fly"}, format="json")
    assert bad.status_code == 400 and "action" in bad.json()["errors"]
    done = client.post(url, {"action": "resolve", "resolution": "已找到"}, format="json").json()
    assert (done["status"], done["resolution"]) == ("resolved", "已找到")
    assert client.get(url).json()["status"] == "resolved"
    client.force_authenticate(elsewhere)
    assert client.post(url, {"action": "note", "text": "x"}, format="json").status_code == 404
    assert ExceptionCaseEvent.objects.count() == 3
