"""Delivery rounds API under ``/api/v1/``."""

from django.urls import path

from siliu.logistics.rounds import api

urlpatterns = [
    path("rounds/plan", api.RoundPlanCreateView.as_view(), name="round-plan"),
    path("rounds/today", api.CourierRoundsTodayView.as_view(), name="rounds-today"),
    path("rounds/<int:plan_id>", api.RoundPlanDetailView.as_view(), name="round-detail"),
]
