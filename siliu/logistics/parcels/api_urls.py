"""Parcel API under ``/api/v1/``: parcels, scans, labels and exceptions."""

from django.urls import path

from siliu.logistics.parcels import api

urlpatterns = [
    path("parcels", api.ParcelCreateView.as_view(), name="parcel-create"),
    path("parcels/<str:number>", api.ParcelDetailView.as_view(), name="parcel-detail"),
    path("parcels/<str:number>/cancel", api.ParcelCancelView.as_view(), name="parcel-cancel"),
    path("parcels/<str:number>/events", api.ParcelEventsView.as_view(), name="parcel-events"),
    path("parcels/<str:number>/label.pdf", api.ParcelLabelView.as_view(), name="parcel-label"),
    path("scans", api.ScanBatchView.as_view(), name="scans"),
    path("logistics/exceptions", api.ExceptionListView.as_view(), name="parcel-exceptions"),
]
