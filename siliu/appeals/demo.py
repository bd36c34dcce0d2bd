"""A month of people's requests in the demo county, through the services (each with its events and
messages): filed online, at counters and with a phone code, acknowledged, resolved and rated, some late
and escalated, and one recurring need — three deliveries left at the wrong house in one township.

Call it on a demo county (``siliu demo``) from the shell::

    siliu shell -c "from siliu.appeals.demo import demo_appeals; print(demo_appeals())"

The demo app may call it when it builds the county (``demo_appeals(now=...)``). The same seed and
``now`` give the same requests. The messages of this history are marked sent as they were written,
so nothing is sent when it is built.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from siliu.appeals.messages.services import message_text_at_rest
from siliu.appeals.models import Appeal, AppealCategory, Message
from siliu.appeals.requests.services import (
    appeal_acknowledge,
    appeal_file,
    appeal_file_for_villager,
    appeal_file_with_code,
    appeal_rate,
    appeal_resolve,
    appeals_escalate,
    phone_code_send,
)
from siliu.core.permissions import Permission, user_can_at
from siliu.core.roles import Role
from siliu.network.models import Outlet, OutletKind, Region, RegionLevel

#: What villagers say, by category (the demo picks from these).
TEXTS: dict[AppealCategory, list[str]] = {
    AppealCategory.DELIVERY: ["快递三天了还没送到村里", "投递员没打电话就把包裹退回了", "报纸总是晚两天到"],
    AppealCategory.PICKUP: ["想寄苹果，站点说不能上门揽收", "取件码收到了但站点关门了", "寄件要跑到镇上太远"],
    AppealCategory.MISSING_SERVICE: ["村里没有地方交电费", "希望站点能代缴医保", "老人想办社保认证没有地方"],
    AppealCategory.PRICE: ["寄一箱猕猴桃邮费比镇上贵", "代购的化肥比集市贵", "寄到外省的价格不清楚"],
    AppealCategory.COMPLAINT: ["站点营业时间和贴的不一样", "工作人员态度不好", "包裹外箱破了没人管"],
    AppealCategory.SUGGESTION: ["建议周末也开门", "希望能在站点买到种子", "建议增加一趟下午的投递"],
}

#: The recurring need: the same complaint three times in one township.
PATTERN_TEXTS = [
    "包裹放错人家了，邻居收了我的快递",
    "快递又被放到别人家门口，找了半天",
    "我的包裹被放在隔壁家，差点丢了",
]
PATTERN_RESOLUTION = "已与投递员核对门牌，今后投递前电话确认收件人。"


@dataclass(frozen=True)
class DemoAppeals:
    filed: int
    closed: int
    escalated: int
    pattern_township: str


def _handler(outlet: Outlet, county_manager: User) -> User:
    """Who acts for ``outlet``: its operator where they may, else the county manager."""
    operator = outlet.operator
    if operator is not None and user_can_at(operator, Permission.APPEAL_HANDLE, outlet):
        return operator
    return county_manager


@transaction.atomic
def demo_appeals(*, now: datetime.datetime | None = None, seed: int = 15, count: int = 30) -> DemoAppeals:
    """Write ``count`` requests over the 30 days up to ``now`` plus a recurring need of three delivery
    complaints in the first township; resolve and rate the older ones, leave the newest open and
    escalate the late. Needs a demo county (villages with stations, the role logins, consumers)."""
    now = now or timezone.now()
    rng = random.Random(seed)
    county_manager = User.objects.get(username=Role.COUNTY_MANAGER.value)
    operator = User.objects.get(username=Role.STATION_OPERATOR.value)
    counter = (
        Outlet.objects.filter(operator=operator, kind=OutletKind.VILLAGE_STATION).order_by("code").first()
    )
    consumers = list(User.objects.filter(groups__name=Role.CONSUMER.value).order_by("username")[:20])
    served = Outlet.objects.filter(is_active=True).filter(
        Q(kind=OutletKind.VILLAGE_STATION) | Q(kind=OutletKind.TOWNSHIP_OFFICE)
    )
    villages = list(
        Region.objects.filter(level=RegionLevel.VILLAGE)
        .filter(Q(outlets__in=served) | Q(parent__outlets__in=served))
        .distinct()
        .select_related("parent")
        .order_by("code")
    )
    if counter is None or not villages or not consumers:
        raise ValueError("demo_appeals needs the demo county: run `siliu demo` first")
    townships = sorted({village.parent_id for village in villages if village.parent_id is not None})
    pattern_township = townships[0]
    categories = list(AppealCategory)
    # Every (township, category) gets at most two of the other requests within the window, so that the
    # one pattern is the recurring need below.
    pairs = [
        (township, category)
        for township in townships
        for category in categories
        if (township, category) != (pattern_township, AppealCategory.DELIVERY)
    ]
    rng.shuffle(pairs)
    plan: list[tuple[datetime.datetime, Region, AppealCategory, str]] = []
    for index in range(count):
        township, category = pairs[index % len(pairs)] if index < 2 * len(pairs) else rng.choice(pairs)
        village = rng.choice([village for village in villages if village.parent_id == township])
        filed_at = now - datetime.timedelta(days=rng.uniform(0.2, 29.5))
        plan.append((filed_at, village, category, rng.choice(TEXTS[category])))
    pattern_villages = [village for village in villages if village.parent_id == pattern_township]
    for days, text in zip((12, 7, 3), PATTERN_TEXTS, strict=True):
        filed_at = now - datetime.timedelta(days=days, hours=rng.uniform(0, 8))
        plan.append((filed_at, rng.choice(pattern_villages), AppealCategory.DELIVERY, text))
    plan.sort(key=lambda row: row[0])

    last_message = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    appeals: list[Appeal] = []
    for number, (filed_at, village, category, text) in enumerate(plan):
        channel = number % 3
        if channel == 0:
            appeal = appeal_file(
                requester=rng.choice(consumers),
                category=category,
                village_code=village.code,
                text=text,
                now=filed_at,
            )
        elif channel == 1:
            appeal = appeal_file_for_villager(
                operator=operator,
                counter=counter,
                phone=f"139{seed:02d}{number:06d}"[:11],
                category=category,
                village_code=village.code,
                text=text,
                now=filed_at,
            )
        else:
            phone = f"137{seed:02d}{number:06d}"[:11]
            sent = phone_code_send(phone=phone, now=filed_at)
            appeal = appeal_file_with_code(
                phone=phone,
                code=sent.code,
                category=category,
                village_code=village.code,
                text=text,
                now=filed_at,
            )
        appeals.append(appeal)

    closed = 0
    for appeal in appeals:
        if appeal.text in PATTERN_TEXTS:
            continue  # the recurring need is left for the county manager to take as one job
        age_days = (now - appeal.filed_at).total_seconds() / 86400
        handler = _handler(appeal.outlet, county_manager)
        if age_days > 6 and rng.random() < 0.85:
            acknowledged_at = appeal.filed_at + datetime.timedelta(hours=rng.uniform(1, 20))
            appeal_acknowledge(appeal=appeal, actor=handler, now=acknowledged_at)
            resolved_at = acknowledged_at + datetime.timedelta(days=rng.uniform(0.5, 6))
            appeal_resolve(
                appeal=appeal, actor=handler, resolution="已联系村民，问题已处理。", now=resolved_at
            )
            if rng.random() < 0.8:
                appeal_rate(
                    appeal=appeal,
                    actor=appeal.requester or handler,
                    token=appeal.access_token,
                    rating=rng.choice((5, 5, 4, 4, 3, 2)),
                    now=resolved_at + datetime.timedelta(hours=rng.uniform(2, 30)),
                )
                closed += 1
        elif age_days > 0.5 and rng.random() < 0.6:
            appeal_acknowledge(
                appeal=appeal,
                actor=handler,
                now=appeal.filed_at + datetime.timedelta(hours=rng.uniform(1, 30)),
            )
    escalated = appeals_escalate(now=now)
    # History: its messages went out when they were written (the codes in them blanked, as once sent).
    for message in Message.objects.filter(pk__gt=last_message):
        message.text = message_text_at_rest(message)
        message.sent_at, message.next_attempt_at, message.attempts = message.created_at, None, 1
        message.save(update_fields=["text", "sent_at", "next_attempt_at", "attempts"])
    return DemoAppeals(
        filed=len(appeals),
        closed=closed,
        escalated=escalated,
        pattern_township=Region.objects.get(pk=pattern_township).name,
    )
