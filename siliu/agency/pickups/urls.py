"""Home pickups' pages under ``/agency/pickups/``."""

from django.urls import path

from siliu.agency.pickups import views

urlpatterns = [
    path("pickups/", views.pickups_page, name="pickups"),
    path("pickups/station/", views.station_pickups_page, name="pickups-station"),
    path("pickups/station/new/", views.station_pickup_new_page, name="pickup-new-for"),
    path("pickups/<str:number>/cancel/", views.pickup_cancel_view, name="pickup-cancel"),
    path("pickups/<str:number>/missed/", views.pickup_missed_view, name="pickup-missed"),
]
