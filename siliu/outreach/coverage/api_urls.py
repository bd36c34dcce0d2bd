"""Coverage API under ``/api/v1/``."""

from django.urls import path

from siliu.outreach.coverage import api

urlpatterns = [path("outreach/coverage", api.CoverageView.as_view(), name="outreach-coverage")]
