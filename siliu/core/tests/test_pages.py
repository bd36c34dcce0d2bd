from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from siliu.core.roles import Role, user_has_role, user_roles

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_ok(client: Client) -> None:
    """/healthz answers {"status": "ok", "database": "ok"}."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_home_is_chinese_by_default_and_english_on_switch(client: Client) -> None:
    """The layout is in Chinese; posting the language switch turns it into English."""
    page = client.get("/").content.decode()
    assert "农村邮政综合便民服务平台" in page
    assert 'lang="zh-hans"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="en"' in page
    assert "Rural postal convenience service platform" in page


def test_login_and_logout(client: Client, make_user: Callable[..., User]) -> None:
    """A user logs in through the page, sees their name and role, and logs out with a POST."""
    make_user(Role.COUNTY_MANAGER, username="county_manager", first_name="丽", last_name="王")
    response = client.post("/login/", {"username": "county_manager", "password": "siliu-demo"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="current-user">王丽 · 县级管理员<' in page
    client.post("/logout/")
    assert "县级管理员" not in client.get("/").content.decode()


def test_login_with_wrong_password_shows_error(client: Client, make_user: Callable[..., User]) -> None:
    """A wrong password re-shows the form with an error and logs nobody in."""
    make_user(username="li")
    response = client.post("/login/", {"username": "li", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_page_is_404_in_layout(client: Client) -> None:
    """An unknown page gets the site's 404 page."""
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "core/404.html" in [template.name for template in response.templates]


def test_roles_exist_as_groups_and_are_read(make_user: Callable[..., User]) -> None:
    """Every role is a group after migration; user_has_role reads membership."""
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    courier = make_user(Role.COURIER)
    assert user_roles(courier) == {"courier"}
    assert user_has_role(courier, Role.COURIER, Role.AUDITOR)
    assert not user_has_role(courier, Role.AUDITOR)
    assert user_has_role(make_user(is_superuser=True), Role.AUDITOR)


def test_person_name_orders_chinese_names_family_first(make_user: Callable[..., User]) -> None:
    """王丽 for Chinese names, "Ada Lovelace" for others, the username when there is no name."""
    from siliu.core.names import person_name

    assert person_name(make_user(first_name="丽", last_name="王")) == "王丽"
    assert person_name(make_user(first_name="Ada", last_name="Lovelace")) == "Ada Lovelace"
    assert person_name(make_user(username="li", first_name="", last_name="")) == "li"


def test_scheduler_enqueues_every_periodic_task() -> None:
    """`siliu scheduler --once` enqueues each task of the schedule, and each names a real task."""
    from io import StringIO

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from siliu.schedule import SCHEDULE

    out = StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert out.getvalue().strip() == f"enqueued {len(SCHEDULE)} tasks"
    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == sorted(
        entry.task for entry in SCHEDULE
    )


def test_a_refused_page_is_403_in_layout_with_the_reason(
    client: Client, make_user: Callable[..., User]
) -> None:
    """A role refused a page gets the site's own 403 page (viewport, navigation) saying why."""
    client.force_login(make_user(Role.CONSUMER))
    response = client.get("/finance/trial-balance/")
    page = response.content.decode()
    assert response.status_code == 403
    assert 'name="viewport"' in page and "没有权限" in page and "需要审计员角色" in page


#: Navigation links that need a permission, by the permission.
GATED_LINKS = {
    "counter.operate": "/finance/counter/",
    "station.operate": "/logistics/station/",
    "round.read": "/logistics/rounds/",
    "exception.read": "/logistics/exceptions/",
    "partner.read": "/logistics/partners/",
    "seller.read": "/shop/sellers/review/",
    "ledger.read": "/finance/trial-balance/",
}


@pytest.mark.parametrize("role", [*Role, None])
def test_the_navigation_links_exactly_the_pages_a_role_may_open(
    client: Client, make_user: Callable[..., User], role: Role | None
) -> None:
    """A role sees a menu entry for each gated page it holds the permission for, and no other; staff
    status alone opens none of them."""
    from siliu.core.permissions import ROLE_PERMISSIONS, Permission

    user = make_user(role) if role else make_user(is_staff=True)
    client.force_login(user)
    nav = client.get("/").content.decode().split('id="main-nav"')[1].split("</ul>")[0]
    held = set(ROLE_PERMISSIONS[role]) if role else set()
    shown = {permission for permission, href in GATED_LINKS.items() if f'href="{href}"' in nav}
    assert shown == {permission for permission in GATED_LINKS if Permission(permission) in held}
