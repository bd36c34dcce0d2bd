"""Parcel pages under ``/logistics/``: a parcel at the counter, its detail."""

from django.urls import path

from siliu.logistics.parcels import views

urlpatterns = [
    path("parcels/new/", views.parcel_new_page, name="parcel-new"),
    path("parcels/<str:number>/", views.parcel_detail_page, name="parcel-detail"),
]
