"""Outreach's tables in the admin. Staff add stamp issues here as on the catalogue's page (the same
checks, a picture uploaded or drawn); exhibitions and their changes are read here and changed on their
pages, so that every change appends its event."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from siliu.core.errors import ValidationFailed
from siliu.core.images import image_store
from siliu.outreach.models import Exhibition, ExhibitionEvent, StampIssue
from siliu.outreach.stamps.services import IMAGE_FOLDER, stamp_image_placeholder_store, stamp_issue_check


class StampIssueAdminForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("上传图片"),
        required=False,
        help_text=_("不上传且没有图片时，生成一张写有名称和面值的示意图。"),
    )

    class Meta:
        model = StampIssue
        fields = [
            "name",
            "series_number",
            "issued_on",
            "stamp_count",
            "souvenir_sheet_count",
            "face_value_fen",
            "theme",
            "description",
            "image",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            fields = stamp_issue_check(
                name=cleaned.get("name", ""),
                series_number=cleaned.get("series_number", ""),
                issued_on=cleaned.get("issued_on"),
                stamp_count=cleaned.get("stamp_count"),
                souvenir_sheet_count=cleaned.get("souvenir_sheet_count") or 0,
                face_value_fen=cleaned.get("face_value_fen"),
                theme=cleaned.get("theme", ""),
                description=cleaned.get("description", ""),
                today=timezone.localdate(),
            )
        except ValidationFailed as error:
            raise ValidationError({error.field or "__all__": error.message}) from None
        cleaned.update(name=fields.name, series_number=fields.series_number, description=fields.description)
        upload = cleaned.get("upload")
        try:
            if upload is not None:
                cleaned["image"] = image_store(
                    upload=upload, size=upload.size, folder=IMAGE_FOLDER, field="upload"
                )
            elif not cleaned.get("image"):
                cleaned["image"] = stamp_image_placeholder_store(
                    name=fields.name, series_number=fields.series_number, face_value_fen=fields.face_value_fen
                )
        except ValidationFailed as error:
            raise ValidationError({"upload": error.message}) from None
        return cleaned


@admin.register(StampIssue)
class StampIssueAdmin(admin.ModelAdmin):
    form = StampIssueAdminForm
    list_display = ["series_number", "name", "issued_on", "stamp_count", "face_value_fen", "theme"]
    list_filter = ["theme"]
    search_fields = ["series_number", "name"]


class ExhibitionEventInline(admin.TabularInline):
    model = ExhibitionEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "occurred_at", "note"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Exhibition)
class ExhibitionAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "village", "scheduled_on", "held_on", "attendance_count"]
    list_filter = ["status", "kind", "venue_kind"]
    search_fields = ["title", "venue_name", "village__name"]
    inlines = [ExhibitionEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ExhibitionEvent)
class ExhibitionEventAdmin(admin.ModelAdmin):
    list_display = ["exhibition", "from_status", "to_status", "actor", "occurred_at"]
    list_filter = ["to_status"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
