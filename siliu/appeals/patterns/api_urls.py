"""Recurring needs API under ``/api/v1/``."""

from django.urls import path

from siliu.appeals.patterns import api

urlpatterns = [
    path("appeals/patterns", api.AppealPatternListView.as_view(), name="appeal-patterns"),
]
