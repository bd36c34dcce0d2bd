"""The stamp catalogue's pages: the catalogue (public) and the form that adds an issue."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from siliu.core.errors import DomainError, PermissionRefused, ValidationFailed
from siliu.core.money import parse_yuan
from siliu.core.permissions import Permission, user_can
from siliu.core.ratelimit import rate_limited_page
from siliu.outreach.models import MAX_SOUVENIR_SHEETS, MAX_STAMPS_IN_SET, StampTheme
from siliu.outreach.stamps.selectors import stamp_issue_list
from siliu.outreach.stamps.services import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, stamp_issue_create


@rate_limited_page()
def stamp_list_page(request: HttpRequest) -> HttpResponse:
    """The catalogue, newest first; ``?theme=`` narrows it to a theme."""
    theme = request.GET.get("theme", "")
    status = 200
    try:
        issues = list(stamp_issue_list(theme=theme))
    except ValidationFailed as error:
        messages.error(request, error.message)
        issues, theme, status = list(stamp_issue_list()), "", 400
    return render(
        request,
        "outreach/stamps/list.html",
        {
            "issues": issues,
            "theme": theme,
            "themes": StampTheme.choices,
            "may_manage": user_can(request.user, Permission.OUTREACH_MANAGE),
        },
        status=status,
    )


class StampIssueForm(forms.Form):
    """An issue as staff type it: the face value in yuan, the picture optional."""

    name = forms.CharField(label=gettext_lazy("名称"), max_length=NAME_MAX_LENGTH)
    series_number = forms.CharField(
        label=gettext_lazy("志号"), max_length=12, help_text=gettext_lazy("如 2021-17；1992 年以前如 J178。")
    )
    issued_on = forms.DateField(
        label=gettext_lazy("发行日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    stamp_count = forms.IntegerField(label=gettext_lazy("邮票枚数"), min_value=1, max_value=MAX_STAMPS_IN_SET)
    souvenir_sheet_count = forms.IntegerField(
        label=gettext_lazy("小型张枚数"), min_value=0, max_value=MAX_SOUVENIR_SHEETS, initial=0
    )
    face_value = forms.CharField(
        label=gettext_lazy("邮票面值合计（元）"),
        max_length=12,
        required=False,
        help_text=gettext_lazy("全套邮票面值之和，不含小型张；不确定时留空。"),
    )
    theme = forms.ChoiceField(label=gettext_lazy("主题"), choices=StampTheme.choices)
    description = forms.CharField(
        label=gettext_lazy("简介"),
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    image = forms.FileField(
        label=gettext_lazy("图片"),
        required=False,
        help_text=gettext_lazy("JPEG、PNG、WebP 或 GIF；不上传则生成一张写有名称和面值的示意图。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    def clean_face_value(self) -> int | None:
        text = (self.cleaned_data.get("face_value") or "").strip()
        if not text:
            return None
        try:
            return parse_yuan(text, field="face_value")
        except ValidationFailed as error:
            raise forms.ValidationError(error.message, code=error.code) from None


#: Service fields → form fields.
_FORM_FIELDS = {"face_value_fen": "face_value"}


@login_required
def stamp_new_page(request: HttpRequest) -> HttpResponse:
    """Add an issue to the catalogue (``outreach.manage``)."""
    if not user_can(request.user, Permission.OUTREACH_MANAGE):
        raise PermissionDenied(_("需要邮票展览的管理权限"))
    form = StampIssueForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return render(request, "outreach/stamps/new.html", {"form": form})
    if not form.is_valid():
        return render(request, "outreach/stamps/new.html", {"form": form}, status=400)
    data = form.cleaned_data
    upload = data.get("image")
    try:
        issue = stamp_issue_create(
            actor=request.user,
            name=data["name"],
            series_number=data["series_number"],
            issued_on=data["issued_on"],
            stamp_count=data["stamp_count"],
            souvenir_sheet_count=data["souvenir_sheet_count"],
            face_value_fen=data["face_value"],
            theme=data["theme"],
            description=data["description"],
            image=upload,
            image_size=upload.size if upload is not None else 0,
        )
    except PermissionRefused as error:
        raise PermissionDenied(error.message) from None
    except DomainError as error:
        field = _FORM_FIELDS.get(error.field or "", error.field)
        form.add_error(field if field in form.fields else None, error.message)
        return render(request, "outreach/stamps/new.html", {"form": form}, status=error.http_status)
    messages.success(request, _("已录入 %(issue)s") % {"issue": str(issue)})
    return redirect("outreach:stamps")
