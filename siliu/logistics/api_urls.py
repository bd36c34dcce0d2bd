from django.urls import include, path

from siliu.logistics import api

urlpatterns = [
    path("quotes", api.QuoteView.as_view(), name="quote"),
    path("parcels", api.ParcelCreateView.as_view(), name="parcel-create"),
    path("parcels/<str:number>", api.ParcelDetailView.as_view(), name="parcel-detail"),
    path("parcels/<str:number>/cancel", api.ParcelCancelView.as_view(), name="parcel-cancel"),
    path("parcels/<str:number>/events", api.ParcelEventsView.as_view(), name="parcel-events"),
    path("parcels/<str:number>/label.pdf", api.ParcelLabelView.as_view(), name="parcel-label"),
    path("scans", api.ScanBatchView.as_view(), name="scans"),
    path("logistics/exceptions", api.ExceptionListView.as_view(), name="parcel-exceptions"),
    path("", include("siliu.logistics.routing.api_urls")),
    path("", include("siliu.logistics.claims_api")),
    path("", include("siliu.logistics.partners_api")),
]
