from django.urls import URLPattern, path

from siliu.lending import api

urlpatterns: list[URLPattern] = [
    path("loans/schedule", api.ScheduleView.as_view(), name="loan-schedule"),
    path("loan-products", api.LoanProductListView.as_view(), name="loan-product-list"),
]
