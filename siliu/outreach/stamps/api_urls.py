"""The stamp catalogue's API under ``/api/v1/``."""

from django.urls import path

from siliu.outreach.stamps import api

urlpatterns = [path("outreach/stamps", api.StampIssueListView.as_view(), name="outreach-stamps")]
