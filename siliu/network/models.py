"""The postal network: administrative regions, outlets and the roads between them."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村")


#: The level a region's parent must have.
PARENT_LEVEL = {
    RegionLevel.PROVINCE: None,
    RegionLevel.COUNTY: RegionLevel.PROVINCE,
    RegionLevel.TOWNSHIP: RegionLevel.COUNTY,
    RegionLevel.VILLAGE: RegionLevel.TOWNSHIP,
}

#: Length of the administrative code at each level (GB/T 2260 + statistical division codes).
CODE_LENGTH = {
    RegionLevel.PROVINCE: 6,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}


class Region(models.Model):
    """An administrative division: province → county → township → village.

    Codes follow the national statistical division codes: 6 digits for provinces and counties,
    9 for townships, 12 for villages; a child's code starts with its parent's.
    """

    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("级别"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=RegionLevel.values), name="region_level_valid"),
            models.CheckConstraint(
                condition=Q(level=RegionLevel.PROVINCE, parent__isnull=True)
                | (~Q(level=RegionLevel.PROVINCE) & Q(parent__isnull=False)),
                name="region_parent_unless_province",
            ),
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6,12}$"), name="region_code_digits"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected_length = CODE_LENGTH[RegionLevel(self.level)]
        if len(self.code) != expected_length or not self.code.isdigit():
            raise ValidationError({"code": _("该级别的代码应为 %(n)d 位数字") % {"n": expected_length}})
        expected_parent = PARENT_LEVEL[RegionLevel(self.level)]
        if expected_parent is not None and (self.parent is None or self.parent.level != expected_parent):
            raise ValidationError({"parent": _("上级区划级别不正确")})


class OutletKind(models.TextChoices):
    COUNTY_HUB = "county_hub", _("县级中心")
    TOWNSHIP_OFFICE = "township_office", _("乡镇邮政所")
    VILLAGE_STATION = "village_station", _("村级服务站")


class Outlet(models.Model):
    """A place where the network serves people: the county hub, a township office or a village station."""

    code = models.CharField(_("网点编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=20, choices=OutletKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="outlets"
    )
    parent_outlet = models.ForeignKey(
        "self",
        verbose_name=_("上级网点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="child_outlets",
        help_text=_("村级服务站属于乡镇邮政所，乡镇邮政所属于县级中心。"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="operated_outlets",
    )
    has_sign_language_service = models.BooleanField(_("手语服务"), default=False)
    offers_home_pickup = models.BooleanField(
        _("偏远地区上门揽收"), default=False, help_text=_("为偏远地区提供上门揽收与投递。")
    )
    has_cash_counter = models.BooleanField(_("现金柜台"), default=False)
    offers_agency_services = models.BooleanField(_("代理便民服务"), default=False)
    is_active = models.BooleanField(_("营业中"), default=True)

    class Meta:
        verbose_name = _("网点")
        verbose_name_plural = _("网点")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=OutletKind.values), name="outlet_kind_valid"),
            models.CheckConstraint(
                condition=Q(latitude__gte=Decimal(-90), latitude__lte=Decimal(90)),
                name="outlet_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=Decimal(-180), longitude__lte=Decimal(180)),
                name="outlet_longitude_range",
            ),
            models.CheckConstraint(condition=~Q(parent_outlet=models.F("pk")), name="outlet_not_own_parent"),
        ]
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("周一")
    TUESDAY = 1, _("周二")
    WEDNESDAY = 2, _("周三")
    THURSDAY = 3, _("周四")
    FRIDAY = 4, _("周五")
    SATURDAY = 5, _("周六")
    SUNDAY = 6, _("周日")


class OpeningHours(models.Model):
    """One opening period of an outlet on one weekday (an outlet may have several a day)."""

    outlet = models.ForeignKey(
        Outlet, verbose_name=_("网点"), on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    opens_at = models.TimeField(_("开门"))
    closes_at = models.TimeField(_("关门"))

    class Meta:
        verbose_name = _("营业时间")
        verbose_name_plural = _("营业时间")
        ordering = ["outlet", "weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_hours_weekday_valid"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="opening_hours_closes_after_opens"
            ),
            models.UniqueConstraint(
                fields=["outlet", "weekday", "opens_at"], name="opening_hours_unique_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class OutletLink(models.Model):
    """A scheduled road connection from one outlet to another (directed: each way is its own link).

    ``departure_times`` lists the local times ("HH:MM", ascending) at which a vehicle leaves
    ``from_outlet`` for ``to_outlet``; it arrives ``transit_minutes`` later.
    """

    from_outlet = models.ForeignKey(
        Outlet, verbose_name=_("起点"), on_delete=models.CASCADE, related_name="outgoing_links"
    )
    to_outlet = models.ForeignKey(
        Outlet, verbose_name=_("终点"), on_delete=models.CASCADE, related_name="incoming_links"
    )
    distance_km = models.DecimalField(_("道路里程（公里）"), max_digits=7, decimal_places=2)
    transit_minutes = models.PositiveIntegerField(_("运输时长（分钟）"))
    departure_times = models.JSONField(_("发车时刻"), default=list, blank=True)

    class Meta:
        verbose_name = _("网点连线")
        verbose_name_plural = _("网点连线")
        ordering = ["from_outlet", "to_outlet"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_outlet=models.F("to_outlet")), name="outlet_link_not_loop"
            ),
            models.CheckConstraint(condition=Q(distance_km__gt=0), name="outlet_link_distance_positive"),
            models.CheckConstraint(condition=Q(transit_minutes__gt=0), name="outlet_link_transit_positive"),
            models.UniqueConstraint(fields=["from_outlet", "to_outlet"], name="outlet_link_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.from_outlet.code} → {self.to_outlet.code}"

    def clean(self) -> None:
        try:
            self.departures()
        except ValueError as error:
            raise ValidationError({"departure_times": str(error)}) from None

    def departures(self) -> list[datetime.time]:
        """``departure_times`` as :class:`datetime.time`, checked to be "HH:MM" and ascending."""
        return parse_departure_times(self.departure_times)


def parse_departure_times(values: object) -> list[datetime.time]:
    """Parse a list of "HH:MM" strings in ascending order; raise ``ValueError`` naming the bad one."""
    if not isinstance(values, list):
        raise ValueError(_('发车时刻应为列表，如 ["08:30", "14:00"]'))
    times: list[datetime.time] = []
    for value in values:
        try:
            parsed = datetime.datetime.strptime(str(value), "%H:%M").time()  # noqa: DTZ007
        except ValueError:
            raise ValueError(_("发车时刻格式应为 HH:MM：%(value)s") % {"value": value}) from None
        if times and parsed <= times[-1]:
            raise ValueError(_("发车时刻须按时间先后排列且不重复：%(value)s") % {"value": value})
        times.append(parsed)
    return times


class CountyPost(models.Model):
    """A county manager's county: their county-scoped permissions (本县) hold at the outlets in it.

    Set up by staff in the admin. A county manager with no post holds those permissions nowhere.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("县级管理员"),
        on_delete=models.CASCADE,
        related_name="county_posts",
    )
    county = models.ForeignKey(
        Region,
        verbose_name=_("县"),
        on_delete=models.PROTECT,
        related_name="posts",
        limit_choices_to={"level": RegionLevel.COUNTY},
    )

    class Meta:
        verbose_name = _("县级管理员任职")
        verbose_name_plural = _("县级管理员任职")
        ordering = ["county", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "county"], name="county_post_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.county}"

    def clean(self) -> None:
        if self.county_id is not None and self.county.level != RegionLevel.COUNTY:
            raise ValidationError({"county": _("只能任职于县级区划")})
