"""Credit API under ``/api/v1/``."""

from django.urls import path

from siliu.lending.credit import api

urlpatterns = [
    path("credit/consent", api.ConsentView.as_view(), name="credit-consent"),
    path("credit/score", api.ScoreView.as_view(), name="credit-score"),
    path("credit/visits", api.VisitView.as_view(), name="credit-visits"),
    path("credit/model", api.ModelView.as_view(), name="credit-model"),
]
