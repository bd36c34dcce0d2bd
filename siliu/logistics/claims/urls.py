"""Claim pages under ``/logistics/``."""

from django.urls import path

from siliu.logistics.claims import views

urlpatterns = [
    path("claims/", views.claim_list_page, name="claim-list"),
    path("claims/new/", views.claim_new_page, name="claim-new"),
    path("claims/review/", views.claim_review_page, name="claim-review"),
    path("claims/<int:claim_id>/", views.claim_detail_page, name="claim-detail"),
    path("claims/<int:claim_id>/decide/", views.claim_decide_submit, name="claim-decide"),
    path("claims/<int:claim_id>/pay/", views.claim_pay_submit, name="claim-pay"),
]
