"""Forms of the counter pages: amounts are typed in yuan and become fen here, at the edge."""

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from siliu.core.errors import ValidationFailed
from siliu.core.money import parse_yuan
from siliu.core.people import person_get


class YuanField(forms.CharField):
    """A yuan amount ("12.50") cleaned to int fen; fractions of a fen are refused, never rounded."""

    def __init__(self, *, allow_zero: bool = False, **kwargs: Any) -> None:
        self.allow_zero = allow_zero
        super().__init__(max_length=20, **kwargs)

    def clean(self, value: Any) -> int:
        text = super().clean(value)
        try:
            amount_fen = parse_yuan(text)
        except ValidationFailed as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        if amount_fen < 0 or (amount_fen == 0 and not self.allow_zero):
            raise forms.ValidationError(_("金额必须大于 0"), code="amount_must_be_positive")
        return amount_fen


class CounterCashForm(forms.Form):
    """Cash in or out for a villager found by the lookup (``customer``: their user id, never typed);
    ``idempotency_key`` makes a double submit count once."""

    direction = forms.ChoiceField(
        choices=[("in", _("存入（收现金）")), ("out", _("取出（付现金）"))], label=_("业务")
    )
    customer = forms.IntegerField(widget=forms.HiddenInput, label=_("村民"))
    amount = YuanField(label=_("金额（元）"))
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, max_length=64, initial=lambda: uuid.uuid4().hex
    )

    def clean_customer(self) -> Any:
        user = person_get(user_id=self.cleaned_data["customer"])
        if user is None:
            raise forms.ValidationError(_("请先查找并选择村民"))
        return user


class DayCloseForm(forms.Form):
    """The count of a day close; ``confirm`` is set by the confirmation step, which shows the report."""

    business_on = forms.DateField(label=_("营业日"), widget=forms.DateInput(attrs={"type": "date"}))
    counted_cash = YuanField(label=_("实点现金（元）"), allow_zero=True)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("手机号、姓名或身份证号"), max_length=30)
