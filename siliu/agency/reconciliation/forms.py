"""Reconciliation's forms: a statement file with its day, a mismatch's resolution, the settlement's
confirmation."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from siliu.agency.reconciliation.models import Resolution
from siliu.agency.reconciliation.services import NOTE_MAX_LENGTH
from siliu.agency.reconciliation.statement_file import MAX_BYTES


def _yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


class StatementImportForm(forms.Form):
    business_on = forms.DateField(
        label=_("对账日"), initial=_yesterday, widget=forms.DateInput(attrs={"type": "date"})
    )
    file = forms.FileField(label=_("对账单文件（CSV）"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("文件过大：最多 %(n)d 字节") % {"n": MAX_BYTES})
        return upload


class MismatchResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("处理方式"), choices=Resolution.choices)
    note = forms.CharField(label=_("处理说明"), max_length=NOTE_MAX_LENGTH)


class StatementSettleForm(forms.Form):
    confirm = forms.BooleanField(label=_("已与委托方核对，确认按此金额结算"))
