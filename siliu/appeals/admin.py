"""People's requests in the admin: read, never edited (their services keep the events and messages
that go with every change); the outbox shows what was sent and what failed."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from siliu.appeals.models import Appeal, AppealEvent, Job, Message, PhoneCode


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AppealEventInline(admin.TabularInline):
    model = AppealEvent
    extra = 0
    can_delete = False
    fields = ("occurred_at", "kind", "from_status", "to_status", "actor", "job", "note")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["pk", "filed_at", "category", "status", "township", "village", "outlet", "escalated_at"]
    list_filter = ["status", "category", "channel"]
    search_fields = ["pk", "text", "outlet__code", "village__name"]
    date_hierarchy = "filed_at"
    exclude = ["access_token", "phone"]
    inlines = [AppealEventInline]


@admin.register(AppealEvent)
class AppealEventAdmin(ReadOnlyAdmin):
    list_display = ["appeal", "occurred_at", "kind", "from_status", "to_status", "actor"]
    list_filter = ["kind"]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["pk", "created_at", "township", "category", "status", "assignee"]
    list_filter = ["status", "category"]


@admin.register(PhoneCode)
class PhoneCodeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "created_at", "expires_at", "attempt_count", "used_at"]
    exclude = ["code_hash", "phone"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "created_at", "sent_at", "attempts", "error"]
    list_filter = ["kind"]
    exclude = ["to", "text"]
