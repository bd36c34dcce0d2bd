"""Home pickups' tables: the remote villages and their price, the requests and their events (ADR 0025)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class RemoteVillage(models.Model):
    """A village flagged remote (偏远村): its villagers may ask for a home pickup at ``price_fen`` (0: free).

    Villages not listed get a home pickup only where their station offers it
    (``Outlet.offers_home_pickup``), at the standard price (``SILIU_HOME_PICKUP_PRICE_FEN``).
    """

    village = models.OneToOneField(
        "network.Region",
        verbose_name=_("村"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "village"},
    )
    price_fen = models.BigIntegerField(_("上门揽收价格（分）"), default=0, help_text=_("0 表示免费。"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("偏远村")
        verbose_name_plural = _("偏远村")
        ordering = ["village__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_fen__gte=0), name="agency_remote_village_price_not_negative"
            )
        ]

    def __str__(self) -> str:
        return str(self.village)


class HomePickupStatus(models.TextChoices):
    REQUESTED = "requested", _("待安排")
    PLANNED = "planned", _("已排班")
    COLLECTED = "collected", _("已揽收")
    CANCELLED = "cancelled", _("已取消")
    MISSED = "missed", _("未揽到")


#: Every move of a request's status ("" is its creation). A missed pickup goes back to requested at once,
#: for the next round; a planned one goes back to requested when a newer plan of its day leaves it out.
HOME_PICKUP_TRANSITIONS: dict[str, set[str]] = {
    "": {HomePickupStatus.REQUESTED},
    HomePickupStatus.REQUESTED: {
        HomePickupStatus.PLANNED,
        HomePickupStatus.COLLECTED,
        HomePickupStatus.CANCELLED,
    },
    HomePickupStatus.PLANNED: {
        HomePickupStatus.REQUESTED,
        HomePickupStatus.COLLECTED,
        HomePickupStatus.CANCELLED,
        HomePickupStatus.MISSED,
    },
    HomePickupStatus.MISSED: {HomePickupStatus.REQUESTED},
    HomePickupStatus.COLLECTED: set(),
    HomePickupStatus.CANCELLED: set(),
}

#: Requests still to collect: the station lists them, a parcel accepted there may close one.
OPEN_HOME_PICKUP_STATUSES = (HomePickupStatus.REQUESTED, HomePickupStatus.PLANNED)


class HomePickup(models.Model):
    """A request to collect a villager's goods at home (上门揽收单), owned by their village's station."""

    number = models.CharField(_("单号"), max_length=20, unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=HomePickupStatus.choices)
    village = models.ForeignKey(
        "network.Region", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "network.Outlet", verbose_name=_("服务站"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=60)
    contact_phone = models.CharField(_("联系电话"), max_length=11)
    window_on = models.DateField(_("上门日期"))
    window_starts_at = models.TimeField(_("上门时段起"))
    window_ends_at = models.TimeField(_("上门时段止"))
    description = models.CharField(_("要寄的物品"), max_length=200)
    weight_g = models.PositiveIntegerField(_("预估重量（克）"))
    price_fen = models.BigIntegerField(_("上门揽收价格（分）"))
    is_remote = models.BooleanField(_("偏远村"), help_text=_("价格来自偏远村名单；否则为服务站的标准价。"))
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("村民本人预约时为其账户；站点代约时为空。"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("预约时间"))
    round_plan = models.ForeignKey(
        "logistics.RoundPlan",
        verbose_name=_("投递计划"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    planned_on = models.DateField(_("排班日期"), null=True, blank=True)
    planned_vehicle = models.CharField(_("车辆"), max_length=40, blank=True)
    planned_arrives_at = models.CharField(_("预计到达"), max_length=5, blank=True)
    unplanned_reason = models.CharField(
        _("未排班原因"), max_length=20, blank=True, help_text=_("最近一次规划未能安排的原因代码。")
    )
    missed_count = models.PositiveSmallIntegerField(_("未揽到次数"), default=0)
    parcel = models.OneToOneField(
        "logistics.Parcel",
        verbose_name=_("邮件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    collected_at = models.DateTimeField(_("揽收时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("上门揽收单")
        verbose_name_plural = _("上门揽收单")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=HomePickupStatus.values), name="agency_home_pickup_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(window_ends_at__gt=F("window_starts_at")),
                name="agency_home_pickup_window_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(weight_g__gt=0), name="agency_home_pickup_weight_positive"),
            models.CheckConstraint(
                condition=Q(price_fen__gte=0), name="agency_home_pickup_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status=HomePickupStatus.COLLECTED, parcel__isnull=False)
                | (~Q(status=HomePickupStatus.COLLECTED) & Q(parcel__isnull=True)),
                name="agency_home_pickup_collected_with_parcel",
            ),
        ]
        indexes = [
            models.Index(fields=["station", "status", "window_on"], name="agency_pickup_station_idx"),
            models.Index(fields=["requester", "created_at"], name="agency_pickup_requester_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class HomePickupEvent(models.Model):
    """A change of a home pickup's status, who made it (none: the round planner) and why."""

    pickup = models.ForeignKey(
        HomePickup, verbose_name=_("上门揽收单"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=HomePickupStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=HomePickupStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("上门揽收记录")
        verbose_name_plural = _("上门揽收记录")
        ordering = ["pickup", "occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_status__in=HomePickupStatus.values),
                name="agency_home_pickup_event_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pickup_id} {self.from_status}→{self.to_status}"


__all__ = [
    "HOME_PICKUP_TRANSITIONS",
    "OPEN_HOME_PICKUP_STATUSES",
    "HomePickup",
    "HomePickupEvent",
    "HomePickupStatus",
    "RemoteVillage",
]
