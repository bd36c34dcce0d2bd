"""Forms of the borrower's pages: amounts typed in yuan become fen here (``parse_yuan``)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from siliu.core.ids import MAX_ID
from siliu.finance.forms import YuanField
from siliu.lending.forms import MONTH_CHOICES
from siliu.lending.products import LoanProduct, RepaymentMethod


class ApplyForm(forms.Form):
    """A product, an amount in yuan, a term offered by the product, harvest months for a seasonal
    product, and what the money is for; ``person`` is the villager a station operator applies for."""

    product = forms.ChoiceField(label=_("贷款产品"))
    amount = YuanField(label=_("借款金额（元）"))
    term_months = forms.TypedChoiceField(label=_("期限"), coerce=int)
    harvest_months = forms.TypedMultipleChoiceField(
        label=_("收获月份（季节还款）"),
        choices=MONTH_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("季节还款的产品：本金在这些月份归还；不选则用产品设定的月份。"),
    )
    purpose = forms.CharField(
        label=_("借款用途"),
        max_length=200,
        help_text=_("例如：买化肥、扩建大棚、买冷藏设备。"),
    )
    person = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, products: list[LoanProduct], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.products = {product.code: product for product in products}
        product_field = self.fields["product"]
        assert isinstance(product_field, forms.ChoiceField)
        product_field.choices = [(p.code, f"{p.name}（{p.get_method_display()}）") for p in products]
        terms = sorted({months for product in products for months in product.term_months})
        term_field = self.fields["term_months"]
        assert isinstance(term_field, forms.ChoiceField)
        term_field.choices = [(t, _("%(months)d 个月") % {"months": t}) for t in terms]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        product = self.products.get(data.get("product") or "")
        term = data.get("term_months")
        if product is not None and term is not None and term not in product.term_months:
            terms = "、".join(str(months) for months in product.term_months)
            self.add_error("term_months", _("该产品可选期限：%(terms)s 个月") % {"terms": terms})
        if product is not None and product.method != RepaymentMethod.SEASONAL:
            data["harvest_months"] = []
        return data


class RepayForm(forms.Form):
    """An amount in yuan; ``early`` to repay ahead of the schedule (or pay off)."""

    amount = YuanField(label=_("还款金额（元）"))
    early = forms.BooleanField(label=_("提前还款"), required=False)


class DrawForm(forms.Form):
    amount = YuanField(label=_("支用金额（元）"))


class CounterRepayForm(forms.Form):
    """Cash for a villager's loan at the counter of ``outlet``."""

    loan = forms.CharField(max_length=20, widget=forms.HiddenInput)
    outlet = forms.CharField(max_length=20, widget=forms.HiddenInput)
    amount = YuanField(label=_("收取现金（元）"))
    early = forms.BooleanField(label=_("提前还款"), required=False)
