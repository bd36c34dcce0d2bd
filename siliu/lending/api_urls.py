from django.urls import URLPattern, URLResolver, include, path

from siliu.lending import api

urlpatterns: list[URLPattern | URLResolver] = [
    # Literal paths (loan-applications/review-queue) before any loan-applications/<number> route.
    path("", include("siliu.lending.portfolio.api_urls")),
    path("loans/schedule", api.ScheduleView.as_view(), name="loan-schedule"),
    path("loan-products", api.LoanProductListView.as_view(), name="loan-product-list"),
    path("", include("siliu.lending.credit.api_urls")),
    path("", include("siliu.lending.loans.api_urls")),
]
