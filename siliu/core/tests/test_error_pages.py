"""Error pages in the site's layout and language, with the reason and a way back."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False, ROOT_URLCONF="siliu.core.tests.urls_raising")
def test_a_server_error_is_the_sites_own_page_without_the_request_context() -> None:
    """A view that raises answers 500 with the site's static page: the reason and a link home."""
    response = Client(raise_request_exception=False).get("/boom")
    assert response.status_code == 500
    body = response.content.decode()
    assert "服务器出错" in body
    assert '<a href="/">' in body
    assert "csrfmiddlewaretoken" not in body  # rendered without the request


@override_settings(DEBUG=False, ROOT_URLCONF="siliu.core.tests.urls_raising")
def test_a_server_error_is_in_english_for_an_english_reader() -> None:
    """The 500 page speaks the request's language."""
    response = Client(raise_request_exception=False, headers={"accept-language": "en"}).get("/boom")
    assert response.status_code == 500
    assert '<html lang="en">' in response.content.decode()
    assert "服务器出错" not in response.content.decode()


@override_settings(DEBUG=False)
def test_not_found_is_in_the_layout_with_the_reason_and_a_way_back_to_the_page_before(client: Client) -> None:
    """404 in the layout (the top bar), says why, and links back to a same-site Referer and home."""
    response = client.get("/nope/", headers={"referer": "http://testserver/shop/"})
    assert response.status_code == 404
    body = response.content.decode()
    assert 'id="main-nav"' in body
    assert "地址可能输错了" in body
    assert 'href="http://testserver/shop/"' in body
    assert 'href="/"' in body


@override_settings(DEBUG=False)
def test_not_found_offers_no_way_back_to_another_site(client: Client) -> None:
    """A Referer from elsewhere is not linked."""
    response = client.get("/nope/", headers={"referer": "https://evil.example/"})
    assert response.status_code == 404
    assert "evil.example" not in response.content.decode()


@override_settings(DEBUG=False)
def test_forbidden_is_in_the_layout_with_a_way_home(client: Client) -> None:
    """403 for a page the visitor's role cannot open, in the layout, with a link home."""
    from django.contrib.auth.models import User

    user = User.objects.create_user("plain", password="x")
    client.force_login(user)
    response = client.get("/finance/trial-balance/")
    assert response.status_code == 403
    body = response.content.decode()
    assert 'id="main-nav"' in body
    assert "返回首页" in body
