from django.urls import include, path

from siliu.logistics import views

app_name = "logistics"

urlpatterns = [
    path("parcels/new/", views.parcel_new_page, name="parcel-new"),
    path("parcels/<str:number>/", views.parcel_detail_page, name="parcel-detail"),
    path("exceptions/", views.exception_list_page, name="exceptions"),
    path("rounds/", include("siliu.logistics.routing.urls")),
    path("", include("siliu.logistics.claims_views")),
    path("", include("siliu.logistics.partners_views")),
]
