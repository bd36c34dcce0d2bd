"""Loan products and how they are repaid: set up by staff in the admin, listed to borrowers (issue #10).

A module of its own (not ``models.py``) so that the loans' and the schedules' modules can import it
without importing every table of the app: ``models.py`` gathers the parts' tables for Django.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RepaymentMethod(models.TextChoices):
    """How a loan is paid back; the schedules are built in :mod:`siliu.lending.schedules`."""

    EQUAL_INSTALLMENT = "equal_installment", _("等额本息")
    EQUAL_PRINCIPAL = "equal_principal", _("等额本金")
    INTEREST_ONLY = "interest_only", _("先息后本")
    SEASONAL = "seasonal", _("季节还款")
    CREDIT_LINE = "credit_line", _("随借随还")


class LoanProduct(models.Model):
    """A loan product set up by staff and listed to borrowers (issue #10).

    Rates are in basis points a year (1200 = 12 %); ``term_months`` lists the terms a borrower may
    choose; ``harvest_months`` (1–12) are the months a seasonal loan's principal falls due in;
    ``sweep_share_bp`` is the share of a borrower's sales proceeds swept to repayment.
    """

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    description = models.TextField(_("说明"), blank=True)
    method = models.CharField(_("还款方式"), max_length=20, choices=RepaymentMethod.choices)
    min_amount_fen = models.BigIntegerField(_("最低金额（分）"))
    max_amount_fen = models.BigIntegerField(_("最高金额（分）"))
    term_months = models.JSONField(_("可选期限（月）"), default=list)
    annual_rate_bp = models.PositiveIntegerField(_("年利率（基点）"))
    penalty_rate_bp = models.PositiveIntegerField(_("罚息年利率（基点）"), default=0)
    grace_days = models.PositiveSmallIntegerField(_("宽限期（天）"), default=0)
    sweep_share_bp = models.PositiveIntegerField(_("销售回款扣还比例（基点）"), default=3000)
    harvest_months = models.JSONField(_("收获月份"), default=list, blank=True)
    is_active = models.BooleanField(_("在售"), default=True)

    class Meta:
        verbose_name = _("贷款产品")
        verbose_name_plural = _("贷款产品")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_amount_fen__gt=0), name="lending_product_min_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_amount_fen__gte=models.F("min_amount_fen")),
                name="lending_product_min_at_most_max",
            ),
            models.CheckConstraint(
                condition=Q(annual_rate_bp__gte=0) & Q(annual_rate_bp__lte=3600),
                name="lending_product_rate_in_range",
            ),
            models.CheckConstraint(condition=Q(penalty_rate_bp__gte=0), name="lending_product_penalty_rate"),
            models.CheckConstraint(
                condition=Q(sweep_share_bp__gte=0) & Q(sweep_share_bp__lte=10000),
                name="lending_product_sweep_share_in_range",
            ),
            models.CheckConstraint(
                condition=Q(method__in=RepaymentMethod.values), name="lending_product_method_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        """The lists the database cannot check (the admin calls this): terms 1–360 months, harvest
        months 1–12 and at least one for a seasonal product."""
        errors: dict[str, Any] = {}
        terms = self.term_months
        if not isinstance(terms, list) or not terms or not all(_is_int_in(t, 1, 360) for t in terms):
            errors["term_months"] = _("请填写 1 至 360 之间的整数月份列表，例如 [6, 12, 24]")
        months = self.harvest_months
        if not isinstance(months, list) or not all(_is_int_in(month, 1, 12) for month in months):
            errors["harvest_months"] = _("请填写 1 至 12 之间的月份列表，例如 [7, 8, 9, 10]")
        elif self.method == RepaymentMethod.SEASONAL and not months:
            errors["harvest_months"] = _("季节还款的产品须填写收获月份")
        if errors:
            raise ValidationError(errors)


def _is_int_in(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
