"""The calculator's form: amounts in yuan and rates in percent become fen and basis points here."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from siliu.core.money import format_fen
from siliu.finance.forms import YuanField
from siliu.lending.products import LoanProduct
from siliu.lending.schedules import MAX_TERM_MONTHS, SCHEDULED_METHODS

MONTH_CHOICES = [(month, _("%(month)d 月") % {"month": month}) for month in range(1, 13)]


class CalculatorForm(forms.Form):
    """A product (its method, rate and harvest months) or a method and a rate of one's own; an
    amount, a term and a start date."""

    product = forms.ChoiceField(label=_("贷款产品"), required=False)
    method = forms.ChoiceField(
        label=_("还款方式"), choices=[(m.value, m.label) for m in SCHEDULED_METHODS], required=False
    )
    rate_percent = forms.DecimalField(
        label=_("年利率（%）"), min_value=Decimal(0), max_value=Decimal(36), decimal_places=2, required=False
    )
    amount = YuanField(label=_("借款金额（元）"))
    term_months = forms.IntegerField(label=_("期限（月）"), min_value=1, max_value=MAX_TERM_MONTHS)
    start_date = forms.DateField(label=_("放款日"))
    harvest_months = forms.TypedMultipleChoiceField(
        label=_("收获月份"), choices=MONTH_CHOICES, coerce=int, required=False
    )

    def __init__(self, *args: Any, products: list[LoanProduct], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.products = {product.code: product for product in products}
        product_field = self.fields["product"]
        assert isinstance(product_field, forms.ChoiceField)
        product_field.choices = [("", _("不选产品，自选还款方式和利率"))] + [
            (product.code, product.name) for product in products
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        product = self.products.get(data.get("product") or "")
        data["product"] = product
        if product is None:
            if not data.get("method"):
                self.add_error("method", _("请选择还款方式"))
            if data.get("rate_percent") is None and "rate_percent" not in self.errors:
                self.add_error("rate_percent", _("请填写年利率"))
            return data
        data["method"] = product.method
        data["rate_percent"] = Decimal(product.annual_rate_bp) / 100
        data["harvest_months"] = list(product.harvest_months)
        amount = data.get("amount")
        if amount is not None and not product.min_amount_fen <= amount <= product.max_amount_fen:
            self.add_error("amount", _("该产品的金额范围是 %(low)s 至 %(high)s") % product_range(product))
        term = data.get("term_months")
        if term is not None and term not in product.term_months:
            terms = "、".join(str(months) for months in product.term_months)
            self.add_error("term_months", _("该产品可选期限：%(terms)s 个月") % {"terms": terms})
        return data

    @property
    def annual_rate_bp(self) -> int:
        return int(self.cleaned_data["rate_percent"] * 100)


def product_range(product: LoanProduct) -> dict[str, str]:
    return {"low": format_fen(product.min_amount_fen), "high": format_fen(product.max_amount_fen)}
