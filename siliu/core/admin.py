"""Admin pieces every app shares."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from siliu.core.models import Event, UserPreference, UserProfile


class ReadOnlyAdmin(admin.ModelAdmin):
    """For history written only by services (ledger, events, orders): the admin may look, never touch."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "elderly_mode", "updated_at")
    list_filter = ("elderly_mode",)
    search_fields = ("user__username",)
    raw_id_fields = ("user",)


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    """Profiles show the masked ID only; they are written through ``siliu.core.people``."""

    list_display = ("user", "phone", "resident_id_masked", "updated_at")
    search_fields = ("user__username", "phone")
    raw_id_fields = ("user",)
    readonly_fields = ("resident_id_encrypted", "resident_id_hash", "resident_id_masked")


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The outbox: what each flow said happened, and when the information flow folded it in."""

    list_display = ("id", "kind", "ref", "occurred_at", "folded_at")
    list_filter = ("kind",)
    search_fields = ("ref",)
    date_hierarchy = "occurred_at"
