"""Claims API under ``/api/v1/``."""

from django.urls import path

from siliu.logistics.claims import api

urlpatterns = [
    path("claims", api.ClaimListView.as_view(), name="claim-list"),
    path("claims/<int:claim_id>", api.ClaimDetailView.as_view(), name="claim-detail"),
    path("claims/<int:claim_id>/decide", api.ClaimDecideView.as_view(), name="claim-decide"),
    path("claims/<int:claim_id>/pay", api.ClaimPayView.as_view(), name="claim-pay"),
]
