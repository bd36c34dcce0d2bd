"""Quote API under ``/api/v1/``."""

from django.urls import path

from siliu.logistics.pricing import api

urlpatterns = [
    path("quotes", api.QuoteView.as_view(), name="quote"),
]
