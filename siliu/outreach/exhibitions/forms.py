"""The exhibition forms as people fill them in: the place by the township → village picker, the stamps
shown as boxes to tick, the date by a date field. The services check everything again."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from siliu.network.destinations import village_picker_context
from siliu.network.selectors import outlet_choices
from siliu.outreach.exhibitions.services import (
    CONTACT_NAME_MAX_LENGTH,
    LEADER_MAX_LENGTH,
    MAX_ATTENDANCE,
    REASON_MAX_LENGTH,
    REQUEST_NOTE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    VENUE_NAME_MAX_LENGTH,
)
from siliu.outreach.models import ExhibitionKind, VenueKind
from siliu.outreach.stamps.selectors import stamp_issue_list


class StyledForm(forms.Form):
    """Bootstrap's classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            widget.attrs["class"] = "form-select" if isinstance(widget, forms.Select) else "form-control"


class PlaceForm(StyledForm):
    """A village from the picker (``network/_village_picker.html``), and the kind of venue there."""

    PICKER_FIELDS = ("township", "village")

    township = forms.CharField(required=False, max_length=12)
    village = forms.CharField(required=False, max_length=12)
    venue_kind = forms.ChoiceField(label=gettext_lazy("场地"), choices=VenueKind.choices)
    venue_name = forms.CharField(
        label=gettext_lazy("场地名称"),
        max_length=VENUE_NAME_MAX_LENGTH,
        required=False,
        help_text=gettext_lazy("学校请填写校名，如 青龙镇中心小学。"),
    )

    @property
    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.PICKER_FIELDS]

    def picker_context(self) -> dict[str, Any]:
        data = self.data if self.is_bound else self.initial
        return village_picker_context(
            township_code=str(data.get("township", "") or ""), village_code=str(data.get("village", "") or "")
        )


class RequestForm(PlaceForm):
    kind = forms.ChoiceField(label=gettext_lazy("形式"), choices=ExhibitionKind.choices)
    preferred_on = forms.DateField(
        label=gettext_lazy("希望的日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    contact_name = forms.CharField(
        label=gettext_lazy("联系人"), max_length=CONTACT_NAME_MAX_LENGTH, required=False
    )
    contact_phone = forms.CharField(
        label=gettext_lazy("手机号"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("未登录时必填，县里安排时与您联系；不会公开。"),
    )
    note = forms.CharField(
        label=gettext_lazy("说明"),
        max_length=REQUEST_NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("如 学生人数、希望讲的主题。"),
    )


def _stamp_choices() -> list[tuple[int, str]]:
    return [(issue.pk, f"{issue.series_number}《{issue.name}》") for issue in stamp_issue_list()]


class PlanForm(StyledForm):
    """What planning fixes: the date, the stamps shown, who leads it; a title and a form."""

    title = forms.CharField(label=gettext_lazy("活动名称"), max_length=TITLE_MAX_LENGTH, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("形式"), choices=ExhibitionKind.choices)
    scheduled_on = forms.DateField(label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    leader_name = forms.CharField(label=gettext_lazy("主讲人"), max_length=LEADER_MAX_LENGTH)
    stamps = forms.TypedMultipleChoiceField(
        label=gettext_lazy("展出的邮票"), coerce=int, widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stamps"].choices = _stamp_choices()  # type: ignore[attr-defined]


class ExhibitionForm(PlaceForm, PlanForm):
    """A new exhibition the county plans: its place, the outlet answering for it, and its plan."""

    field_order = [
        "township",
        "village",
        "venue_kind",
        "venue_name",
        "outlet",
        "title",
        "kind",
        "scheduled_on",
        "leader_name",
        "stamps",
    ]

    outlet = forms.ChoiceField(
        label=gettext_lazy("负责网点"),
        required=False,
        help_text=gettext_lazy("在网点举办时必选；不选则由服务该村的网点负责。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = True
        self.fields["outlet"].choices = [("", gettext_lazy("（服务该村的网点）")), *outlet_choices()]  # type: ignore[attr-defined]


class HoldForm(StyledForm):
    attendance_count = forms.IntegerField(
        label=gettext_lazy("参加人数"), min_value=0, max_value=MAX_ATTENDANCE
    )
    held_on = forms.DateField(
        label=gettext_lazy("举办日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("不填则为排期的日期。"),
    )
    leader_name = forms.CharField(
        label=gettext_lazy("主讲人"),
        max_length=LEADER_MAX_LENGTH,
        required=False,
        help_text=gettext_lazy("换了主讲人时填写。"),
    )


class CancelForm(StyledForm):
    reason = forms.CharField(label=gettext_lazy("取消原因"), max_length=REASON_MAX_LENGTH)


class PhotoForm(StyledForm):
    photo = forms.FileField(label=gettext_lazy("照片"))
