"""Trace API under ``/api/v1/``."""

from django.urls import path

from siliu.commerce.trace import api

urlpatterns = [
    path("trace/<str:code>", api.TraceView.as_view(), name="trace"),
]
