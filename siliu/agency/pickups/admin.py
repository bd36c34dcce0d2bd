"""Home pickups in the admin: staff keep the remote villages and their price; requests are read, their
states moved only by the services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from siliu.agency.pickups.models import HomePickup, HomePickupEvent, RemoteVillage


@admin.register(RemoteVillage)
class RemoteVillageAdmin(admin.ModelAdmin):
    list_display = ["village", "price_fen", "note"]
    search_fields = ["village__name", "village__code"]
    autocomplete_fields = ["village"]


class ReadOnly(admin.ModelAdmin):
    """Rows the services write and nobody edits."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class HomePickupEventInline(admin.TabularInline):
    model = HomePickupEvent
    extra = 0
    can_delete = False
    fields = ["occurred_at", "from_status", "to_status", "actor", "note"]
    readonly_fields = ["occurred_at", "from_status", "to_status", "actor", "note"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HomePickup)
class HomePickupAdmin(ReadOnly):
    list_display = ["number", "status", "station", "village", "window_on", "price_fen", "created_at"]
    list_filter = ["status", "is_remote"]
    search_fields = ["number", "station__code"]
    inlines = [HomePickupEventInline]


@admin.register(HomePickupEvent)
class HomePickupEventAdmin(ReadOnly):
    list_display = ["pickup", "from_status", "to_status", "actor", "occurred_at"]
    list_filter = ["to_status"]
    search_fields = ["pickup__number"]
