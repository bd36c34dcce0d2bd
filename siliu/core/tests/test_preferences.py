"""The elderly-mode switch (长辈模式): per device in a cookie, per user in UserPreference."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from siliu.core.models import UserPreference
from siliu.core.preferences import ELDERLY_MODE_COOKIE

pytestmark = pytest.mark.django_db


def test_switching_on_sets_the_cookie_and_goes_back(client: Client) -> None:
    """An anonymous visitor's choice is kept by the device, and the page they were on comes back."""
    response = client.post("/preferences/elderly-mode", {"enabled": "1", "next": "/shop/?page=2"})
    assert response.status_code == 302
    assert response["Location"] == "/shop/?page=2"
    assert response.cookies[ELDERLY_MODE_COOKIE].value == "1"
    assert response.cookies[ELDERLY_MODE_COOKIE]["max-age"] == 400 * 24 * 3600
    assert UserPreference.objects.count() == 0
    page = client.get("/")
    assert b'<html lang="zh-hans" class="siliu-elder">' in page.content
    assert b'aria-pressed="true"' in page.content


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_a_next_off_the_site_is_refused_for_home(client: Client, target: str) -> None:
    """An open redirect is refused: the switch goes home instead."""
    response = client.post("/preferences/elderly-mode", {"enabled": "1", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_only_post_switches(client: Client) -> None:
    """A GET (a link, a prefetch) changes nothing."""
    response = client.get("/preferences/elderly-mode?enabled=1")
    assert response.status_code == 405
    assert ELDERLY_MODE_COOKIE not in response.cookies


def test_a_logged_in_users_choice_is_stored_and_wins_at_the_next_login() -> None:
    """Switched on by a user on one device, it is on at their login on another, whose cookie said off."""
    User.objects.create_user("villager", password="pw-villager-1")
    first = Client()
    first.force_login(User.objects.get(username="villager"))
    first.post("/preferences/elderly-mode", {"enabled": "1", "next": "/"})
    assert UserPreference.objects.get(user__username="villager").elderly_mode is True
    second = Client()
    second.cookies[ELDERLY_MODE_COOKIE] = "0"
    response = second.post("/login/", {"username": "villager", "password": "pw-villager-1"})
    assert response.status_code == 302
    assert response.cookies[ELDERLY_MODE_COOKIE].value == "1"


def test_a_user_who_never_chose_keeps_the_devices_choice_at_login() -> None:
    """No stored choice: the login leaves the device's cookie alone."""
    User.objects.create_user("other", password="pw-other-1")
    client = Client()
    client.cookies[ELDERLY_MODE_COOKIE] = "1"
    response = client.post("/login/", {"username": "other", "password": "pw-other-1"})
    assert response.status_code == 302
    assert ELDERLY_MODE_COOKIE not in response.cookies
    assert b"siliu-elder" in client.get("/").content
