"""Pages with code Siliu does not write, under the Content-Security-Policy: Swagger UI and the admin.
(The ``page`` fixture fails a test on any violation; these tests make sure the pages are opened.)"""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_swagger_ui_works_offline(page: Page, live_server: object) -> None:
    """/api/docs/ draws the API from this site's files alone: a station with no way to the internet, or
    a CDN that is blocked, still has its documentation."""
    elsewhere: list[str] = []

    def note(request: Request) -> None:
        if not request.url.startswith(str(live_server)):
            elsewhere.append(request.url)

    page.on("request", note)
    page.goto("/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/outlets").first).to_be_visible()
    screenshot(page, "api-docs")
    assert elsewhere == []


def test_admin_pages_keep_to_the_policy(page: Page, make_user: Callable[..., User]) -> None:
    """The admin's index, a list with filters and a change form with its widgets run under the policy."""
    make_user(username="root", is_staff=True, is_superuser=True)
    page.goto("/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "siliu-demo")
    page.locator("input[type=submit]").click()
    expect(page.locator("#site-name")).to_be_visible()
    page.goto("/admin/logistics/parcel/")
    expect(page.locator("#changelist")).to_be_visible()
    page.goto("/admin/auth/user/add/")
    expect(page.locator("#user_form")).to_be_visible()
