"""Outreach's tables: stamp issues, exhibitions (and talks) built on them, and each exhibition's changes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from siliu.network.models import Outlet, Region

#: 志号 as China Post prints them: ``2021-17`` since 1992 (year, number in the year), ``J178`` / ``T46``
#: for the commemorative and special issues of 1974–1991, ``纪9`` / ``特1`` before that.
SERIES_NUMBER_REGEX = r"^([0-9]{4}-[0-9]{1,3}|[JT][0-9]{1,3}|[纪特][0-9]{1,3})$"
#: Most stamps one set has (the 2021 centenary set has 20).
MAX_STAMPS_IN_SET = 100
#: Most souvenir sheets one issue has.
MAX_SOUVENIR_SHEETS = 10


class StampTheme(models.TextChoices):
    PARTY = "party", _("建党纪念")
    REVOLUTION = "revolution", _("革命战争")
    FOUNDING = "founding", _("新中国建设")
    REFORM = "reform", _("改革开放")
    NEW_ERA = "new_era", _("新时代")
    HEROES = "heroes", _("英雄模范")


class StampIssue(models.Model):
    """A stamp issue of the catalogue: one set with its 志号, issue date, stamps and face value."""

    name = models.CharField(_("名称"), max_length=100)
    series_number = models.CharField(
        _("志号"), max_length=12, unique=True, help_text=_("如 2021-17；1992 年以前如 J178、T46、纪9。")
    )
    issued_on = models.DateField(_("发行日期"))
    stamp_count = models.PositiveSmallIntegerField(_("邮票枚数"))
    souvenir_sheet_count = models.PositiveSmallIntegerField(_("小型张枚数"), default=0)
    face_value_fen = models.PositiveBigIntegerField(
        _("邮票面值合计（分）"),
        null=True,
        blank=True,
        help_text=_("全套邮票面值之和，不含小型张；未核实的留空。"),
    )
    theme = models.CharField(_("主题"), max_length=12, choices=StampTheme.choices)
    description = models.TextField(_("简介"), blank=True)
    image = models.CharField(_("图片"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("邮票")
        verbose_name_plural = _("邮票")
        ordering = ["-issued_on", "series_number"]
        constraints = [
            models.CheckConstraint(condition=Q(theme__in=StampTheme.values), name="stamp_issue_theme_valid"),
            models.CheckConstraint(
                condition=Q(series_number__regex=SERIES_NUMBER_REGEX), name="stamp_issue_series_number_form"
            ),
            models.CheckConstraint(
                condition=Q(stamp_count__gte=1, stamp_count__lte=MAX_STAMPS_IN_SET),
                name="stamp_issue_stamp_count_range",
            ),
            models.CheckConstraint(
                condition=Q(souvenir_sheet_count__lte=MAX_SOUVENIR_SHEETS),
                name="stamp_issue_sheet_count_range",
            ),
            models.CheckConstraint(
                condition=Q(face_value_fen__isnull=True) | Q(face_value_fen__gt=0),
                name="stamp_issue_face_value_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series_number}《{self.name}》"


class ExhibitionKind(models.TextChoices):
    EXHIBITION = "exhibition", _("邮票展览")
    TALK = "talk", _("党史宣讲")


class VenueKind(models.TextChoices):
    OUTLET = "outlet", _("邮政网点")
    SCHOOL = "school", _("学校")
    VILLAGE_SQUARE = "village_square", _("村广场")


class ExhibitionStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    PLANNED = "planned", _("已排期")
    HELD = "held", _("已举办")
    CANCELLED = "cancelled", _("已取消")


#: Where an exhibition may go from each status; ``""`` is before it exists (filed as a request by a
#: school or village, or planned at once by the county).
EXHIBITION_TRANSITIONS: dict[str, frozenset[str]] = {
    "": frozenset({ExhibitionStatus.REQUESTED, ExhibitionStatus.PLANNED}),
    ExhibitionStatus.REQUESTED: frozenset({ExhibitionStatus.PLANNED, ExhibitionStatus.CANCELLED}),
    ExhibitionStatus.PLANNED: frozenset({ExhibitionStatus.HELD, ExhibitionStatus.CANCELLED}),
    ExhibitionStatus.HELD: frozenset(),
    ExhibitionStatus.CANCELLED: frozenset(),
}


class Exhibition(models.Model):
    """A stamp exhibition or a talk in a village: asked for, planned, held (and counted) or cancelled.

    The village is where it counts for coverage; ``outlet`` is the outlet that answers for it (the one
    it is held at, or the one serving the village), which is where a county manager's permission is
    checked.
    """

    title = models.CharField(_("活动名称"), max_length=100)
    kind = models.CharField(_("形式"), max_length=12, choices=ExhibitionKind.choices)
    venue_kind = models.CharField(_("场地类型"), max_length=16, choices=VenueKind.choices)
    venue_name = models.CharField(_("场地名称"), max_length=100, blank=True)
    village = models.ForeignKey(
        Region, verbose_name=_("村"), on_delete=models.PROTECT, related_name="exhibitions"
    )
    outlet = models.ForeignKey(
        Outlet, verbose_name=_("负责网点"), on_delete=models.PROTECT, related_name="exhibitions"
    )
    status = models.CharField(_("状态"), max_length=10, choices=ExhibitionStatus.choices)
    scheduled_on = models.DateField(_("日期"), null=True, blank=True)
    held_on = models.DateField(_("举办日期"), null=True, blank=True)
    stamps = models.ManyToManyField(
        StampIssue, verbose_name=_("展出邮票"), blank=True, related_name="exhibitions"
    )
    leader_name = models.CharField(_("主讲人"), max_length=40, blank=True)
    attendance_count = models.PositiveIntegerField(_("参加人数"), null=True, blank=True)
    photos = models.JSONField(_("照片"), default=list, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人账户"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exhibition_requests",
    )
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=11, blank=True)
    request_note = models.TextField(_("申请说明"), blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("展览活动")
        verbose_name_plural = _("展览活动")
        ordering = ["-scheduled_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ExhibitionKind.values), name="exhibition_kind_valid"),
            models.CheckConstraint(
                condition=Q(venue_kind__in=VenueKind.values), name="exhibition_venue_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExhibitionStatus.values), name="exhibition_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=ExhibitionStatus.HELD)
                | Q(attendance_count__isnull=False, held_on__isnull=False),
                name="exhibition_held_counted",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[ExhibitionStatus.PLANNED, ExhibitionStatus.HELD])
                | Q(scheduled_on__isnull=False),
                name="exhibition_planned_has_date",
            ),
            models.CheckConstraint(
                condition=Q(requester__isnull=False)
                | ~Q(contact_phone="")
                | ~Q(status=ExhibitionStatus.REQUESTED),
                name="exhibition_request_reachable",
            ),
        ]
        indexes = [models.Index(fields=["status", "held_on"], name="exhibition_status_held_on")]

    def __str__(self) -> str:
        return self.title


class ExhibitionEvent(models.Model):
    """A change of an exhibition's status, who made it and why (``actor`` is empty for a request filed
    without an account)."""

    exhibition = models.ForeignKey(
        Exhibition, verbose_name=_("展览活动"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("原状态"), max_length=10, choices=ExhibitionStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ExhibitionStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("展览活动记录")
        verbose_name_plural = _("展览活动记录")
        ordering = ["exhibition", "occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_status__in=ExhibitionStatus.values), name="exhibition_event_to_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exhibition_id} {self.from_status}→{self.to_status}"
