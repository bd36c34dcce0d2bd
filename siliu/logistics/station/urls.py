"""The station's pages under ``/logistics/station/``."""

from django.urls import path

from siliu.logistics.station import views

urlpatterns = [
    path("", views.station_page, name="station"),
    path("handover/", views.handover_page, name="station-handover"),
    path("accept/", views.accept_page, name="station-accept"),
    path("slips/<str:number>.pdf", views.pickup_slip_pdf_view, name="station-slip"),
]
