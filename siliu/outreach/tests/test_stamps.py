"""The stamp catalogue: an issue checked and added with a placeholder picture or an upload; refusals
write nothing; the catalogue's pages and API."""

import datetime
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from siliu.core.errors import Conflict, PermissionRefused, ValidationFailed
from siliu.core.roles import Role
from siliu.outreach.models import StampIssue, StampTheme
from siliu.outreach.stamps.services import stamp_issue_create
from siliu.outreach.tests.factories import stamp_issue_build

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 7)
CENTENARY: dict[str, Any] = {
    "name": "中国共产党成立100周年",
    "series_number": "2021-17",
    "issued_on": datetime.date(2021, 7, 1),
    "stamp_count": 20,
    "theme": StampTheme.PARTY,
}


@pytest.fixture
def staff(make_user: Callable[..., User]) -> User:
    return make_user(Role.COUNTY_MANAGER, county=False)


def test_an_issue_is_added_with_a_placeholder_picture(staff: User, media: Path) -> None:
    """Without an upload the issue gets a drawn picture (JPEG and thumbnail under MEDIA_ROOT)."""
    issue = stamp_issue_create(actor=staff, **CENTENARY, face_value_fen=None, today=TODAY)
    issue.refresh_from_db()
    assert (issue.name, issue.series_number, issue.issued_on, issue.stamp_count) == (
        "中国共产党成立100周年",
        "2021-17",
        datetime.date(2021, 7, 1),
        20,
    )
    assert issue.face_value_fen is None
    assert issue.souvenir_sheet_count == 0
    assert issue.image.startswith("/media/stamps/") and issue.image.endswith(".jpg")
    stored = media / issue.image.removeprefix("/media/")
    with Image.open(stored) as picture:
        assert picture.size == (600, 800)
    assert stored.with_name(stored.name[:-4] + ".thumb.jpg").exists()


@pytest.mark.skipif(not Path(settings.SILIU_PDF_FONT).exists(), reason="the PDF font is not installed")
def test_the_placeholder_never_breaks_a_number() -> None:
    """Lines break between Chinese characters, never inside 100."""
    from PIL import ImageFont

    from siliu.outreach.stamps.placeholder import _lines

    font = ImageFont.truetype(settings.SILIU_PDF_FONT, 52)
    lines = _lines("中国共产党成立100周年", font, 444)
    assert "".join(lines) == "中国共产党成立100周年"
    assert any("100" in line for line in lines)


def test_an_uploaded_picture_is_stored_instead(staff: User, media: Path) -> None:
    """An uploaded PNG is re-encoded as the issue's picture."""
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 0, 0)).save(out, format="PNG")
    data = out.getvalue()
    issue = stamp_issue_create(
        actor=staff, **CENTENARY, image=io.BytesIO(data), image_size=len(data), today=TODAY
    )
    with Image.open(media / issue.image.removeprefix("/media/")) as picture:
        assert picture.size == (300, 400)


def test_the_name_loses_its_brackets_and_the_series_number_its_dots(staff: User) -> None:
    """《…》 around the name and a dot or lower case in an old 志号 are tidied: J.178 → J178."""
    issue = stamp_issue_create(
        actor=staff,
        name="《中国共产党成立七十周年》",
        series_number="j.178",
        issued_on=datetime.date(1991, 7, 1),
        stamp_count=2,
        theme=StampTheme.PARTY,
        today=TODAY,
    )
    assert (issue.name, issue.series_number) == ("中国共产党成立七十周年", "J178")


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"name": "  "}, "name_required", "name"),
        ({"name": "邮" * 101}, "too_long", "name"),
        ({"series_number": "2021/17"}, "invalid_series_number", "series_number"),
        ({"series_number": "X12"}, "invalid_series_number", "series_number"),
        ({"series_number": "2020-17"}, "series_year_mismatch", "series_number"),
        ({"issued_on": None}, "issued_on_required", "issued_on"),
        (
            {"issued_on": datetime.date(2026, 12, 8), "series_number": "2026-30"},
            "issued_in_future",
            "issued_on",
        ),
        ({"issued_on": datetime.date(1949, 10, 7), "series_number": "纪1"}, "issued_too_early", "issued_on"),
        ({"stamp_count": 0}, "invalid_stamp_count", "stamp_count"),
        ({"stamp_count": 101}, "invalid_stamp_count", "stamp_count"),
        ({"stamp_count": True}, "invalid_stamp_count", "stamp_count"),
        ({"souvenir_sheet_count": 11}, "invalid_sheet_count", "souvenir_sheet_count"),
        ({"souvenir_sheet_count": -1}, "invalid_sheet_count", "souvenir_sheet_count"),
        ({"face_value_fen": 0}, "invalid_face_value", "face_value_fen"),
        ({"face_value_fen": 100_001}, "invalid_face_value", "face_value_fen"),
        ({"theme": "sports"}, "invalid_theme", "theme"),
        ({"description": "字" * 2001}, "too_long", "description"),
    ],
)
def test_a_bad_issue_is_refused_and_nothing_is_written(
    staff: User, media: Path, change: dict[str, Any], code: str, field: str
) -> None:
    """Each rule of the catalogue refuses with its code on its field; no row, no picture."""
    with pytest.raises(ValidationFailed) as refused:
        stamp_issue_create(actor=staff, **{**CENTENARY, **change}, today=TODAY)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert StampIssue.objects.count() == 0
    assert list(media.iterdir()) == []


