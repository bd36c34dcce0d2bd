"""The information flow's own tables: the daily figures and the record of their checks.

A figure is one row per day × outlet × measure (:class:`OutletDay`) or day × seller × measure
(:class:`SellerDay`); what each measure counts is in :mod:`siliu.insight.facts.measures`. Only
non-zero figures are stored. The rows are derived: any day can be rebuilt from the flows' tables.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from siliu.commerce.models import Seller
from siliu.network.models import Outlet


class OutletDay(models.Model):
    """One measure of one outlet on one day (Asia/Shanghai)."""

    day = models.DateField(_("日期"))
    outlet = models.ForeignKey(Outlet, verbose_name=_("网点"), on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(_("指标"), max_length=32)
    value = models.BigIntegerField(_("数值"))

    class Meta:
        verbose_name = _("网点日指标")
        verbose_name_plural = _("网点日指标")
        constraints = [models.UniqueConstraint(fields=["day", "outlet", "measure"], name="outletday_once")]
        indexes = [models.Index(fields=["measure", "day"], name="outletday_measure_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.outlet_id} {self.measure}={self.value}"


class SellerDay(models.Model):
    """One measure of one seller on one day (Asia/Shanghai)."""

    day = models.DateField(_("日期"))
    seller = models.ForeignKey(Seller, verbose_name=_("卖家"), on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(_("指标"), max_length=32)
    value = models.BigIntegerField(_("数值"))

    class Meta:
        verbose_name = _("卖家日指标")
        verbose_name_plural = _("卖家日指标")
        constraints = [models.UniqueConstraint(fields=["day", "seller", "measure"], name="sellerday_once")]
        indexes = [models.Index(fields=["seller", "day"], name="sellerday_seller_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.seller_id} {self.measure}={self.value}"


class FactCheck(models.Model):
    """A rebuild of days from the flows' tables compared with the figures kept from the outbox."""

    day_from = models.DateField(_("起始日期"))
    day_to = models.DateField(_("截止日期"))
    checked_at = models.DateTimeField(_("核对时间"))
    figures = models.PositiveIntegerField(_("核对的数字"))
    differences = models.PositiveIntegerField(_("不一致"))
    sample = models.JSONField(_("不一致示例"), default=list, blank=True)

    class Meta:
        verbose_name = _("统计核对")
        verbose_name_plural = _("统计核对")
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.day_from}–{self.day_to}: {self.differences}/{self.figures}"
