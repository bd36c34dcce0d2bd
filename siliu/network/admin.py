from django.contrib import admin

from siliu.network.models import CountyPost, OpeningHours, Outlet, OutletLink, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_select_related = ["parent"]  # nullable: the admin's own select_related() leaves it out
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class OutgoingLinkInline(admin.TabularInline):
    model = OutletLink
    fk_name = "from_outlet"
    extra = 0
    autocomplete_fields = ["to_outlet"]


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region", "parent_outlet", "is_active"]
    list_select_related = ["region", "parent_outlet"]
    list_filter = [
        "kind",
        "is_active",
        "has_sign_language_service",
        "offers_home_pickup",
        "has_cash_counter",
        "offers_agency_services",
    ]
    search_fields = ["code", "name", "address", "region__name"]
    autocomplete_fields = ["region", "parent_outlet", "operator"]
    inlines = [OpeningHoursInline, OutgoingLinkInline]


@admin.register(OutletLink)
class OutletLinkAdmin(admin.ModelAdmin):
    list_display = ["from_outlet", "to_outlet", "distance_km", "transit_minutes"]
    search_fields = ["from_outlet__code", "to_outlet__code", "from_outlet__name", "to_outlet__name"]
    autocomplete_fields = ["from_outlet", "to_outlet"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ["outlet", "weekday", "opens_at", "closes_at"]
    list_filter = ["weekday"]
    search_fields = ["outlet__code", "outlet__name"]
    autocomplete_fields = ["outlet"]


@admin.register(CountyPost)
class CountyPostAdmin(admin.ModelAdmin):
    list_display = ["user", "county"]
    list_select_related = ["user", "county"]
    search_fields = ["user__username", "county__name", "county__code"]
    autocomplete_fields = ["user", "county"]
