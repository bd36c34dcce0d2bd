"""Requests API under ``/api/v1/``."""

from django.urls import path

from siliu.appeals.requests import api

urlpatterns = [
    path("appeals", api.AppealListView.as_view(), name="appeal-list"),
    path("appeals/codes", api.AppealCodeView.as_view(), name="appeal-codes"),
    path("appeals/counter", api.AppealCounterView.as_view(), name="appeal-counter"),
    path("appeals/queue", api.AppealQueueView.as_view(), name="appeal-queue"),
    path("appeals/<int:appeal_id>", api.AppealDetailView.as_view(), name="appeal-detail"),
    path(
        "appeals/<int:appeal_id>/acknowledge", api.AppealAcknowledgeView.as_view(), name="appeal-acknowledge"
    ),
    path("appeals/<int:appeal_id>/resolve", api.AppealResolveView.as_view(), name="appeal-resolve"),
    path("appeals/<int:appeal_id>/rate", api.AppealRateView.as_view(), name="appeal-rate"),
]
