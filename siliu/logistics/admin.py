from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from siliu.core.admin import ReadOnlyAdmin
from siliu.logistics.models import (
    Claim,
    ClaimEvent,
    CompensationPolicy,
    CompensationRule,
    ExceptionCase,
    ExceptionCaseEvent,
    Parcel,
    ParcelEvent,
    Partner,
    PartnerManifest,
    Product,
    RoadDistance,
    RoundPlan,
    Tariff,
    TrackingRange,
    TrunkRoute,
    Vehicle,
    WebhookDelivery,
)


class TariffInline(admin.TabularInline):
    model = Tariff
    extra = 0


class TrackingRangeInline(admin.TabularInline):
    model = TrackingRange
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_letter", "is_registered", "max_weight_g", "is_active"]
    inlines = [TariffInline, TrackingRangeInline]


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = [
        "product",
        "zone",
        "effective_on",
        "first_weight_g",
        "first_fee_fen",
        "step_weight_g",
        "step_fee_fen",
    ]
    list_filter = ["product", "zone"]


@admin.register(TrackingRange)
class TrackingRangeAdmin(admin.ModelAdmin):
    list_display = ["product", "service_indicator", "first_serial", "last_serial", "next_serial"]


@admin.register(TrunkRoute)
class TrunkRouteAdmin(admin.ModelAdmin):
    list_display = ["hub", "zone", "departure_times", "transit_minutes"]


EVENT_FIELDS = ("occurred_at", "code", "outlet", "device_id", "reason_code", "action_code", "recorded_at")


class ParcelEventInline(admin.TabularInline):
    model = ParcelEvent
    extra = 0
    can_delete = False
    fields = EVENT_FIELDS
    readonly_fields = EVENT_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ParcelEvent]:
        return super().get_queryset(request).select_related("outlet")


@admin.register(Parcel)
class ParcelAdmin(ReadOnlyAdmin):
    list_display = [
        "tracking_number",
        "product",
        "status",
        "origin_outlet",
        "destination_outlet",
        "fee_fen",
        "exception",
    ]
    list_filter = ["status", "product", "zone", "exception", "postage_payment"]
    search_fields = ["tracking_number", "partner_tracking_number"]
    inlines = [ParcelEventInline]


@admin.register(ParcelEvent)
class ParcelEventAdmin(ReadOnlyAdmin):
    list_display = ["parcel", "code", "outlet", "occurred_at", "recorded_at", "device_id"]
    list_filter = ["code"]
    search_fields = ["parcel__tracking_number", "event_id"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "number_pattern", "is_active"]


@admin.register(PartnerManifest)
class PartnerManifestAdmin(ReadOnlyAdmin):
    list_display = ["partner", "reference", "received_at", "parcel_count"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["partner", "parcel", "status", "attempt_count", "next_attempt_at", "delivered_at"]
    list_filter = ["status"]


class CompensationRuleInline(admin.TabularInline):
    model = CompensationRule
    extra = 0


@admin.register(CompensationPolicy)
class CompensationPolicyAdmin(admin.ModelAdmin):
    list_display = ["version", "effective_on", "note"]
    inlines = [CompensationRuleInline]


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["parcel", "kind", "status", "claimant", "compensation_fen", "created_at"]
    list_filter = ["kind", "status"]


@admin.register(ClaimEvent)
class ClaimEventAdmin(ReadOnlyAdmin):
    list_display = ["claim", "from_status", "to_status", "actor", "occurred_at"]
    list_select_related = ["claim__parcel", "actor"]  # a claim is shown by its parcel's number


@admin.register(CompensationRule)
class CompensationRuleAdmin(admin.ModelAdmin):
    list_display = [
        "policy",
        "priority",
        "claim_kind",
        "product",
        "is_letter",
        "is_insured",
        "basis",
        "postage_multiple",
    ]
    list_filter = ["policy", "claim_kind"]


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "outlet",
        "capacity_g",
        "shift_starts_at",
        "shift_ends_at",
        "max_trips",
        "driver",
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "outlet__code", "outlet__name", "driver__username"]
    raw_id_fields = ["outlet"]
    autocomplete_fields = ["driver"]


@admin.register(RoadDistance)
class RoadDistanceAdmin(admin.ModelAdmin):
    list_display = ["from_outlet", "to_outlet", "distance_m", "duration_s"]
    search_fields = ["from_outlet__code", "to_outlet__code"]
    raw_id_fields = ["from_outlet", "to_outlet"]


@admin.register(RoundPlan)
class RoundPlanAdmin(ReadOnlyAdmin):
    list_display = ["pk", "outlet", "planned_on", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status"]


@admin.register(ExceptionCase)
class ExceptionCaseAdmin(ReadOnlyAdmin):
    list_display = ["parcel", "kind", "status", "assignee", "claim", "opened_at", "resolved_at"]
    list_filter = ["status", "kind"]
    search_fields = ["parcel__tracking_number"]


@admin.register(ExceptionCaseEvent)
class ExceptionCaseEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "actor", "occurred_at", "text"]
    list_filter = ["kind"]
