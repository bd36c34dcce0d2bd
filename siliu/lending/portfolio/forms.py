"""Forms of the officer's and county manager's pages: a decision on an application, a collection note,
a write-off."""

from django import forms
from django.utils.translation import gettext_lazy as _

from siliu.lending.loans.models import CollectionNoteKind

#: The longest note a decision, a collection note or a write-off keeps (the models' 300 characters).
NOTE_MAX_LENGTH = 300


class DecisionForm(forms.Form):
    """Approve or refuse (the button pressed), with a note the applicant reads (required to refuse)."""

    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("refuse", _("拒绝"))])
    note = forms.CharField(
        label=_("意见"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("拒绝时必须写明原因，借款人会看到。"),
    )

    @property
    def approve(self) -> bool:
        return bool(self.cleaned_data["decision"] == "approve")


class CollectionNoteForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("方式"), choices=CollectionNoteKind.choices, initial=CollectionNoteKind.CALL
    )
    note = forms.CharField(
        label=_("情况"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("联系上了吗？借款人怎么说？"),
    )
    promised_on = forms.DateField(
        label=_("承诺还款日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("借款人承诺还款时填写。"),
    )


class WriteOffForm(forms.Form):
    note = forms.CharField(
        label=_("核销原因"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明催收经过和无法收回的原因。"),
    )
