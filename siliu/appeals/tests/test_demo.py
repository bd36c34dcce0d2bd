"""The demo's month of requests: a month of them through the services, and the one recurring need."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from siliu.appeals.demo import demo_appeals
from siliu.appeals.models import Appeal, AppealStatus, Message
from siliu.appeals.patterns.selectors import pattern_list
from siliu.core.roles import Role
from siliu.network.models import Region, RegionLevel

pytestmark = pytest.mark.django_db


def test_the_demo_month_has_one_pattern_of_three(django_user_model: object) -> None:
    """``siliu demo`` files 33 requests over 30 days, some closed, and exactly one recurring need: three
    deliveries in the first township; its messages are history (sent), the codes blanked; a second call
    of the demo function files another month beside it."""
    output = StringIO()
    call_command("demo", "--villages=12", "--seed=5", "--orders=0", "--force", stdout=output)
    now = timezone.now()
    assert Appeal.objects.count() == 33
    assert Appeal.objects.filter(status=AppealStatus.CLOSED).count() > 0
    manager = django_user_model.objects.get(username=Role.COUNTY_MANAGER.value)  # type: ignore[attr-defined]
    patterns = pattern_list(user=manager, now=now)
    township = (
        Region.objects.filter(level=RegionLevel.TOWNSHIP, children__isnull=False).order_by("pk").first()
    )
    assert township is not None
    assert [(p.township.name, p.category.value, len(p.members)) for p in patterns] == [
        (township.name, "delivery", 3)
    ]
    assert f"共性诉求在{township.name}" in output.getvalue()
    summary = demo_appeals(now=now)
    assert summary.filed == 33 and Appeal.objects.count() == 66
    assert not Message.objects.filter(sent_at__isnull=True).exists()
    assert not Message.objects.filter(kind="phone_code", text__regex=r"[0-9]{6}").exists()
