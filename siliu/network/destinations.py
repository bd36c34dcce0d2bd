"""Where a parcel goes, as a person chooses it: a village of the county from the township → village
picker, or a province outside it. Nobody types an outlet or a region code."""

from dataclasses import dataclass
from typing import Any, Final

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siliu.core.errors import ValidationFailed
from siliu.network.models import Region, RegionLevel
from siliu.network.selectors import village_get, village_list, village_serving_outlet

#: Mainland China's provincial-level divisions with the first two digits of their GB/T 2260 codes. A
#: parcel to another county is priced by province (same province or another), so the province is all
#: the tariff needs; the street address is the recipient's.
PROVINCES: Final = (
    ("11", "北京市"), ("12", "天津市"), ("13", "河北省"), ("14", "山西省"), ("15", "内蒙古自治区"),
    ("21", "辽宁省"), ("22", "吉林省"), ("23", "黑龙江省"), ("31", "上海市"), ("32", "江苏省"),
    ("33", "浙江省"), ("34", "安徽省"), ("35", "福建省"), ("36", "江西省"), ("37", "山东省"),
    ("41", "河南省"), ("42", "湖北省"), ("43", "湖南省"), ("44", "广东省"), ("45", "广西壮族自治区"),
    ("46", "海南省"), ("50", "重庆市"), ("51", "四川省"), ("52", "贵州省"), ("53", "云南省"),
    ("54", "西藏自治区"), ("61", "陕西省"), ("62", "甘肃省"), ("63", "青海省"), ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
)  # fmt: skip
_PROVINCE_NAMES: Final = dict(PROVINCES)


@dataclass(frozen=True)
class Destination:
    """What a quote needs: the outlet that delivers (in the county) or the region code (outside)."""

    outlet_code: str | None
    region_code: str | None
    #: In words, for the page: "青龙镇王家沟村（王家沟村服务站）", "浙江省".
    words: str


def destination_choose(*, village_code: str = "", province_code: str = "") -> Destination:
    """The destination for a village of the county (delivered by its station, or its township's office
    where it has none) or for a province outside the county (``<province>0000``).

    Raises
    ------
    ValidationFailed
        ``destination_required`` (field ``village``) with neither, ``unknown_village`` /
        ``village_not_served`` (``village``), ``unknown_province`` (``province``).
    """
    village_code, province_code = (village_code or "").strip(), (province_code or "").strip()
    if village_code:
        village = village_get(code=village_code)
        outlet = village_serving_outlet(village=village)
        township = village.parent.name if village.parent else ""
        return Destination(outlet.code, None, f"{township}{village.name}（{outlet.name}）")
    if province_code:
        if province_code not in _PROVINCE_NAMES:
            raise ValidationFailed("unknown_province", _("请选择省份"), field="province")
        return Destination(None, f"{province_code}0000", _PROVINCE_NAMES[province_code])
    raise ValidationFailed("destination_required", _("请选择县内的村，或县外的省份"), field="village")


def village_picker_context(*, township_code: str = "", village_code: str = "") -> dict[str, Any]:
    """What ``network/_village_picker.html`` draws: the townships, the villages grouped by township,
    and the choice so far."""
    return {
        "townships": list(Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code")),
        "villages": list(village_list()),
        "township_code": township_code or (village_code[:9] if village_code else ""),
        "village_code": village_code,
    }


class DestinationFormMixin(forms.Form):
    """The destination of a parcel form as a picker: ``township`` and ``village`` in the county, or
    ``province`` outside it. ``clean()`` leaves ``destination`` (:class:`Destination`) in
    ``cleaned_data``; the template draws ``network/_destination_picker.html`` and the other fields
    through :attr:`detail_fields`."""

    PICKER_FIELDS: Final = ("township", "village", "province")

    township = forms.CharField(required=False, max_length=12)
    village = forms.CharField(required=False, max_length=12)
    province = forms.ChoiceField(
        label=gettext_lazy("或寄往县外：省份"),
        required=False,
        choices=[("", gettext_lazy("（县内）")), *PROVINCES],
    )

    @property
    def detail_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.PICKER_FIELDS]

    def picker_context(self) -> dict[str, Any]:
        data = self.data if self.is_bound else self.initial
        return village_picker_context(
            township_code=str(data.get("township", "") or ""), village_code=str(data.get("village", "") or "")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            cleaned["destination"] = destination_choose(
                village_code=cleaned.get("village", ""), province_code=cleaned.get("province", "")
            )
        except ValidationFailed as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned
