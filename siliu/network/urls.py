from django.urls import path

from siliu.network import views

app_name = "network"

urlpatterns = [
    path("outlets/", views.outlet_list_page, name="outlet-list"),
    path("outlets/<str:code>/", views.outlet_detail_page, name="outlet-detail"),
    path("map/", views.network_map_page, name="map"),
]
