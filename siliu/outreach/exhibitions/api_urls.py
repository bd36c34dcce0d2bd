"""Exhibitions API under ``/api/v1/``."""

from django.urls import path

from siliu.outreach.exhibitions import api

urlpatterns = [
    path("outreach/requests", api.ExhibitionRequestView.as_view(), name="outreach-requests"),
    path("outreach/exhibitions", api.ExhibitionListView.as_view(), name="outreach-exhibitions"),
    path(
        "outreach/exhibitions/<int:exhibition_id>",
        api.ExhibitionDetailView.as_view(),
        name="outreach-exhibition",
    ),
    path(
        "outreach/exhibitions/<int:exhibition_id>/plan",
        api.ExhibitionPlanView.as_view(),
        name="outreach-exhibition-plan",
    ),
    path(
        "outreach/exhibitions/<int:exhibition_id>/hold",
        api.ExhibitionHoldView.as_view(),
        name="outreach-exhibition-hold",
    ),
    path(
        "outreach/exhibitions/<int:exhibition_id>/cancel",
        api.ExhibitionCancelView.as_view(),
        name="outreach-exhibition-cancel",
    ),
]