def test_a_series_number_is_in_the_catalogue_once(staff: User) -> None:
    """A second issue with the same 志号 is a conflict; the first stays as it was."""
    first = stamp_issue_build(**CENTENARY)
    with pytest.raises(Conflict) as refused:
        stamp_issue_create(actor=staff, **{**CENTENARY, "name": "另一套"}, today=TODAY)
    assert (refused.value.code, refused.value.field) == ("series_number_taken", "series_number")
    assert list(StampIssue.objects.values_list("pk", "name")) == [(first.pk, "中国共产党成立100周年")]


def test_only_outreach_managers_add_issues(make_user: Callable[..., User]) -> None:
    """A station operator (no outreach.manage) is refused; nothing is written."""
    with pytest.raises(PermissionRefused):
        stamp_issue_create(actor=make_user(Role.STATION_OPERATOR), **CENTENARY, today=TODAY)
    assert StampIssue.objects.count() == 0


def test_the_catalogue_page_is_public(client: Client) -> None:
    """Anyone sees the issues with their face value (or 待核实) and no button to add one."""
    stamp_issue_build()
    stamp_issue_build(**CENTENARY, face_value_fen=None)
    response = client.get("/outreach/stamps/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "《中国共产党成立九十周年》" in text and "¥7.20" in text and "待核实" in text
    assert 'data-testid="stamp-new"' not in text


def test_a_manager_adds_an_issue_on_the_page(client: Client, staff: User) -> None:
    """The form takes the face value in yuan; the issue lands in the catalogue."""
    client.force_login(staff)
    response = client.post(
        "/outreach/stamps/new/",
        {
            "name": "中国共产党成立九十周年",
            "series_number": "2011-16",
            "issued_on": "2011-06-22",
            "stamp_count": "6",
            "souvenir_sheet_count": "1",
            "face_value": "7.20",
            "theme": "party",
            "description": "",
        },
    )
    assert response.status_code == 302
    issue = StampIssue.objects.get()
    assert (issue.series_number, issue.face_value_fen, issue.souvenir_sheet_count) == ("2011-16", 720, 1)


def test_the_page_shows_a_refusal_under_its_field(client: Client, staff: User) -> None:
    """A 志号 whose year is not the issue's is refused on the form, 400, nothing written."""
    client.force_login(staff)
    response = client.post(
        "/outreach/stamps/new/",
        {
            "name": "中国共产党成立九十周年",
            "series_number": "2012-16",
            "issued_on": "2011-06-22",
            "stamp_count": "6",
            "souvenir_sheet_count": "0",
            "theme": "party",
        },
    )
    assert response.status_code == 400
    assert 'data-testid="error-series_number"' in response.content.decode()
    assert StampIssue.objects.count() == 0


def test_the_catalogue_api_lists_issues(api_client: APIClient) -> None:
    """GET /api/v1/outreach/stamps: newest first, face value in fen or null."""
    stamp_issue_build()
    stamp_issue_build(**CENTENARY, face_value_fen=None)
    response = api_client.get("/api/v1/outreach/stamps")
    assert response.status_code == 200
    rows = [(row["series_number"], row["face_value_fen"]) for row in response.json()["results"]]
    assert rows == [("2021-17", None), ("2011-16", 720)]
