from django.urls import path

from siliu.network import api

urlpatterns = [
    path("outlets", api.OutletListView.as_view(), name="outlet-list"),
    path("outlets/<str:code>", api.OutletDetailView.as_view(), name="outlet-detail"),
]
