"""The counter's agency form: amounts typed in yuan become fen here, at the edge; ``number`` is made when
the form is first shown, so a double submit books once."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from siliu.agency.catalogue import AgencyService, PaidWith
from siliu.agency.counter.services import agency_number_new
from siliu.core.people import person_get
from siliu.finance.forms import YuanField


class AgencyForm(forms.Form):
    service = forms.ChoiceField(label=_("业务"))
    account = forms.CharField(label=_("户号、手机号、卡号或身份证号"), max_length=40)
    amount = YuanField(label=_("金额（元）"))
    customer_name = forms.CharField(label=_("客户姓名（选填）"), max_length=40, required=False)
    paid_with = forms.ChoiceField(label=_("支付方式"), choices=PaidWith.choices, initial=PaidWith.CASH)
    customer = forms.IntegerField(widget=forms.HiddenInput, required=False)
    number = forms.CharField(widget=forms.HiddenInput, max_length=24, initial=lambda: agency_number_new())
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, services: list[AgencyService], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = {service.code: service for service in services}
        field = self.fields["service"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(service.code, service.name) for service in services]

    def clean_customer(self) -> Any:
        user_id = self.cleaned_data.get("customer")
        if user_id is None:
            return None
        user = person_get(user_id=user_id)
        if user is None:
            raise forms.ValidationError(_("请先查找并选择客户"))
        return user

    @property
    def chosen(self) -> AgencyService | None:
        """The service the form is for: the cleaned one, else the one asked for, else the first."""
        code = (self.cleaned_data.get("service") if hasattr(self, "cleaned_data") else None) or self[
            "service"
        ].value()
        return self.services.get(str(code or "")) or next(iter(self.services.values()), None)
